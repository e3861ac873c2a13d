package cloud.openclaw.platform.config;

/** The address a service listens on: {@code <service>.host} and {@code <service>.port}. */
public record ServerSettings(String host, int port) {

  public static ServerSettings from(Settings settings, String service) {
    return new ServerSettings(settings.string(service + ".host"), settings.port(service + ".port"));
  }
}
