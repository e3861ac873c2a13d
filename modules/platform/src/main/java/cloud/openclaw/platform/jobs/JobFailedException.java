package cloud.openclaw.platform.jobs;

/**
 * Thrown by a handler when retrying cannot help (a bot token Telegram rejects, a box that no longer
 * exists): the job ends as {@code failed} at once instead of being retried until {@code dead}.
 */
public final class JobFailedException extends RuntimeException {
  public JobFailedException(String message) {
    super(message);
  }
}
