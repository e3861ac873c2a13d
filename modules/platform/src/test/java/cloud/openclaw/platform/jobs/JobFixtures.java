package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;

/** Counts over one test's batch of jobs (by idempotency key prefix). */
final class JobFixtures {
  private JobFixtures() {}

  static long countSucceeded(Database database, String batch) {
    return database
        .execute()
        .get(
            "SELECT count(*) AS n FROM operator_jobs WHERE status = 'succeeded' AND idempotency_key LIKE ?",
            batch + ":%")
        .map(row -> Rows.longValue(row, "n"))
        .orElseThrow();
  }

  static int maxAttempts(Database database, String batch) {
    return database
        .execute()
        .get(
            "SELECT max(attempts) AS n FROM operator_jobs WHERE idempotency_key LIKE ?",
            batch + ":%")
        .map(row -> Rows.intValue(row, "n"))
        .orElseThrow();
  }
}
