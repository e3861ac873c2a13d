package cloud.openclaw.platform.http;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import io.helidon.config.Config;
import java.util.Map;
import java.util.function.Function;

/**
 * What every service's {@code main} does: load its configuration, start, stop cleanly on SIGTERM,
 * and refuse to start (exit 2) with a message naming the key when configuration is wrong.
 */
public final class ServiceMain {
  private ServiceMain() {}

  public static void run(String service, Function<Config, RunningService> start) {
    RunningService running;
    try {
      running = start.apply(ConfigLoader.load(service, System.getenv(), Map.of()));
    } catch (ConfigurationException e) {
      System.err.println(service + ": configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, service + "-shutdown"));
    System.out.println(service + " listening on port " + running.port());
  }
}
