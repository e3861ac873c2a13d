package cloud.openclaw.bench;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.testkit.PostgresServer;
import cloud.openclaw.testkit.RedisServer;
import cloud.openclaw.testkit.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token proxy against the sandbox's Kimi stand-in on loopback: the same 60 KB OpenClaw-like
 * request sent directly and through the proxy, side by side, at fixed offered loads, streamed and
 * not; then the highest throughput of each. Load comes from {@code hey} (a separate process).
 *
 * <p>Run: {@code ./openclaw-cloud bench proxy [seconds per step]}.
 */
public final class ProxyBenchmark {
  private static final int[] RATES = {200, 500, 1000};
  // hey paces each worker and starts them together, so the offered load arrives in bursts of one
  // request per worker: few fast workers (100 req/s each) keep the bursts small.
  private static final int PER_WORKER = 100;
  private static final String KIMI_KEY = "sk-sandbox-kimi";

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    TestDatabase testDatabase = PostgresServer.shared().createDatabase("proxy_bench");
    RunningService sandbox = null;
    RunningService proxy = null;
    try (Database database =
        Database.connect(
            new DatabaseSettings(
                testDatabase.jdbcUrl(), testDatabase.user(), testDatabase.password(), 8))) {
      Migrations.apply(database.dataSource());
      sandbox =
          cloud.openclaw.sandbox.Main.start(
              ConfigLoader.load(
                  "sandbox", Map.of(), Map.of("sandbox.host", "127.0.0.1", "sandbox.port", "0")));
      int internalPort = freePort();
      proxy =
          cloud.openclaw.proxy.Main.start(
              ConfigLoader.load(
                  "token-proxy", Map.of(), proxyOverrides(testDatabase, sandbox, internalPort)));
      String token = agent(database, internalPort);

      Path plain = Files.createTempFile("bench-body", ".json");
      Path streamed = Files.createTempFile("bench-body-stream", ".json");
      Files.writeString(plain, openClawLikeBody(false));
      Files.writeString(streamed, openClawLikeBody(true));
      String direct = "http://127.0.0.1:" + sandbox.port() + "/kimi/v1/chat/completions";
      String viaProxy = "http://127.0.0.1:" + proxy.port() + "/v1/chat/completions";

      System.out.printf(
          "Body %d bytes (non-stream) / %d bytes (stream); %d s per step; %d cores; Java %s%n%n",
          Files.size(plain),
          Files.size(streamed),
          seconds,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      // Warm-up: JIT, connection pools, the proxy's caches.
      hey(direct, KIMI_KEY, plain, 16, 0, 5);
      hey(viaProxy, token, plain, 16, 0, 5);
      hey(viaProxy, token, streamed, 16, 0, 3);

      System.out.println(
          "| mode | offered req/s | direct req/s | proxy req/s | direct p50 ms | proxy p50 ms |"
              + " added p50 ms | direct p99 ms | proxy p99 ms | added p99 ms |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
      for (boolean stream : new boolean[] {false, true}) {
        Path body = stream ? streamed : plain;
        // One request at a time: the proxy's cost with the machine otherwise idle.
        Result d1 = hey(direct, KIMI_KEY, body, 1, 0, seconds);
        Result p1 = hey(viaProxy, token, body, 1, 0, seconds);
        row(stream, "1 at a time", d1, p1);
        for (int rate : RATES) {
          Result d = hey(direct, KIMI_KEY, body, rate / PER_WORKER, PER_WORKER, seconds);
          Result p = hey(viaProxy, token, body, rate / PER_WORKER, PER_WORKER, seconds);
          row(stream, Integer.toString(rate), d, p);
        }
      }
      System.out.println();
      System.out.println("| mode | direct max req/s | proxy max req/s | proxy / direct |");
      System.out.println("|---|---|---|---|");
      for (boolean stream : new boolean[] {false, true}) {
        Path body = stream ? streamed : plain;
        Result d = hey(direct, KIMI_KEY, body, 32, 0, seconds);
        Result p = hey(viaProxy, token, body, 32, 0, seconds);
        System.out.printf(
            Locale.ROOT,
            "| %s | %.0f | %.0f | %.0f%% |%n",
            stream ? "stream" : "whole",
            d.rps,
            p.rps,
            100 * p.rps / d.rps);
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      if (sandbox != null) {
        sandbox.close();
      }
      testDatabase.drop();
    }
    System.exit(0);
  }

  private static void row(boolean stream, String offered, Result d, Result p) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
        stream ? "stream" : "whole",
        offered,
        d.rps,
        p.rps,
        d.p50,
        p.p50,
        p.p50 - d.p50,
        d.p99,
        p.p99,
        p.p99 - d.p99);
  }

