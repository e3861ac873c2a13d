package cloud.openclaw.platform.jobs;

/**
 * Thrown by a handler that finds, when it runs, that the job is no longer wanted: the box's desired
 * state changed since it was enqueued (a suspend of a box meant to run again, a reactivate of a box
 * suspended since, anything of a box being destroyed), and a later job of the box does what is
 * wanted now. The job ends as {@code superseded}: neither retried nor an error. The message says
 * why, for the job's steps.
 */
public final class JobSupersededException extends RuntimeException {
  public JobSupersededException(String message) {
    super(message);
  }
}
