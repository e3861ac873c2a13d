package cloud.openclaw.operator.local;

import cloud.openclaw.operator.gateway.GatewayConfig;
import cloud.openclaw.operator.gateway.GatewayInputs;
import cloud.openclaw.operator.gateway.WorkspaceFiles;
import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs boxes as child processes on this machine: the real OpenClaw gateway (installed by {@link
 * OpenClawInstall}), one process per box, listening on 127.0.0.1.
 *
 * <p>Each box has a directory {@code <dataDir>/boxes/<boxId>/} with {@code state/} (the gateway's
 * OPENCLAW_STATE_DIR), {@code home/} (HOME), {@code tmp/} (TMPDIR), {@code workspace/}, {@code
 * openclaw.json}, {@code bot-token}, {@code proxy-token} and {@code gateway-token} (mode 600),
 * {@code port}, {@code gateway.pid} while a gateway runs, and {@code gateway.log} (the process's
 * stdout and stderr). A box keeps its port and gateway token for its life.
 *
 * <p>Gateways outlive an operator that dies without stopping them (a crash, kill -9): the next
 * runtime on the same data dir adopts a live gateway it finds through {@code gateway.pid} (checked
 * to be the process that runs in the box's directory, not a reused pid) the first time it touches
 * the box, or at once with {@link #adopt}, and supervises it from then on.
 *
 * <p>A supervisor restarts a gateway that died on its own, with exponential backoff (1 s doubling
 * to 60 s, reset once a process has lived 5 minutes); never after {@link #stop} or {@link
 * #destroy}. {@link #start} on a running box is a no-op unless the config changed, then it restarts
 * the gateway. {@link #stop} (suspend) keeps the directory, {@link #destroy} removes it; both may
 * be called any number of times. {@link #close} stops every box (so does JVM shutdown).
 */
public final class LocalRuntime implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LocalRuntime.class.getName());
  private static final Duration TERM_GRACE = Duration.ofSeconds(10);
  private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
  private static final Duration HEALTHY_RUN = Duration.ofMinutes(5);
  static final String CONFIG_FILE = "openclaw.json";
  static final String BOT_TOKEN_FILE = "bot-token";
  static final String PROXY_TOKEN_FILE = "proxy-token";
  static final String GATEWAY_TOKEN_FILE = "gateway-token";
  static final String PORT_FILE = "port";
  static final String PID_FILE = "gateway.pid";
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  private final Path dataDir;
  private final OpenClawInstall install;
  private final PortRange ports;
  private final Map<UUID, Entry> entries = new ConcurrentHashMap<>();
  private final Set<Integer> handedOut = new java.util.HashSet<>();
  private final SecureRandom random = new SecureRandom();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Thread shutdownHook;
  private volatile boolean closed;

  /**
   * @param dataDir where box directories live ({@code <dataDir>/boxes/<boxId>})
   * @param install Node and OpenClaw, installed on first {@link #start}
   */
  public LocalRuntime(Path dataDir, OpenClawInstall install) {
    this(dataDir, install, PortRange.ANY);
  }

  /**
   * @param ports where the gateways' ports come from (operator.local.port-range)
   */
  public LocalRuntime(Path dataDir, OpenClawInstall install, PortRange ports) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
    this.install = Objects.requireNonNull(install, "install");
    this.ports = Objects.requireNonNull(ports, "ports");
    this.shutdownHook = new Thread(this::stopAll, "local-runtime-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The box's directory (it may not exist). */
  public Path boxDir(UUID boxId) {
    return dataDir.resolve("boxes").resolve(boxId.toString());
  }

  /** Where box directories live. */
  public Path dataDir() {
    return dataDir;
  }

  /** The box's OpenClaw workspace (it may not exist). */
  public Path workspaceDir(UUID boxId) {
    return boxDir(boxId).resolve("workspace");
  }

  /** The file the gateway's stdout and stderr go to. */
  public Path logFile(UUID boxId) {
    return boxDir(boxId).resolve("gateway.log");
  }

  /**
   * Starts the box's gateway, installing Node and OpenClaw first if needed (minutes, once). Returns
   * once the process is launched; {@link #awaitStarted} waits for it to serve. A no-op when the box
   * runs with the same config; a restart when the config changed.
   *
   * @return true when a gateway was launched, false when the running one was kept
   */
  public boolean start(LocalBox spec) {
    Objects.requireNonNull(spec, "spec");
    requireOpen();
    OpenClawInstall.Installed installed = install.ensureInstalled();
    Entry entry = entry(spec.boxId());
    synchronized (entry) {
      String config = renderConfig(entry, spec);
      String hash = configHash(config, spec.botToken());
      // OpenClaw reads USER.md at every session: a new use case needs no restart.
      writeWorkspace(entry, spec);
      if (entry.wanted && entry.isAlive() && hash.equals(entry.configHash)) {
        LOG.fine(() -> "box " + spec.boxId() + " already runs with this config");
        return false;
      }
      if (entry.isAlive()) {
        LOG.info(() -> "box " + spec.boxId() + ": config changed, restarting its gateway");
      }
      halt(entry);
      write(entry, spec, config, hash);
      entry.installed = installed;
      launchWanted(entry);
      return true;
    }
  }

  /**
   * Writes the box's directory for this spec without running its gateway (a suspended box); stops a
   * gateway that runs with another config.
   */
  public void prepare(LocalBox spec) {
    Objects.requireNonNull(spec, "spec");
    requireOpen();
    Entry entry = entry(spec.boxId());
    synchronized (entry) {
      String config = renderConfig(entry, spec);
      String hash = configHash(config, spec.botToken());
      if (entry.isAlive() && !hash.equals(entry.configHash)) {
        halt(entry);
      }
      write(entry, spec, config, hash);
      writeWorkspace(entry, spec);
    }
  }

  /**
   * Starts the box's gateway again from what its directory holds (reactivate), installing first if
   * needed; a no-op when it runs.
   *
   * @return false when the box has no config written (nothing to start)
   */
  public boolean resume(UUID boxId) {
    requireOpen();
    if (!Files.isRegularFile(boxDir(boxId).resolve(CONFIG_FILE))) {
      return false;
    }
    OpenClawInstall.Installed installed = install.ensureInstalled();
    Entry entry = entry(boxId);
    synchronized (entry) {
      if (entry.wanted && entry.isAlive()) {
        return true;
      }
      halt(entry);
      entry.configHash = hashOnDisk(boxId);
      entry.installed = installed;
      launchWanted(entry);
      return true;
    }
  }

  /**
   * Restarts the box's gateway (it reads its config again); starts it when it is meant to run but
   * does not.
   *
   * @return false when the box is not meant to run or has nothing written
   */
  public boolean restart(UUID boxId) {
    requireOpen();
    Entry entry = entries.get(boxId);
    if (entry == null || !Files.isRegularFile(boxDir(boxId).resolve(CONFIG_FILE))) {
      return false;
    }
    synchronized (entry) {
      if (!entry.wanted) {
        return false;
      }
      halt(entry);
      if (entry.installed == null) {
        entry.installed = install.ensureInstalled();
      }
      entry.configHash = hashOnDisk(boxId);
      launchWanted(entry);
      return true;
    }
  }

  /** Whether the box's gateway process is alive and answers /startupz now (no waiting). */
  public boolean isStarted(UUID boxId) {
    Entry entry = entries.get(boxId);
    return entry != null && entry.wanted && entry.isAlive() && startupOk(entry.port);
  }

  /**
   * The secrets written for the box ({@code bot-token}, {@code proxy-token}, {@code
   * gateway-token}), by file name; empty when none.
   */
  public Map<String, String> storedSecrets(UUID boxId) {
    Map<String, String> secrets = new java.util.HashMap<>();
    for (String name : List.of(BOT_TOKEN_FILE, PROXY_TOKEN_FILE, GATEWAY_TOKEN_FILE)) {
      readIfPresent(boxDir(boxId).resolve(name)).ifPresent(value -> secrets.put(name, value));
    }
    return secrets;
  }

  /** The boxes that have a directory here. */
  public List<UUID> boxIds() {
    Path boxes = dataDir.resolve("boxes");
    if (!Files.isDirectory(boxes)) {
      return List.of();
    }
    try (java.util.stream.Stream<Path> list = Files.list(boxes)) {
      return list.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .flatMap(name -> parseUuid(name).stream())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + boxes, e);
    }
  }

  /**
   * Takes over the live gateways an earlier operator left running in this data dir (see the class
   * comment): from now on they are supervised, stopped and restarted like the ones started here.
   *
   * @return the boxes whose gateway was adopted by this call
   */
  public List<UUID> adopt() {
    List<UUID> adopted = new ArrayList<>();
    if (closed) {
      return adopted;
    }
    for (UUID id : boxIds()) {
      boolean[] fresh = new boolean[1];
      Entry entry =
          entries.computeIfAbsent(
              id,
              key -> {
                fresh[0] = true;
                return load(key);
              });
      if (fresh[0] && entry.isAlive()) {
        adopted.add(id);
      }
    }
    return adopted;
  }

  /**
   * Waits until the box's gateway answers {@code /startupz} with 200 and a JSON body (the Control
   * UI answers unknown paths with 200 and HTML). False on timeout, or when the box is not meant to
   * run.
   */
  public boolean awaitStarted(UUID boxId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Entry entry = entries.get(boxId);
      if (entry == null || !entry.wanted) {
        return false;
      }
      if (entry.isAlive() && startupOk(entry.port)) {
        return true;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private boolean startupOk(int port) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/startupz"))
                  .timeout(Duration.ofSeconds(3))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return false;
      }
      JsonNode body = Json.MAPPER.readTree(response.body());
      return body != null && body.isObject();
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the box's gateway process is alive. */
  public boolean isRunning(UUID boxId) {
    Entry entry = entries.get(boxId);
    return entry != null && entry.isAlive();
  }

  /** The box's gateway port, once {@link #start} has run for it. */
  public OptionalInt port(UUID boxId) {
    Entry entry = entries.get(boxId);
    return entry == null ? OptionalInt.empty() : OptionalInt.of(entry.port);
  }

  /** The OS process id of the box's gateway, while it runs. */
  public java.util.OptionalLong pid(UUID boxId) {
    Entry entry = entries.get(boxId);
    if (entry == null) {
      return java.util.OptionalLong.empty();
    }
    synchronized (entry) {
      return entry.isAlive()
          ? java.util.OptionalLong.of(entry.process.pid())
          : java.util.OptionalLong.empty();
    }
  }

  /**
   * Stops the box's gateway (suspend): SIGTERM, then a kill after 10 s. Keeps its directory.
   *
   * @return whether the box has a directory (was ever prepared or started)
   */
  public boolean stop(UUID boxId) {
    boolean exists = Files.isDirectory(boxDir(boxId));
    Entry entry = exists ? entry(boxId) : entries.get(boxId);
    if (entry == null) {
      return exists;
    }
    synchronized (entry) {
      entry.wanted = false;
      halt(entry);
    }
    return exists;
  }

  /** Stops the entry's process without touching wanted; the caller holds the entry's lock. */
  private void halt(Entry entry) {
    entry.generation++;
    terminate(entry.process);
    entry.process = null;
    try {
      Files.deleteIfExists(boxDir(entry.boxId).resolve(PID_FILE));
    } catch (IOException e) {
      LOG.log(Level.FINE, "cannot delete the pid file of box " + entry.boxId, e);
    }
  }

  /**
   * Stops the box's gateway and deletes its directory and the lock files the gateway left in {@code
   * /tmp/openclaw-state-locks-<uid>/}: nothing of the box is left.
   */
  public void destroy(UUID boxId) {
    stop(boxId);
    try {
      for (Path lock : lockFiles(boxId)) {
        Files.deleteIfExists(lock);
      }
      OpenClawInstall.deleteTree(boxDir(boxId));
      Entry gone = entries.remove(boxId);
      if (gone != null) {
        synchronized (handedOut) {
          handedOut.remove(gone.port);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + boxDir(boxId), e);
    }
    LOG.info(() -> "box " + boxId + " destroyed");
  }

  /**
   * The lock files of the box's gateway outside its directory. OpenClaw keeps them in {@code
   * /tmp/openclaw-state-locks-<uid>/} whatever TMPDIR says, named {@code <family>.<sha256(database
   * path), 8 hex>.lock.sqlite} for each database under its state dir.
   */
  List<Path> lockFiles(UUID boxId) throws IOException {
    Path dir = boxDir(boxId);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    Object uid = Files.getAttribute(dir, "unix:uid");
    Path locks = Path.of("/tmp", "openclaw-state-locks-" + uid);
    if (!Files.isDirectory(locks)) {
      return List.of();
    }
    Set<String> hashes = new java.util.HashSet<>();
    Path real = dir.toRealPath();
    try (java.util.stream.Stream<Path> walk = Files.walk(real)) {
      walk.forEach(p -> hashes.add(Sha256.hex(p.toString()).substring(0, 8)));
    }
    try (java.util.stream.Stream<Path> list = Files.list(locks)) {
      return list.filter(
              p -> {
                String[] parts = p.getFileName().toString().split("\\.");
                return parts.length == 4
                    && parts[2].equals("lock")
                    && parts[3].equals("sqlite")
                    && hashes.contains(parts[1]);
              })
          .toList();
    }
  }

  /** Stops every box; keeps their directories. */
  @Override
  public void close() {
    closed = true;
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is shutting down: the hook runs anyway.
    }
  }

  /**
   * Forgets every box without stopping its gateway, as a crashed operator would: for tests of
   * {@link #adopt}.
   */
  void abandon() {
    closed = true;
    for (Entry entry : entries.values()) {
      synchronized (entry) {
        entry.generation++;
      }
    }
    entries.clear();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // shutting down
    }
  }

  /** Stops every gateway at once: each takes about a second to end after SIGTERM. */
  private void stopAll() {
    try (var stopping = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (UUID id : List.copyOf(entries.keySet())) {
        stopping.submit(
            () -> {
              try {
                stop(id);
              } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot stop box " + id, e);
              }
            });
      }
    }
  }

  // --- the box's directory and config ---------------------------------------------------------

  private String renderConfig(Entry entry, LocalBox spec) {
    spec.gatewayToken().ifPresent(token -> entry.gatewayToken = token);
    Path dir = boxDir(entry.boxId);
    return GatewayConfig.renderJson(
        new GatewayInputs(
            entry.port,
            GatewayInputs.Bind.LOOPBACK,
            entry.gatewayToken,
            dir.resolve("state").toString(),
            dir.resolve("workspace").toString(),
            dir.resolve("state/logs/openclaw.log").toString(),
            spec.tokenProxyBaseUrl(),
            spec.proxyToken(),
            GatewayConfig.DEFAULT_PROVIDER_ID,
            spec.model(),
            spec.thinkingLevel(),
            dir.resolve(BOT_TOKEN_FILE).toString(),
            spec.telegramApiRoot(),
            spec.allowedTelegramUserIds()));
  }

  /** Writes the box's directory; the caller holds the entry's lock. */
  private void write(Entry entry, LocalBox spec, String config, String hash) {
    Path dir = boxDir(entry.boxId);
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
      for (String sub : List.of("state", "state/logs", "home", "tmp", "workspace")) {
        Files.createDirectories(dir.resolve(sub));
      }
      writeSecret(dir.resolve(BOT_TOKEN_FILE), spec.botToken());
      writeSecret(dir.resolve(PROXY_TOKEN_FILE), spec.proxyToken());
      writeSecret(dir.resolve(GATEWAY_TOKEN_FILE), entry.gatewayToken);
      writeSecret(dir.resolve(PORT_FILE), Integer.toString(entry.port));
      writeSecret(dir.resolve(CONFIG_FILE), config);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
    entry.configHash = hash;
  }

  /**
   * The platform's files in the box's workspace ({@link WorkspaceFiles}), before its gateway reads
   * them.
   */
  private void writeWorkspace(Entry entry, LocalBox spec) {
    Path workspace = boxDir(entry.boxId).resolve("workspace");
    try {
      Files.createDirectories(workspace);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + workspace, e);
    }
    WorkspaceFiles.write(workspace, spec.userSection());
  }

  /** The box's entry, loaded from its directory (adopting a live gateway) on first use. */
  private Entry entry(UUID boxId) {
    return entries.computeIfAbsent(boxId, this::load);
  }

  /**
   * A box's entry from what its directory holds: its port and gateway token, and its gateway when
   * {@code gateway.pid} names a live process running in the directory. A box without a directory
   * gets a free port and a new token.
   */
  private Entry load(UUID boxId) {
    Path dir = boxDir(boxId);
    OptionalInt storedPort =
        readIfPresent(dir.resolve(PORT_FILE)).stream()
            .flatMap(p -> parseInt(p).stream().boxed())
            .mapToInt(Integer::intValue)
            .findFirst();
    String token = readIfPresent(dir.resolve(GATEWAY_TOKEN_FILE)).orElseGet(this::token);
    Entry entry =
        new Entry(boxId, storedPort.isPresent() ? storedPort.getAsInt() : allocatePort(), token);
    Optional<ProcessHandle> live = liveGateway(boxId);
    if (live.isPresent()) {
      ProcessHandle handle = live.get();
      synchronized (entry) {
        entry.process = handle;
        entry.installed = new OpenClawInstall.Installed(install.nodePath(), install.openclawPath());
        entry.configHash = hashOnDisk(boxId);
        entry.wanted = true;
        entry.startedAt = System.nanoTime();
        long generation = entry.generation;
        LOG.info(
            () ->
                "box "
                    + boxId
                    + ": adopted its running gateway, pid "
                    + handle.pid()
                    + ", port "
                    + entry.port);
        Thread.ofVirtual()
            .name("local-box-" + boxId)
            .start(() -> supervise(entry, handle, generation));
      }
    }
    return entry;
  }

  /** The process {@code gateway.pid} names, if it is alive and runs in the box's directory. */
  private Optional<ProcessHandle> liveGateway(UUID boxId) {
    Path dir = boxDir(boxId);
    Optional<Long> pid =
        readIfPresent(dir.resolve(PID_FILE)).flatMap(text -> parseLong(text.strip()));
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
    if (handle.isEmpty()) {
      return Optional.empty();
    }
    try {
      Path cwd = Path.of("/proc", Long.toString(pid.get()), "cwd").toRealPath();
      if (cwd.equals(dir.toRealPath())) {
        return handle;
      }
    } catch (IOException e) {
      // gone meanwhile, or not ours to inspect
    }
    LOG.info(() -> "box " + boxId + ": pid " + pid.get() + " is not its gateway (reused pid)");
    return Optional.empty();
  }

  /**
   * The first port of the range that no box claims and nothing listens on (any free one without a
   * range). Serialized, and remembered, so that boxes set up at the same time never share one.
   */
  private int allocatePort() {
    synchronized (handedOut) {
      Set<Integer> claimed = new java.util.HashSet<>(handedOut);
      entries.values().forEach(e -> claimed.add(e.port));
      for (UUID id : boxIds()) {
        readIfPresent(boxDir(id).resolve(PORT_FILE))
            .flatMap(p -> parseInt(p).stream().boxed().findFirst())
            .ifPresent(claimed::add);
      }
      int port = ports.isAny() ? freePort(claimed) : rangePort(claimed);
      handedOut.add(port);
      return port;
    }
  }

  private int rangePort(Set<Integer> claimed) {
    for (int port = ports.from(); port <= ports.to(); port++) {
      if (!claimed.contains(port) && bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "no free port left in " + ports + " (operator.local.port-range) for another box");
  }

  private static int freePort(Set<Integer> claimed) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = freePort();
      if (!claimed.contains(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port");
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String hashOnDisk(UUID boxId) {
    Path dir = boxDir(boxId);
    return configHash(
        readIfPresent(dir.resolve(CONFIG_FILE)).orElse(""),
        readIfPresent(dir.resolve(BOT_TOKEN_FILE)).orElse(""));
  }

  private static String configHash(String config, String botToken) {
    return Sha256.hex(config + "\n" + botToken);
  }

  private static Optional<String> readIfPresent(Path file) {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static OptionalInt parseInt(String text) {
    try {
      return OptionalInt.of(Integer.parseInt(text.strip()));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  private static Optional<Long> parseLong(String text) {
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<UUID> parseUuid(String text) {
    try {
      return Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the local runtime is closed");
    }
  }

  private static void writeSecret(Path file, String content) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(temp, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
    Files.writeString(temp, content, StandardCharsets.UTF_8);
    Files.move(
        temp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  // --- processes ------------------------------------------------------------------------------

  /**
   * The gateway is meant to run from now on: launched with a fresh count of failures; the caller
   * holds the entry's lock.
   */
  private void launchWanted(Entry entry) {
    entry.wanted = true;
    entry.failures = 0;
    launch(entry);
  }

  /** Launches the gateway; the caller holds the entry's lock. */
  private void launch(Entry entry) {
    Path dir = boxDir(entry.boxId);
    OpenClawInstall.Installed installed = entry.installed;
    Path script;
    try {
      script = installed.openclaw().toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve " + installed.openclaw(), e);
    }
    ProcessBuilder builder =
        new ProcessBuilder(
                installed.node().toString(),
                script.toString(),
                "gateway",
                "run",
                "--port",
                Integer.toString(entry.port))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("gateway.log").toFile()));
    Map<String, String> env = builder.environment();
    env.clear();
    env.put(
        "PATH",
        String.join(
            File.pathSeparator,
            installed.nodeBinDir().toString(),
            "/usr/local/bin",
            "/usr/bin",
            "/bin"));
    env.put("HOME", dir.resolve("home").toString());
    env.put("TMPDIR", dir.resolve("tmp").toString());
    env.put("OPENCLAW_STATE_DIR", dir.resolve("state").toString());
    env.put("OPENCLAW_CONFIG_PATH", dir.resolve(CONFIG_FILE).toString());
    env.put("DO_NOT_TRACK", "1");
    env.put("LANG", "C.UTF-8");
    ProcessHandle process;
    try {
      process = builder.start().toHandle();
      writeSecret(dir.resolve(PID_FILE), Long.toString(process.pid()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the gateway of box " + entry.boxId, e);
    }
    entry.process = process;
    entry.startedAt = System.nanoTime();
    long generation = entry.generation;
    LOG.info(
        () ->
            "box "
                + entry.boxId
                + ": gateway started, pid "
                + process.pid()
                + ", port "
                + entry.port
                + ", log "
                + dir.resolve("gateway.log"));
    Thread.ofVirtual()
        .name("local-box-" + entry.boxId)
        .start(() -> supervise(entry, process, generation));
  }

  private void supervise(Entry entry, ProcessHandle process, long generation) {
    try {
      process.onExit().get();
    } catch (InterruptedException e) {
      return;
    } catch (java.util.concurrent.ExecutionException e) {
      // it is gone either way
    }
    Duration delay;
    synchronized (entry) {
      if (!entry.wanted || entry.generation != generation || closed) {
        return;
      }
      long lived = System.nanoTime() - entry.startedAt;
      if (lived > HEALTHY_RUN.toNanos()) {
        entry.failures = 0;
      }
      delay = backoff(entry.failures);
      entry.failures++;
      LOG.warning(
          "box "
              + entry.boxId
              + ": gateway exited, restarting in "
              + delay.toMillis()
              + " ms (see "
              + logFile(entry.boxId)
              + ")");
    }
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      return;
    }
    synchronized (entry) {
      if (!entry.wanted || entry.generation != generation || closed) {
        return;
      }
      try {
        launch(entry);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "box " + entry.boxId + ": cannot restart its gateway", e);
      }
    }
  }

  /** 1 s, 2 s, 4 s ... up to 60 s. */
  static Duration backoff(int failures) {
    long millis = MIN_BACKOFF.toMillis() << Math.min(failures, 16);
    return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
  }

  /** SIGTERM to the process, a kill after the grace period; its descendants too. */
  private static void terminate(ProcessHandle process) {
    if (process == null) {
      return;
    }
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      process.onExit().get(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warning("gateway pid " + process.pid() + " ignored SIGTERM: killing it");
      process.destroyForcibly();
      try {
        process.onExit().get(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception again) {
        LOG.warning("gateway pid " + process.pid() + " still there after a kill");
      }
    } catch (java.util.concurrent.ExecutionException e) {
      // it is gone
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle child : descendants) {
      if (child.isAlive()) {
        child.destroy();
        try {
          child.onExit().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
          child.destroyForcibly();
        }
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** One box's process and what it was started with; guarded by itself. */
  private static final class Entry {
    final UUID boxId;
    final int port;
    String gatewayToken;
    OpenClawInstall.Installed installed;
    volatile ProcessHandle process;
    String configHash;
    volatile boolean wanted;
    long generation;
    int failures;
    long startedAt;

    Entry(UUID boxId, int port, String gatewayToken) {
      this.boxId = boxId;
      this.port = port;
      this.gatewayToken = gatewayToken;
    }

    boolean isAlive() {
      return process != null && process.isAlive();
    }
  }
}
