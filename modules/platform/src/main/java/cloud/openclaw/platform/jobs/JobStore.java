package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.logging.LogContext;
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
 *
 * <p>The jobs of one box form a line ({@code seq}, the order they were enqueued in): a job is
 * claimed only while no earlier job of its box is unfinished and no other job of its box runs, so
 * at most one job runs per box, in order. Claims and enqueues of a box take a transaction-scoped
 * advisory lock on it first, so that a claim sees every job enqueued before it. Enqueueing a
 * lifecycle job makes the box's waiting head due at once (a retry waiting out its backoff runs now
 * and finds the box's new desired state) and hands it back to be announced on the lifecycle lane;
 * an update enqueued while another of its box has not started yet is merged into that one.
 */
public final class JobStore {
  // Keys the box line lock apart from any other advisory lock (pg_advisory_xact_lock(int, int)).
  private static final int BOX_LINE_LOCK = 714_001;
  private static final String LOCK_BOX =
      "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock("
          + BOX_LINE_LOCK
          + ", hashtext(?::text))) l";
  private static final String LOCK_BOX_OF_JOB =
      "SELECT 1 AS locked FROM operator_jobs j, LATERAL (SELECT pg_advisory_xact_lock("
          + BOX_LINE_LOCK
          + ", hashtext(j.box_id::text))) l WHERE j.id = ?";
  // An unfinished job of the same box that keeps this one waiting: an earlier one, or one running.
  private static final String AHEAD_IN_LINE =
      """
      EXISTS (SELECT 1 FROM operator_jobs o
               WHERE o.box_id = j.box_id AND o.id <> j.id AND o.status IN ('queued', 'running')
                 AND (o.seq < j.seq OR o.status = 'running'))""";
  private static final String PENDING_UPDATE =
      """
      SELECT * FROM operator_jobs
       WHERE box_id = ? AND type = 'update' AND status = 'queued' AND attempts = 0
       ORDER BY seq LIMIT 1""";
  private static final String MERGE =
      """
      UPDATE operator_jobs
         SET steps = steps || jsonb_build_array(jsonb_build_object(
               'step', 'merged', 'message', ?::text, 'attempt', attempts,
               'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))),
             updated_at = now()
       WHERE id = ? AND status = 'queued' AND attempts = 0
      RETURNING *""";
  private static final String MERGED_MESSAGE =
      "Another change came in before this update started: this one update applies both.";
  // The head of the box's line, when it waits out a retry's backoff or is an update (announced on
  // the updates lane): due now, announced now (on the lifecycle lane).
  private static final String HURRY_HEAD =
      """
      UPDATE operator_jobs
         SET next_attempt_at = least(next_attempt_at, now()), published_at = now(),
             updated_at = now()
       WHERE id = (SELECT id FROM operator_jobs
                    WHERE box_id = ? AND status IN ('queued', 'running') ORDER BY seq LIMIT 1)
         AND status = 'queued' AND id <> ? AND (next_attempt_at > now() OR type = 'update')
      RETURNING id, type""";
  // The head of the box's line once a job has ended, when it is due: announced now.
  private static final String TAKE_NEXT_IN_LINE =
      """
      UPDATE operator_jobs SET published_at = now()
       WHERE id = (SELECT id FROM operator_jobs
                    WHERE box_id = ? AND status IN ('queued', 'running') ORDER BY seq LIMIT 1)
         AND status = 'queued' AND next_attempt_at <= now()
      RETURNING id, type""";
  private static final String INSERT =
      """
      INSERT INTO operator_jobs (type, box_id, payload, max_attempts, idempotency_key, request_id,
                                 published_at)
      SELECT ?::text, ?::uuid, ?::jsonb, ?::integer, ?::text, ?::text,
             -- Behind another job of its box, it is announced when its turn comes: published_at
             -- stays NULL until then (for the relay).
             CASE WHEN EXISTS (SELECT 1 FROM operator_jobs
                                WHERE box_id = ? AND status IN ('queued', 'running'))
                  THEN NULL ELSE now() END
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING *""";
  private static final String FIND = "SELECT * FROM operator_jobs WHERE id = ?";
  private static final String FIND_BY_KEY = "SELECT * FROM operator_jobs WHERE idempotency_key = ?";
  // clock_timestamp(), not now(): the claim's transaction may have waited for the box's lock, and
  // now() is when it began; a lease counted from then could be over before the handler starts.
  private static final String CLAIM =
      """
      UPDATE operator_jobs j
         SET status = 'running', attempts = attempts + 1, locked_by = ?,
             locked_until = clock_timestamp() + ? * interval '1 millisecond',
             started_at = coalesce(started_at, now()), updated_at = now()
       WHERE id = ?
         AND ((status = 'queued' AND next_attempt_at <= clock_timestamp())
              OR (status = 'running' AND locked_until < clock_timestamp()))
         AND NOT\s"""
          + AHEAD_IN_LINE
          + """

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
  private static final String SUPERSEDE =
      """
      UPDATE operator_jobs
         SET status = 'superseded', locked_by = NULL, locked_until = NULL, last_error = NULL,
             finished_at = now(), updated_at = now()
       WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?""";
  private static final String FAIL =
      """
      UPDATE operator_jobs
         SET status = ?, last_error = ?, locked_by = NULL, locked_until = NULL,
             finished_at = now(), updated_at = now()
       WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?""";
  // Jobs the stream may have lost: due but not published lately, or held by a lease that ran out;
  // only heads of their box's line (the others are announced when their turn comes). SKIP LOCKED
  // lets every process run a relay without two of them publishing the same rows.
  private static final String TAKE_FOR_RELAY =
      """
      UPDATE operator_jobs SET published_at = now()
       WHERE id IN (SELECT id FROM operator_jobs j
                     WHERE ((status = 'queued' AND next_attempt_at <= now())
                            OR (status = 'running' AND locked_until < now()))
                       AND (published_at IS NULL
                            OR published_at < now() - ? * interval '1 millisecond')
                       AND NOT\s"""
          + AHEAD_IN_LINE
          + """

                     ORDER BY next_attempt_at
                     LIMIT ?
                     FOR UPDATE SKIP LOCKED)
      RETURNING id, type""";
  // A retried job is enqueued anew: it goes to the back of its box's line.
  private static final String RETRY_NOW =
      """
      UPDATE operator_jobs
         SET status = 'queued', attempts = 0, next_attempt_at = now(), last_error = NULL,
             published_at = NULL, finished_at = NULL, seq = nextval('operator_jobs_seq'),
             updated_at = now()
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
   * idempotency key, or (an update) the update of the box that has not started yet, which this one
   * is merged into. See the class comment for what a lifecycle job does to the head of its box's
   * line.
   */
  public Inserted insert(DbExecute exec, NewJob job) {
    exec.get(LOCK_BOX, job.boxId());
    if (job.type() == JobType.UPDATE) {
      // Not into one claimed meanwhile: it may have read the box before this change.
      Optional<Job> merged =
          exec.get(PENDING_UPDATE, job.boxId())
              .flatMap(pending -> exec.get(MERGE, MERGED_MESSAGE, Rows.uuid(pending, "id")))
              .map(JobStore::map);
      if (merged.isPresent()) {
        return new Inserted(merged.get(), false, true, false, Optional.empty());
      }
    }
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
                    job.idempotencyKey(),
                    job.requestId() != null ? job.requestId() : LogContext.requestId().orElse(null),
                    job.boxId()));
    if (row.isEmpty()) {
      return new Inserted(
          exec.get(FIND_BY_KEY, job.idempotencyKey()).map(JobStore::map).orElseThrow(),
          false,
          false,
          false,
          Optional.empty());
    }
    Job inserted = map(row.get());
    boolean first = Rows.instant(row.get(), "published_at") != null;
    Optional<Ready> hurried =
        !first && job.type().lane() == Lane.LIFECYCLE
            ? exec.get(HURRY_HEAD, job.boxId(), inserted.id()).map(JobStore::ready)
            : Optional.empty();
    return new Inserted(inserted, true, false, first, hurried);
  }

  public Optional<Job> find(UUID id) {
    return database.execute().get(FIND, id).map(JobStore::map);
  }

  public Optional<Job> findByIdempotencyKey(String key) {
    return database.execute().get(FIND_BY_KEY, key).map(JobStore::map);
  }

  /**
   * Takes the job for {@code consumer} if it is due (or held by a lease that ran out) and first in
   * its box's line.
   */
  public Optional<Job> claim(UUID id, String consumer, Duration lease) {
    return database.inTransaction(
        tx -> {
          if (tx.execute().get(LOCK_BOX_OF_JOB, id).isEmpty()) {
            return Optional.empty();
          }
          return tx.execute().get(CLAIM, consumer, lease.toMillis(), id).map(JobStore::map);
        });
  }

  /**
   * The job now first in the box's line, when it is queued and due: marked published, for the
   * caller to announce (after a job of the box has ended).
   */
  public Optional<Ready> takeNextInLine(UUID boxId) {
    // Under the box's lock: a job being enqueued behind the one that ended is seen once committed.
    return database.inTransaction(
        tx -> {
          tx.execute().get(LOCK_BOX, boxId);
          return tx.execute().get(TAKE_NEXT_IN_LINE, boxId).map(JobStore::ready);
        });
  }

  /** Extends the lease of a job this consumer still holds; false when it holds it no longer. */
  public boolean extendLease(Job claimed, Duration lease) {
    return database
            .execute()
            .dml(EXTEND, lease.toMillis(), claimed.id(), claimed.lockedBy(), claimed.attempts())
        == 1;
  }

  /**
   * Records success, and takes the next job of the box's line when it may run now (to announce).
   * Not recorded when the lease had been lost to another consumer meanwhile.
   */
  public Ended succeed(Job claimed) {
    return end(claimed, SUCCEED, claimed.id(), claimed.lockedBy(), claimed.attempts());
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

  /** Ends the job as {@code superseded}: it ran, and the box's desired state asked for nothing. */
  public Ended supersede(Job claimed) {
    return end(claimed, SUPERSEDE, claimed.id(), claimed.lockedBy(), claimed.attempts());
  }

  /** Ends the job as {@code failed} (hopeless) or {@code dead} (given up) with its last error. */
  public Ended fail(Job claimed, JobStatus status, String error) {
    return end(
        claimed,
        FAIL,
        status.dbValue(),
        truncate(error),
        claimed.id(),
        claimed.lockedBy(),
        claimed.attempts());
  }

  // The outcome and the next job of the line in one transaction, under the box's lock: a job
  // enqueued meanwhile is either seen here, or saw this one ended and was announced at once.
  private Ended end(Job claimed, String outcome, Object... parameters) {
    return database.inTransaction(
        tx -> {
          tx.execute().get(LOCK_BOX, claimed.boxId());
          if (tx.execute().dml(outcome, parameters) != 1) {
            return new Ended(false, Optional.empty());
          }
          return new Ended(
              true, tx.execute().get(TAKE_NEXT_IN_LINE, claimed.boxId()).map(JobStore::ready));
        });
  }

  /** Marks up to {@code limit} jobs the stream may have lost as published, and returns them. */
  public List<Ready> takeForRelay(Duration grace, int limit) {
    try (Stream<DbRow> rows = database.execute().query(TAKE_FOR_RELAY, grace.toMillis(), limit)) {
      return rows.map(JobStore::ready).toList();
    }
  }

  /**
   * Puts a dead or failed job back in the queue with fresh attempts (the admin's retry), at the
   * back of its box's line.
   */
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

  /** Queued jobs (waiting for their turn or a retry) by type: the queue's depth. */
  public Map<JobType, Long> countQueuedByType() {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query(
                "SELECT type, count(*) AS n FROM operator_jobs WHERE status = 'queued'"
                    + " GROUP BY type")) {
      return rows.collect(
          java.util.stream.Collectors.toMap(
              row -> JobType.fromDb(Rows.string(row, "type")), row -> Rows.longValue(row, "n")));
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
        Rows.instant(row, "finished_at"),
        Rows.string(row, "request_id"));
  }

  private static Ready ready(DbRow row) {
    return new Ready(Rows.uuid(row, "id"), JobType.fromDb(Rows.string(row, "type")));
  }

  /**
   * The outcome of {@link #insert}: the job (this call's, or the one with its key, or the pending
   * update it was merged into), whether this call created it, whether it was merged, whether it is
   * first in its box's line (to announce now; the others are announced when their turn comes), and
   * the head of the line that this lifecycle job made due now (to announce on the lifecycle lane).
   */
  public record Inserted(
      Job job, boolean created, boolean merged, boolean firstInLine, Optional<Ready> hurried) {}

  /** A job to announce on the stream. */
  public record Ready(UUID id, JobType type) {}

  /**
   * An outcome recorded (false: this consumer had lost the job), and the next job of the box's line
   * when it may run now.
   */
  public record Ended(boolean recorded, Optional<Ready> next) {}
}
