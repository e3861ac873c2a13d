package cloud.openclaw.platform.config;

import java.time.Duration;

/**
 * How the job queue behaves: how long a consumer holds a job before others may take it over, how
 * often and how soon failed jobs are retried, and how often the relay re-publishes what Redis lost.
 */
public record JobSettings(
    Duration lease,
    int maxAttempts,
    Duration backoffBase,
    Duration backoffMax,
    Duration relayInterval,
    Duration relayGrace,
    Duration pollTimeout) {

  public static JobSettings from(Settings settings) {
    JobSettings jobs =
        new JobSettings(
            settings.duration("jobs.lease"),
            settings.integer("jobs.max-attempts", 1, 100),
            settings.duration("jobs.backoff-base"),
            settings.duration("jobs.backoff-max"),
            settings.duration("jobs.relay-interval"),
            settings.duration("jobs.relay-grace"),
            settings.duration("jobs.poll-timeout"));
    if (jobs.backoffMax.compareTo(jobs.backoffBase) < 0) {
      throw new ConfigurationException(
          "jobs.backoff-max", "must not be shorter than jobs.backoff-base");
    }
    return jobs;
  }
}
