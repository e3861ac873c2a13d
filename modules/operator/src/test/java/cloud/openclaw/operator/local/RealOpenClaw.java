package cloud.openclaw.operator.local;

import java.nio.file.Path;

/** The real Node and OpenClaw the E2E tests run, installed once per machine and then reused. */
public final class RealOpenClaw {
  private RealOpenClaw() {}

  /** The pinned versions in {@code OPENCLAW_LOCAL_CACHE_DIR} (default ~/.cache/openclaw-cloud). */
  public static OpenClawInstall install() {
    String cache = System.getenv("OPENCLAW_LOCAL_CACHE_DIR");
    Path cacheDir =
        cache == null || cache.isBlank()
            ? Path.of(System.getProperty("user.home"), ".cache", "openclaw-cloud")
            : Path.of(cache);
    return new OpenClawInstall(cacheDir, "24.21.0", "2026.9.6");
  }
}
