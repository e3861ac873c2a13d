package cloud.openclaw.platform.jobs;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import java.util.UUID;

/** Rows the job tests need, written with plain SQL so these tests depend on the queue alone. */
final class JobFixtures {
  private JobFixtures() {}

  static UUID insertBox(Database database) {
    UUID customer =
        database
            .execute()
            .get(
                "INSERT INTO customers (email) VALUES (?) RETURNING id",
                "jobs-" + UUID.randomUUID() + "@example.com")
            .map(row -> Rows.uuid(row, "id"))
            .orElseThrow();
    return database
        .execute()
        .get(
            """
            INSERT INTO boxes (customer_id, bot_id, bot_username, bot_token_ciphertext,
                               bot_token_key_id, allowed_telegram_user_ids, model, runtime)
            VALUES (?, ?, 'jobs_test_bot', ?, 'k1', '{42}', 'kimi-k2.6', 'local')
            RETURNING id""",
            customer,
            Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L) + 1,
            new byte[] {1, 2, 3, 4})
        .map(row -> Rows.uuid(row, "id"))
        .orElseThrow();
  }

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
