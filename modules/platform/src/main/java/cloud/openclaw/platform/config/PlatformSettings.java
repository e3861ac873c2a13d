package cloud.openclaw.platform.config;

/** What every service shares: where the data lives, the queue's behaviour and the plans on sale. */
public record PlatformSettings(
    DatabaseSettings database, RedisSettings redis, JobSettings jobs, Plans plans) {

  public static PlatformSettings from(Settings settings) {
    return new PlatformSettings(
        DatabaseSettings.from(settings),
        RedisSettings.from(settings),
        JobSettings.from(settings),
        Plans.from(settings));
  }
}
