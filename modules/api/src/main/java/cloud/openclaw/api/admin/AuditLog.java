package cloud.openclaw.api.admin;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.http.Json;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The admin_audit_log table: who did what to which job or box, and when. */
public final class AuditLog {
  private static final String INSERT =
      """
      INSERT INTO admin_audit_log (actor, action, target_type, target_id, details)
      VALUES (?, ?, ?, ?, ?::jsonb)
      RETURNING *\
      """;
  private static final String LIST =
      "SELECT * FROM admin_audit_log ORDER BY at DESC, id DESC LIMIT ? OFFSET ?";

  private final Database database;

  public AuditLog(Database database) {
    this.database = database;
  }

  /** One entry. */
  public record Entry(
      long id,
      String actor,
      String action,
      String targetType,
      String targetId,
      Map<String, Object> details,
      Instant at) {}

  /**
   * Records an action in {@code exec}'s transaction, so that it is logged exactly if it happens.
   */
  public Entry record(
      DbExecute exec,
      String actor,
      String action,
      String targetType,
      String targetId,
      Map<String, Object> details) {
    return map(
        exec.get(INSERT, actor, action, targetType, targetId, Json.write(details)).orElseThrow());
  }

  /** Newest first. */
  public List<Entry> list(int limit, int offset) {
    try (Stream<DbRow> rows = database.execute().query(LIST, limit, offset)) {
      return rows.map(AuditLog::map).toList();
    }
  }

  @SuppressWarnings("unchecked")
  private static Entry map(DbRow row) {
    Map<String, Object> details;
    try {
      details = Json.MAPPER.readValue(Rows.string(row, "details"), Map.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable audit details", e);
    }
    return new Entry(
        Rows.longValue(row, "id"),
        Rows.string(row, "actor"),
        Rows.string(row, "action"),
        Rows.string(row, "target_type"),
        Rows.string(row, "target_id"),
        details,
        Rows.instant(row, "at"));
  }
}
