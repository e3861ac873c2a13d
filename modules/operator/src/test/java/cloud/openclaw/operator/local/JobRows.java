package cloud.openclaw.operator.local;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import io.helidon.dbclient.DbRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** Job rows for tests that hand jobs to the handler directly, and the steps they record. */
final class JobRows {
  private JobRows() {}

  /**
   * A job row (so that its steps are recorded), handed to the handler as the worker would. The row
   * is marked succeeded at once so that no worker of a service under test runs it again.
   */
  static Job enqueued(Database database, JobType type, Box box) {
    Job job =
        new JobStore(database, 5)
            .insert(database.execute(), new NewJob(type, box.id(), null, "it-" + UUID.randomUUID()))
            .job();
    database
        .execute()
        .dml(
            "UPDATE operator_jobs SET status = 'succeeded', finished_at = now() WHERE id = ?",
            job.id());
    Instant now = Instant.now();
    return new Job(
        job.id(),
        type,
        box.id(),
        "{}",
        JobStatus.RUNNING,
        1,
        5,
        now,
        "test",
        now.plusSeconds(60),
        null,
        job.idempotencyKey(),
        now,
        now,
        null,
        null);
  }

  /** The names of the steps the job row records, in order. */
  static List<String> steps(Database database, UUID jobId) {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query("SELECT steps::text AS steps FROM operator_jobs WHERE id = ?", jobId)) {
      return Json.MAPPER
          .readTree(Rows.string(rows.findFirst().orElseThrow(), "steps"))
          .findValuesAsText("step");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