  static Map<String, String> proxyOverrides(
      TestDatabase database, RunningService sandbox, int internalPort) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("db.url", database.jdbcUrl());
    overrides.put("db.user", database.user());
    overrides.put("db.password", database.password());
    overrides.put("redis.url", RedisServer.shared().url());
    overrides.put("redis.prefix", "bench:" + UUID.randomUUID() + ":");
    overrides.put("proxy.host", "127.0.0.1");
    overrides.put("proxy.port", "0");
    overrides.put("proxy.internal.host", "127.0.0.1");
    overrides.put("proxy.internal.port", Integer.toString(internalPort));
    overrides.put("proxy.internal.token", "bench-internal-token-0123456789");
    overrides.put("proxy.upstream.base-url", "http://127.0.0.1:" + sandbox.port() + "/kimi/v1");
    overrides.put("proxy.upstream.api-key", KIMI_KEY);
    // A plan without a practical rate or allowance limit: the benchmark measures the path, not
    // 429s.
    overrides.put("plans.bench.stripe-price", "price_bench");
    overrides.put("plans.bench.monthly-tokens", "1000000000000");
    overrides.put("plans.bench.requests-per-second", "10000");
    overrides.put("plans.bench.models", "kimi-k2.6");
    overrides.put("plans.bench.thinking-levels", "off");
    return overrides;
  }

  private static String agent(Database database, int internalPort) {
    CustomerStore customers = new CustomerStore(database);
    UUID customer =
        customers
            .create(database.execute(), new NewCustomer("bench@example.com", null, null, "bench"))
            .id();
    customers.setStatus(database.execute(), customer, CustomerStatus.ACTIVE);
    SecretBox secrets = new SecretBox(new CryptoSettings("bench", Map.of("bench", new byte[32])));
    UUID box =
        new BoxStore(database, secrets)
            .create(
                database.execute(),
                new NewBox(
                    customer,
                    1,
                    "bench_bot",
                    "1:bench",
                    List.of(1L),
                    "kimi-k2.6",
                    ThinkingLevel.OFF,
                    BoxRuntime.LOCAL))
            .id();
    TokenProxyClient client =
        new TokenProxyClient(
            URI.create("http://127.0.0.1:" + internalPort), "bench-internal-token-0123456789");
    Instant start = Instant.now().minus(Duration.ofDays(1));
    client.openPeriod(customer, start, start.plus(Duration.ofDays(30)), 1_000_000_000_000L);
    return client.issueToken(box).token();
  }

  /** About what OpenClaw sends: a 48,000-character system prompt, tools, a short user message. */
  static String openClawLikeBody(boolean stream) {
    Map<String, Object> body = new HashMap<>();
    body.put("model", "kimi-k2.6");
    body.put("max_completion_tokens", 4096);
    body.put("stream", stream);
    if (stream) {
      body.put("stream_options", Map.of("include_usage", true));
    }
    String prompt = "You are a helpful agent on Telegram. Follow the workspace rules. ".repeat(740);
    List<Map<String, Object>> tools = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      tools.add(
          Map.of(
              "type",
              "function",
              "function",
              Map.of(
                  "name",
                  "tool_" + i,
                  "description",
                  "A tool the agent may call. ".repeat(20),
                  "parameters",
                  Map.of(
                      "type",
                      "object",
                      "properties",
                      Map.of("arg", Map.of("type", "string", "description", "an argument"))))));
    }
    body.put("tools", tools);
    body.put("tool_choice", "auto");
    body.put(
        "messages",
        List.of(
            Map.of("role", "system", "content", prompt),
            Map.of("role", "user", "content", "what is on my calendar today?")));
    return Json.write(body);
  }

  private record Result(double rps, double p50, double p99) {}

  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = Pattern.compile("50%+ in ([0-9.]+) secs");
  private static final Pattern P99 = Pattern.compile("99%+ in ([0-9.]+) secs");
  private static final Pattern STATUS = Pattern.compile("\\[(\\d{3})]\\s+(\\d+) responses");

  private static Result hey(
      String url, String bearer, Path body, int workers, int perWorker, int seconds)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "hey",
                "-z",
                seconds + "s",
                "-c",
                Integer.toString(workers),
                "-m",
                "POST",
                "-T",
                "application/json",
                "-H",
                "Authorization: Bearer " + bearer,
                "-D",
                body.toString()));
    if (perWorker > 0) {
      command.addAll(List.of("-q", Integer.toString(perWorker)));
    }
    command.add(url);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IllegalStateException("hey failed:\n" + output);
    }
    Matcher status = STATUS.matcher(output);
    while (status.find()) {
      if (!status.group(1).equals("200")) {
        throw new IllegalStateException(
            status.group(2)
                + " responses with status "
                + status.group(1)
                + " from "
                + url
                + "\n"
                + output);
      }
    }
    return new Result(number(RPS, output), number(P50, output) * 1000, number(P99, output) * 1000);
  }

  private static double number(Pattern pattern, String output) {
    Matcher matcher = pattern.matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException("no " + pattern + " in hey's output:\n" + output);
    }
    return Double.parseDouble(matcher.group(1));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
