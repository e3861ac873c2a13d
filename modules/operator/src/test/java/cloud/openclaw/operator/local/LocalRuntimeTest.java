package cloud.openclaw.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.gateway.GatewayModel;
import cloud.openclaw.operator.gateway.WorkspaceFiles;
import cloud.openclaw.platform.domain.ThinkingLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's process handling, with a shell script standing in for the gateway. */
class LocalRuntimeTest {
  @TempDir Path tmp;
  LocalRuntime runtime;

  @BeforeEach
  void setUp() throws IOException {
    FakeNpm npm = new FakeNpm(tmp.resolve("npm"));
    runtime = new LocalRuntime(tmp.resolve("data"), npm.install(tmp.resolve("cache")));
  }

  @AfterEach
  void tearDown() {
    runtime.close();
  }

  static LocalBox spec(UUID boxId, String proxyToken) {
    return new LocalBox(
        boxId,
        "7000000001:secret",
        List.of(4242L),
        GatewayModel.kimi("kimi-k2.6"),
        ThinkingLevel.OFF,
        "http://127.0.0.1:9/v1",
        proxyToken,
        Optional.of("http://127.0.0.1:9/telegram"),
        Optional.empty(),
        Optional.empty());
  }

  @Test
  void startWritesTheBoxDirAndIsANoOpUntilTheConfigChanges() throws Exception {
    UUID id = UUID.randomUUID();
    runtime.start(spec(id, "token-1"));
    assertThat(runtime.isRunning(id)).isTrue();
    long pid = runtime.pid(id).orElseThrow();
    int port = runtime.port(id).orElseThrow();

    Path dir = runtime.boxDir(id);
    for (String sub : List.of("state", "home", "tmp", "workspace")) {
      assertThat(dir.resolve(sub)).isDirectory();
    }
    for (String secret : List.of("bot-token", "openclaw.json")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(secret))))
          .isEqualTo("rw-------");
    }
    assertThat(Files.readString(dir.resolve("bot-token"))).isEqualTo("7000000001:secret");
    String config = Files.readString(dir.resolve("openclaw.json"));
    assertThat(config)
        .contains("\"bind\" : \"loopback\"")
        .contains("\"port\" : " + port)
        .contains(dir.resolve("bot-token").toString())
        .contains("http://127.0.0.1:9/telegram");

    runtime.start(spec(id, "token-1"));
    assertThat(runtime.pid(id)).hasValue(pid);

    runtime.start(spec(id, "token-2"));
    assertThat(runtime.pid(id).orElseThrow()).isNotEqualTo(pid);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(runtime.port(id)).hasValue(port);
    assertThat(Files.readString(dir.resolve("openclaw.json"))).contains("token-2");
    await().atMost(Duration.ofSeconds(5)).until(() -> launches(id).size() == 2);
  }

  static LocalBox spec(UUID boxId, String proxyToken, String userSection) {
    LocalBox base = spec(boxId, proxyToken);
    return new LocalBox(
        boxId,
        base.botToken(),
        base.allowedTelegramUserIds(),
        base.model(),
        base.thinkingLevel(),
        base.tokenProxyBaseUrl(),
        base.proxyToken(),
        base.telegramApiRoot(),
        base.gatewayToken(),
        Optional.ofNullable(userSection));
  }

  @Test
  void theUseCaseIsInTheWorkspaceBeforeTheGatewayStartsAndChangesWithoutARestart()
      throws Exception {
    UUID id = UUID.randomUUID();
    String tutor = WorkspaceFiles.START + "\nA tutor\n" + WorkspaceFiles.END + "\n";
    runtime.start(spec(id, "t", tutor));
    long pid = runtime.pid(id).orElseThrow();
    Path user = runtime.boxDir(id).resolve("workspace/USER.md");
    assertThat(Files.readString(user)).endsWith(tutor);

    // The agent adds to its user model; the platform's section changes; the agent's line stays.
    Files.writeString(user, Files.readString(user) + "\n- Prefer French.\n");
    String coach = WorkspaceFiles.START + "\nA chess coach\n" + WorkspaceFiles.END + "\n";
    runtime.start(spec(id, "t", coach));

    assertThat(Files.readString(user))
        .contains("A chess coach")
        .doesNotContain("A tutor")
        .endsWith("- Prefer French.\n");
    assertThat(runtime.pid(id)).hasValue(pid);

    // A suspended box's workspace follows too.
    runtime.stop(id);
    runtime.prepare(spec(id, "t", null));
    assertThat(Files.readString(user))
        .doesNotContain(WorkspaceFiles.START)
        .endsWith("- Prefer French.\n");
  }

  @Test
  void aGatewayThatDiesIsRestartedButNotAfterStop() throws Exception {
    UUID id = UUID.randomUUID();
    runtime.start(spec(id, "t"));
    long pid = runtime.pid(id).orElseThrow();
    await().atMost(Duration.ofSeconds(5)).until(() -> launches(id).size() == 1);

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> runtime.pid(id).isPresent() && runtime.pid(id).getAsLong() != pid);
    await().atMost(Duration.ofSeconds(5)).until(() -> launches(id).size() == 2);

    runtime.stop(id);
    runtime.stop(id);
    // Past the restart backoff (1 s): a stopped gateway stays stopped.
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !runtime.isRunning(id) && launches(id).size() == 2);
    assertThat(runtime.boxDir(id)).isDirectory();

    // Resume after a suspend.
    runtime.start(spec(id, "t"));
    assertThat(runtime.isRunning(id)).isTrue();
  }

  @Test
  void aCrashingGatewayIsRestartedWithBackoffUntilDestroyed() throws Exception {
    UUID id = UUID.randomUUID();
    Files.createDirectories(runtime.boxDir(id));
    Files.writeString(runtime.boxDir(id).resolve("crash"), "");
    runtime.start(spec(id, "t"));

    // Launched at 0 s, then after 1 s and 2 s more.
    await().atMost(Duration.ofSeconds(10)).until(() -> launches(id).size() >= 3);
    assertThat(launches(id)).hasSizeLessThanOrEqualTo(4);

    runtime.destroy(id);
    runtime.destroy(id);
    assertThat(runtime.isRunning(id)).isFalse();
    // Past the next restart's backoff (4 s): nothing comes back.
    await()
        .during(Duration.ofMillis(4500))
        .atMost(Duration.ofSeconds(6))
        .until(() -> !Files.exists(runtime.boxDir(id)) && !runtime.isRunning(id));
  }

  @Test
  void destroyRemovesEverythingAndUnknownBoxesAreFine() {
    UUID id = UUID.randomUUID();
    runtime.start(spec(id, "t"));
    long pid = runtime.pid(id).orElseThrow();
    runtime.destroy(id);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(runtime.boxDir(id)).doesNotExist();
    assertThat(runtime.port(id)).isEmpty();

    UUID unknown = UUID.randomUUID();
    runtime.stop(unknown);
    runtime.destroy(unknown);
    assertThat(runtime.isRunning(unknown)).isFalse();
  }

  @Test
  void awaitStartedIsFalseForAGatewayThatDoesNotServe() {
    UUID id = UUID.randomUUID();
    runtime.start(spec(id, "t"));
    assertThat(runtime.awaitStarted(id, Duration.ofMillis(1200))).isFalse();
    assertThat(runtime.awaitStarted(UUID.randomUUID(), Duration.ofSeconds(1))).isFalse();
  }

  @Test
  void closeStopsEveryBox() {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    runtime.start(spec(a, "t"));
    runtime.start(spec(b, "t"));
    runtime.close();
    assertThat(runtime.isRunning(a)).isFalse();
    assertThat(runtime.isRunning(b)).isFalse();
  }

  @Test
  void portsComeFromTheRangeSkipTakenOnesAndStayWithTheBox() throws Exception {
    int base = 0;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      base = probe.getLocalPort() < 60000 ? probe.getLocalPort() : 40000;
    }
    FakeNpm npm = new FakeNpm(tmp.resolve("npm2"));
    PortRange range = new PortRange(base, base + 2);
    LocalRuntime ranged =
        new LocalRuntime(tmp.resolve("ranged"), npm.install(tmp.resolve("c2")), range);
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(base, 1, java.net.InetAddress.getLoopbackAddress())) {
      UUID a = UUID.randomUUID();
      UUID b = UUID.randomUUID();
      ranged.start(spec(a, "t"));
      ranged.prepare(spec(b, "t")); // suspended: it keeps its port though nothing listens on it
      assertThat(ranged.port(a)).hasValue(base + 1);
      assertThat(ranged.port(b)).hasValue(base + 2);
      assertThat(ranged.isRunning(b)).isFalse();
      UUID c = UUID.randomUUID();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ranged.start(spec(c, "t")))
          .hasMessageContaining("operator.local.port-range");
      ranged.abandon();
      // Another runtime on the same data dir finds the ports (and the running gateway) again.
      LocalRuntime again =
          new LocalRuntime(tmp.resolve("ranged"), npm.install(tmp.resolve("c2")), range);
      try {
        assertThat(again.adopt()).containsExactly(a);
        assertThat(again.port(a)).hasValue(base + 1);
        assertThat(again.resume(b)).isTrue();
        assertThat(again.port(b)).hasValue(base + 2);
        assertThat(again.isRunning(b)).isTrue();
      } finally {
        again.close();
      }
    }
  }

  @Test
  void portRangesParse() {
    assertThat(PortRange.parse("18800-18999")).isEqualTo(new PortRange(18800, 18999));
    assertThat(PortRange.parse("0").isAny()).isTrue();
    for (String bad : List.of("18800", "2-1", "80-90", "a-b", "18800-70000")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> PortRange.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void backoffDoublesUpToAMinute() {
    assertThat(LocalRuntime.backoff(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(LocalRuntime.backoff(1)).isEqualTo(Duration.ofSeconds(2));
    assertThat(LocalRuntime.backoff(5)).isEqualTo(Duration.ofSeconds(32));
    assertThat(LocalRuntime.backoff(6)).isEqualTo(Duration.ofSeconds(60));
    assertThat(LocalRuntime.backoff(100)).isEqualTo(Duration.ofSeconds(60));
  }

  private List<String> launches(UUID id) throws IOException {
    Path file = runtime.boxDir(id).resolve("launches");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
