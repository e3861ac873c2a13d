package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.errors.InvalidInputException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The operator_jobs table: the durable half of the job queue. Leases use the database's clock, so
 * consumers on machines whose clocks disagree still agree on who holds a job.
 */
public final class JobStore {
  private static final String INSERT =
      """
      INSERT INTO operator_jobs (type, box_id, payload, max_attempts, idempotency_key, published_at)
      VALUES (?, ?, ?::jsonb, ?, ?, now())
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING *""";
  private static final String FIND = "SELECT * FROM operator_jobs WHERE id = ?";
  private static final String FIND_BY_KEY = "SELECT * FROM operator_jobs WHERE idempotency_key = ?";
  private static final String CLAIM =
      """
      UPDATE operator_jobs
         SET status = 'running', attempts = attempts + 1, locked_by = ?,
             locked_until = now() + ? * interval '1 millisecond',
             started_at = coalesce(started_at, now()), updated_at = now()
       WHERE id = ?
         AND ((status = 'queued' AND next_attempt_at <= now())
              OR (status = 'running' AND locked_until < now()))
      RETURNING *""";
  private static final String EXTEND =
      """
      UPDATE operator_jobs SET locked_until = now() + ? * interval '1 millisecond', updated_at = now()
       WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?""";
  private static final String SUCCEED =
      """
      UPDATE operator_jobs
         SET status = 'succeeded', locked_by = NULL, locked_until = NULL, last_error = NULL,
             finished_at = now(), updated_at = now()
       WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?""";
  private static final String RETRY_OR_BURY =
      """
      UPDATE operator_jobs
         SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
             finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
             next_attempt_at = now() + ? * interval '1 millisecond',
             last_error = ?, locked_by = NULL, locked_until = NULL, published_at = NULL,
             updated_at = now()
       WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?
      RETURNING *""";
  private static final String FAIL =
      """
      UPDATE operator_jobs
         SET status = ?, last_error = ?, locked_by = NULL, locked_until = NULL,
             finished_at = now(), updated_at = now()
       WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?""";
  // Jobs the stream may have lost: due but not published lately, or held by a lease that ran out.
  // SKIP LOCKED lets every process run a relay without two of them publishing the same rows.
  private static final String TAKE_FOR_RELAY =
      """
      UPDATE operator_jobs SET published_at = now()
       WHERE id IN (SELECT id FROM operator_jobs
                     WHERE ((status = 'queued' AND next_attempt_at <= now())
                            OR (status = 'running' AND locked_until < now()))
                       AND (published_at IS NULL
                            OR published_at < now() - ? * interval '1 millisecond')
                     ORDER BY next_attempt_at
                     LIMIT ?
                     FOR UPDATE SKIP LOCKED)
      RETURNING id""";
  private static final String RETRY_NOW =
      """
      UPDATE operator_jobs
         SET status = 'queued', attempts = 0, next_attempt_at = now(), last_error = NULL,
             published_at = NULL, finished_at = NULL, updated_at = now()
       WHERE id = ? AND status IN ('dead', 'failed')
      RETURNING *""";
  private static final String LIST_BY_STATUS =
      "SELECT * FROM operator_jobs WHERE status = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?";
  private static final String LIST_FOR_BOX =
      "SELECT * FROM operator_jobs WHERE box_id = ? ORDER BY created_at DESC, id LIMIT ?";
  private static final String COUNT_BY_STATUS =
      "SELECT status, count(*) AS n FROM operator_jobs GROUP BY status";

  private final Database database;
  private final int maxAttempts;

  public JobStore(Database database, int maxAttempts) {
    this.database = database;
    this.maxAttempts = maxAttempts;
  }

  public Database database() {
    return database;
  }

  /**
   * Inserts the job in {@code exec}'s transaction, or returns the job that already has its
   * idempotency key. {@code created} tells which.
   */
  public Inserted insert(DbExecute exec, NewJob job) {
    Optional<DbRow> row =
        SqlErrors.guard(
            Map.of(
                "operator_jobs_box_id_fkey",
                () -> new InvalidInputException("boxId", "no box " + job.boxId())),
            () ->
                exec.get(
                    INSERT,
                    job.type().dbValue(),
                    job.boxId(),
                    job.payload(),
                    maxAttempts,
                    job.idempotencyKey()));
    if (row.isPresent()) {
      return new Inserted(map(row.get()), true);
    }
    return new Inserted(
        exec.get(FIND_BY_KEY, job.idempotencyKey()).map(JobStore::map).orElseThrow(), false);
  }

