package cloud.openclaw.platform.http;

import java.util.ArrayList;
import java.util.List;

/**
 * What a service opens while it starts (pools, clients, workers), in order: handed to {@link
 * HttpHost#start} to be closed at stop, or closed at once, in reverse, when the start fails.
 */
public final class Opened {
  private final List<AutoCloseable> resources = new ArrayList<>();

  /** Keeps {@code resource} for closing, and returns it. */
  public <T extends AutoCloseable> T add(T resource) {
    resources.add(resource);
    return resource;
  }

  public List<AutoCloseable> all() {
    return List.copyOf(resources);
  }

  /** Closes everything in reverse and returns {@code failure} (with what closing threw). */
  public RuntimeException closeAfter(RuntimeException failure) {
    for (AutoCloseable resource : resources.reversed()) {
      try {
        resource.close();
      } catch (Exception suppressed) {
        failure.addSuppressed(suppressed);
      }
    }
    return failure;
  }
}
