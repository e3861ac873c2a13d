package cloud.openclaw.platform.http;

import io.helidon.webserver.WebServer;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A started service: its web server and what it closes when it stops (workers, pools). */
public final class RunningService implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RunningService.class.getName());

  private final String name;
  private final WebServer server;
  private final List<AutoCloseable> resources;

  RunningService(String name, WebServer server, List<AutoCloseable> resources) {
    this.name = name;
    this.server = server;
    this.resources = new ArrayList<>(resources);
  }

  public String name() {
    return name;
  }

  /** The public port: the service's routes. */
  public int port() {
    return server.port();
  }

  /** The internal port: /observe/metrics and /observe/health with each check. */
  public int internalPort() {
    return server.port(HttpHost.INTERNAL);
  }

  public boolean isRunning() {
    return server.isRunning();
  }

  /** Stops taking requests, then closes resources in the reverse of the order they were opened. */
  @Override
  public void close() {
    server.stop();
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, name + ": closing " + resources.get(i) + " failed", e);
      }
    }
  }
}
