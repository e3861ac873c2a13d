package cloud.openclaw.platform.config;

/**
 * Where a service listens and what it accepts: {@code <service>.host}, {@code <service>.port} (the
 * public routes), {@code <service>.internal-port} on the same host (metrics and detailed health,
 * never behind the ingress; a free one whenever the public port is) and {@code
 * <service>.max-body-bytes} (the largest request body, refused with a 413 before it is read).
 */
public record ServerSettings(
    String host, int port, String internalHost, int internalPort, int maxBodyBytes) {
  /** What a service without a reason to accept more takes: its JSON bodies are a few KiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

  /** Both ports free ones, the default body limit: tests and tools. */
  public ServerSettings(String host, int port) {
    this(host, port, host, 0, DEFAULT_MAX_BODY_BYTES);
  }

  public static ServerSettings from(Settings settings, String service) {
    int port = settings.port(service + ".port");
    // A free public port (tests, tools) comes with a free internal one: never a fixed port beside
    // it.
    int internalPort = port == 0 ? 0 : settings.port(service + ".internal-port");
    if (port != 0 && port == internalPort) {
      throw new ConfigurationException(
          service + ".internal-port", "must differ from " + service + ".port (" + port + ")");
    }
    String host = settings.string(service + ".host");
    return new ServerSettings(
        host, port, host, internalPort, maxBodyBytes(settings, service + ".max-body-bytes"));
  }

  private static int maxBodyBytes(Settings settings, String key) {
    return settings.integer(key, 1024, 256 * 1024 * 1024);
  }
}