  public Optional<Job> find(UUID id) {
    return database.execute().get(FIND, id).map(JobStore::map);
  }

  public Optional<Job> findByIdempotencyKey(String key) {
    return database.execute().get(FIND_BY_KEY, key).map(JobStore::map);
  }

  /** Takes the job for {@code consumer} if it is due, or held by a lease that ran out. */
  public Optional<Job> claim(UUID id, String consumer, Duration lease) {
    return database.execute().get(CLAIM, consumer, lease.toMillis(), id).map(JobStore::map);
  }

  /** Extends the lease of a job this consumer still holds; false when it holds it no longer. */
  public boolean extendLease(Job claimed, Duration lease) {
    return database
            .execute()
            .dml(EXTEND, lease.toMillis(), claimed.id(), claimed.lockedBy(), claimed.attempts())
        == 1;
  }

  /** Records success; false when the lease had been lost to another consumer meanwhile. */
  public boolean succeed(Job claimed) {
    return database.execute().dml(SUCCEED, claimed.id(), claimed.lockedBy(), claimed.attempts())
        == 1;
  }

  /** Records a failed attempt: queued again after {@code delay}, or dead when out of attempts. */
  public Optional<Job> retryOrBury(Job claimed, String error, Duration delay) {
    return database
        .execute()
        .get(
            RETRY_OR_BURY,
            delay.toMillis(),
            truncate(error),
            claimed.id(),
            claimed.lockedBy(),
            claimed.attempts())
        .map(JobStore::map);
  }

  /** Ends the job as {@code failed} (hopeless) or {@code dead} (given up) with its last error. */
  public boolean fail(Job claimed, JobStatus status, String error) {
    return database
            .execute()
            .dml(
                FAIL,
                status.dbValue(),
                truncate(error),
                claimed.id(),
                claimed.lockedBy(),
                claimed.attempts())
        == 1;
  }

  /**
   * Marks up to {@code limit} jobs the stream may have lost as published, and returns their ids.
   */
  public List<UUID> takeForRelay(Duration grace, int limit) {
    try (Stream<DbRow> rows = database.execute().query(TAKE_FOR_RELAY, grace.toMillis(), limit)) {
      return rows.map(row -> Rows.uuid(row, "id")).toList();
    }
  }

  /** Puts a dead or failed job back in the queue with fresh attempts (the admin's retry). */
  public Optional<Job> retryNow(UUID id) {
    return retryNow(database.execute(), id);
  }

  /** {@link #retryNow(UUID)} in the caller's transaction (with its audit entry, say). */
  public Optional<Job> retryNow(DbExecute exec, UUID id) {
    return exec.get(RETRY_NOW, id).map(JobStore::map);
  }

  public List<Job> listByStatus(JobStatus status, int limit, int offset) {
    try (Stream<DbRow> rows =
        database.execute().query(LIST_BY_STATUS, status.dbValue(), limit, offset)) {
      return rows.map(JobStore::map).toList();
    }
  }

  public List<Job> listForBox(UUID boxId, int limit) {
    try (Stream<DbRow> rows = database.execute().query(LIST_FOR_BOX, boxId, limit)) {
      return rows.map(JobStore::map).toList();
    }
  }

  public Map<JobStatus, Long> countByStatus() {
    try (Stream<DbRow> rows = database.execute().query(COUNT_BY_STATUS)) {
      return rows.collect(
          java.util.stream.Collectors.toMap(
              row -> JobStatus.fromDb(Rows.string(row, "status")),
              row -> Rows.longValue(row, "n")));
    }
  }

  private static String truncate(String error) {
    String text = error == null ? "unknown error" : error;
    return text.length() <= 2000 ? text : text.substring(0, 2000);
  }

  static Job map(DbRow row) {
    return new Job(
        Rows.uuid(row, "id"),
        JobType.fromDb(Rows.string(row, "type")),
        Rows.uuid(row, "box_id"),
        Rows.string(row, "payload"),
        JobStatus.fromDb(Rows.string(row, "status")),
        Rows.intValue(row, "attempts"),
        Rows.intValue(row, "max_attempts"),
        Rows.instant(row, "next_attempt_at"),
        Rows.string(row, "locked_by"),
        Rows.instant(row, "locked_until"),
        Rows.string(row, "last_error"),
        Rows.string(row, "idempotency_key"),
        Rows.instant(row, "created_at"),
        Rows.instant(row, "started_at"),
        Rows.instant(row, "finished_at"));
  }

  /** The outcome of {@link #insert}: the job, and whether this call created it. */
  public record Inserted(Job job, boolean created) {}
}
