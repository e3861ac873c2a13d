package cloud.openclaw.platform.jobs;

/**
 * Does one job. Must be idempotent: the queue runs a job at least once, so a handler may see a job
 * again after a crash (its own or its consumer's). Throwing retries the job with backoff; throwing
 * {@link JobFailedException} ends it as failed.
 */
@FunctionalInterface
public interface JobHandler {
  void handle(Job job) throws Exception;
}
