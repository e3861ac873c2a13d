package cloud.openclaw.platform.config;

/** Where PostgreSQL is and how many connections a service may hold. */
public record DatabaseSettings(String url, String user, String password, int poolSize) {

  public static DatabaseSettings from(Settings settings) {
    String url = settings.optionalUri("db.url", "postgresql");
    if (url.isEmpty()) {
      throw new ConfigurationException("db.url", "missing (a jdbc:postgresql://host:5432/db URL)");
    }
    if (!url.startsWith("jdbc:")) {
      throw new ConfigurationException("db.url", "'" + url + "' must be a jdbc:postgresql:// URL");
    }
    return new DatabaseSettings(
        url,
        settings.string("db.user"),
        settings.optionalString("db.password"),
        settings.integer("db.pool-size", 1, 200));
  }
}
