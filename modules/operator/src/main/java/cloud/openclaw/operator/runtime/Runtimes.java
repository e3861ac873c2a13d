package cloud.openclaw.operator.runtime;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.jobs.JobFailedException;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The runtimes this operator has enabled, by the value of boxes.runtime they serve. */
public final class Runtimes {
  private final Map<BoxRuntime, GatewayRuntime> byKind = new EnumMap<>(BoxRuntime.class);

  private Runtimes(List<GatewayRuntime> runtimes) {
    for (GatewayRuntime runtime : runtimes) {
      if (byKind.put(runtime.kind(), runtime) != null) {
        throw new IllegalArgumentException("two runtimes for " + runtime.kind().dbValue());
      }
    }
  }

  public static Runtimes of(GatewayRuntime... runtimes) {
    return new Runtimes(List.of(runtimes));
  }

  public static Runtimes of(List<GatewayRuntime> runtimes) {
    return new Runtimes(runtimes);
  }

  /**
   * The runtime of the box's boxes.runtime.
   *
   * @throws JobFailedException when this operator does not run that runtime (retrying cannot help)
   */
  public GatewayRuntime forBox(Box box) {
    GatewayRuntime runtime = byKind.get(box.runtime());
    if (runtime == null) {
      throw new JobFailedException(
          "the box runs on '"
              + box.runtime().dbValue()
              + "', which this operator does not run (operator."
              + box.runtime().dbValue()
              + ".enabled)");
    }
    return runtime;
  }

  public Collection<GatewayRuntime> all() {
    return byKind.values();
  }

  public boolean isEmpty() {
    return byKind.isEmpty();
  }
}
