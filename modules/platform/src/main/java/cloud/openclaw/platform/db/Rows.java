package cloud.openclaw.platform.db;

import io.helidon.dbclient.DbRow;
import java.sql.Array;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Reads and writes the column types JDBC leaves awkward: timestamptz, uuid, bigint[], jsonb. */
public final class Rows {
  private Rows() {}

  /** The column's value, or null for SQL NULL (Helidon's own get() throws on NULL). */
  public static Object value(DbRow row, String column) {
    return row.column(column).asOptional().orElse(null);
  }

  public static String string(DbRow row, String column) {
    Object value = value(row, column);
    return value == null ? null : value.toString();
  }

  public static UUID uuid(DbRow row, String column) {
    Object value = value(row, column);
    return value == null ? null : value instanceof UUID id ? id : UUID.fromString(value.toString());
  }

  public static long longValue(DbRow row, String column) {
    Object value = value(row, column);
    return value == null ? 0 : ((Number) value).longValue();
  }

  public static Long nullableLong(DbRow row, String column) {
    Object value = value(row, column);
    return value == null ? null : ((Number) value).longValue();
  }

  public static int intValue(DbRow row, String column) {
    Object value = value(row, column);
    return value == null ? 0 : ((Number) value).intValue();
  }

  public static Integer nullableInt(DbRow row, String column) {
    Object value = value(row, column);
    return value == null ? null : ((Number) value).intValue();
  }

  public static boolean bool(DbRow row, String column) {
    Object value = value(row, column);
    return value != null && (Boolean) value;
  }

  public static byte[] bytes(DbRow row, String column) {
    return (byte[]) value(row, column);
  }

  public static Instant instant(DbRow row, String column) {
    Object value = value(row, column);
    return switch (value) {
      case null -> null;
      case Timestamp timestamp -> timestamp.toInstant();
      case OffsetDateTime offset -> offset.toInstant();
      case Instant instant -> instant;
      default ->
          throw new IllegalStateException(column + " is not a timestamp: " + value.getClass());
    };
  }

  /** A date column (or an expression cast to date). */
  public static LocalDate localDate(DbRow row, String column) {
    Object value = value(row, column);
    return switch (value) {
      case null -> null;
      case java.sql.Date date -> date.toLocalDate();
      case LocalDate date -> date;
      default -> LocalDate.parse(value.toString());
    };
  }

  public static List<Long> longList(DbRow row, String column) {
    Object value = value(row, column);
    if (value == null) {
      return List.of();
    }
    try {
      Object array = value instanceof Array sql ? sql.getArray() : value;
      return Arrays.stream((Object[]) array).map(n -> ((Number) n).longValue()).toList();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + column, e);
    }
  }

  /** A parameter for a timestamptz column (the driver does not take {@link Instant} itself). */
  public static OffsetDateTime param(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  /** A parameter for a bigint[] column. */
  public static Long[] param(List<Long> values) {
    return values.toArray(Long[]::new);
  }
}
