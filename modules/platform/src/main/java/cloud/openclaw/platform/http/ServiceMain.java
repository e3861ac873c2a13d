package cloud.openclaw.platform.http;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.logging.LogOutput;
import io.helidon.config.Config;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * What every service's {@code main} does: load its configuration, send its log records where {@code
 * logging.*} says (one JSON line each, by default), start, stop cleanly on SIGTERM, and refuse to
 * start (exit 2) with a message naming the key when configuration is wrong.
 */
public final class ServiceMain {
  private static final Logger LOG = Logger.getLogger(ServiceMain.class.getName());

  private ServiceMain() {}

  public static void run(String service, Function<Config, RunningService> start) {
    RunningService running;
    try {
      running = start(service, System.getenv(), Map.of(), System.err, start);
    } catch (ConfigurationException e) {
      System.err.println(service + ": configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, service + "-shutdown"));
    LOG.info(service + " listening on port " + running.port());
  }

  /**
   * Loads the configuration, installs the log output (every line naming {@code service}, written to
   * {@code logs}), then starts the service: {@link #run} short of the exit and the shutdown hook,
   * for tests. The log output stays until {@code LogManager} is reset.
   */
  public static RunningService start(
      String service,
      Map<String, String> environment,
      Map<String, String> overrides,
      OutputStream logs,
      Function<Config, RunningService> start) {
    Config config = ConfigLoader.load(service, environment, overrides);
    LogOutput.install(service, new Settings(config), logs);
    return start.apply(config);
  }
}
