package cloud.openclaw.platform.jobs;

/**
 * Which of the queue's two streams announces a job. Lifecycle jobs (provision, suspend, reactivate,
 * destroy) are time-critical, a customer paying or leaving; updates (a settings change, a restart)
 * can wait. Workers read lifecycle jobs before updates, and some workers read nothing else, so no
 * number of updates keeps a new customer's provision or a cancelled one's destroy waiting.
 */
public enum Lane {
  LIFECYCLE,
  UPDATES
}
