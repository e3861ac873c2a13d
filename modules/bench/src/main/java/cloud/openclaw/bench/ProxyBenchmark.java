package cloud.openclaw.bench;

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
import java.util.Comparator;
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
 * not; then the highest throughput of each, with a forward-only server ({@link ForwardOnly}) as the
 * floor. The stand-in, the proxy and the forward-only server each run in a JVM of their own, as in
 * production, so that each one's CPU per request can be read off {@code /proc}. Load comes from
 * {@code hey} (a separate process).
 *
 * <p>Run: {@code ./openclaw-cloud bench proxy [seconds per step]}.
 */
public final class ProxyBenchmark {
  private static final int[] RATES = {200, 500, 1000};
  // hey paces each worker and starts them together, so the offered load arrives in bursts of one
  // request per worker: few fast workers (100 req/s each) keep the bursts small.
  private static final int PER_WORKER = 100;
  private static final String KIMI_KEY = "sk-sandbox-kimi";
  // The JIT needs a while on a small machine before the numbers settle.
  private static final int WARM_UP_SECONDS = 20;
  private static final int MAX_ROUNDS = 3;

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    TestDatabase testDatabase = PostgresServer.shared().createDatabase("proxy_bench");
    List<Child> children = new ArrayList<>();
    try (Database database =
        Database.connect(
            new DatabaseSettings(
                testDatabase.jdbcUrl(), testDatabase.user(), testDatabase.password(), 8))) {
      Migrations.apply(database.dataSource());
      int sandboxPort = freePort();
      Child sandbox =
          Child.start(
              "stand-in",
              "cloud.openclaw.sandbox.Main",
              Map.of("sandbox.host", "127.0.0.1", "sandbox.port", Integer.toString(sandboxPort)),
              List.of(),
              sandboxPort);
      children.add(sandbox);
      String upstreamBase = "http://127.0.0.1:" + sandboxPort + "/kimi/v1";
      int internalPort = freePort();
      int proxyPort = freePort();
      Child proxy =
          Child.start(
              "token-proxy",
              "cloud.openclaw.proxy.Main",
              proxyOverrides(testDatabase, upstreamBase, proxyPort, internalPort),
              List.of(),
              proxyPort);
      children.add(proxy);
      int forwardPort = freePort();
      Child forward =
          Child.start(
              "forward-only",
              ForwardOnly.class.getName(),
              Map.of(),
              List.of(Integer.toString(forwardPort), upstreamBase, KIMI_KEY),
              forwardPort);
      children.add(forward);
      String token = agent(database, internalPort);

      Path plain = Files.createTempFile("bench-body", ".json");
      Path streamed = Files.createTempFile("bench-body-stream", ".json");
      Files.writeString(plain, openClawLikeBody(false));
      Files.writeString(streamed, openClawLikeBody(true));
      Target direct = new Target(upstreamBase + "/chat/completions", KIMI_KEY);
      Target viaProxy = new Target("http://127.0.0.1:" + proxyPort + "/v1/chat/completions", token);
      Target forwardOnly =
          new Target("http://127.0.0.1:" + forwardPort + "/v1/chat/completions", KIMI_KEY);
      List<CpuMeter> found = new ArrayList<>(List.of(sandbox, proxy, forward));
      RedisProcess.find().ifPresent(found::add);
      PostgresProcesses.find().ifPresent(found::add);
      CpuMeter[] meters = found.toArray(CpuMeter[]::new);

      System.out.printf(
          "Body %d bytes (non-stream) / %d bytes (stream); %d s per step; %d cores; Java %s%n%n",
          Files.size(plain),
          Files.size(streamed),
          seconds,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      for (int second = 0; second < WARM_UP_SECONDS; second += 5) {
        hey(direct, plain, 16, 0, 1);
        for (Target through : List.of(forwardOnly, viaProxy)) {
          hey(through, plain, 16, 0, 1);
          hey(through, streamed, 16, 0, 1);
        }
      }

      System.out.println(
          "| mode | offered req/s | direct req/s | forward-only req/s | proxy req/s | direct p50 ms"
              + " | added p50 ms: forward only | added p50 ms: proxy | direct p99 ms"
              + " | added p99 ms: forward only | added p99 ms: proxy |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
      for (boolean stream : new boolean[] {false, true}) {
        Path body = stream ? streamed : plain;
        // One request at a time: the proxy's cost with the machine otherwise idle.
        row(
            stream,
            "1 at a time",
            hey(direct, body, 1, 0, seconds),
            hey(forwardOnly, body, 1, 0, seconds),
            hey(viaProxy, body, 1, 0, seconds));
        for (int rate : RATES) {
          int workers = rate / PER_WORKER;
          row(
              stream,
              Integer.toString(rate),
              hey(direct, body, workers, PER_WORKER, seconds),
              hey(forwardOnly, body, workers, PER_WORKER, seconds),
              hey(viaProxy, body, workers, PER_WORKER, seconds));
        }
      }
      System.out.println();
      System.out.println(
          "Highest throughput (32 workers, unpaced; the median of "
              + MAX_ROUNDS
              + " interleaved rounds), and the CPU each process spent per request:");
      System.out.println();
      System.out.println(
          "| mode | target | req/s | / direct | stand-in µs/req | proxy µs/req |"
              + " Redis µs/req | PostgreSQL µs/req | whole machine µs/req |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      for (boolean stream : new boolean[] {false, true}) {
        Path body = stream ? streamed : plain;
        // Rounds interleave the targets, so that a slow spell of a shared machine hits all three.
        List<Result> d = new ArrayList<>();
        List<Result> f = new ArrayList<>();
        List<Result> p = new ArrayList<>();
        for (int round = 0; round < MAX_ROUNDS; round++) {
          d.add(hey(direct, body, 32, 0, seconds, meters));
          f.add(hey(forwardOnly, body, 32, 0, seconds, meters));
          p.add(hey(viaProxy, body, 32, 0, seconds, meters));
        }
        maxRow(stream, "direct", median(d), median(d));
        maxRow(stream, "forward only", median(f), median(d));
        maxRow(stream, "token proxy", median(p), median(d));
      }
    } finally {
      for (Child child : children.reversed()) {
        child.close();
      }
      testDatabase.drop();
    }
    System.exit(0);
  }

  private static void row(boolean stream, String offered, Result d, Result f, Result p) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
        stream ? "stream" : "whole",
        offered,
        d.rps,
        f.rps,
        p.rps,
        d.p50,
        f.p50 - d.p50,
        p.p50 - d.p50,
        d.p99,
        f.p99 - d.p99,
        p.p99 - d.p99);
  }

  // The round with the median throughput, and the CPU figures of that same round.
  private static Result median(List<Result> rounds) {
    List<Result> sorted = new ArrayList<>(rounds);
    sorted.sort(Comparator.comparingDouble(Result::rps));
    return sorted.get(sorted.size() / 2);
  }

  private static void maxRow(boolean stream, String target, Result r, Result direct) {
    // The forward-only server's CPU shows in the "proxy" column of its own row.
    String server =
        switch (target) {
          case "direct" -> null;
          case "forward only" -> "forward-only";
          default -> "token-proxy";
        };
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %.0f | %.0f%% | %s | %s | %s | %s | %s |%n",
        stream ? "stream" : "whole",
        target,
        r.rps,
        100 * r.rps / direct.rps,
        micros(r, "stand-in"),
        server == null ? "-" : micros(r, server),
        micros(r, "redis"),
        micros(r, "postgres"),
        micros(r, "machine"));
  }

  private static String micros(Result r, String process) {
    Double value = r.cpu.get(process);
    return value == null ? "?" : String.format(Locale.ROOT, "%.0f", Math.max(0, value));
  }

  static Map<String, String> proxyOverrides(
      TestDatabase database, String upstreamBase, int port, int internalPort) {
    Map<String, String> overrides = new HashMap<>();
    overrides.put("db.url", database.jdbcUrl());
    overrides.put("db.user", database.user());
    overrides.put("db.password", database.password());
    overrides.put("redis.url", RedisServer.shared().url());
    overrides.put("redis.prefix", "bench:" + UUID.randomUUID() + ":");
    overrides.put("proxy.host", "127.0.0.1");
    overrides.put("proxy.port", Integer.toString(port));
    overrides.put("proxy.internal.host", "127.0.0.1");
    overrides.put("proxy.internal.port", Integer.toString(internalPort));
    overrides.put("proxy.internal.token", "bench-internal-token-0123456789");
    overrides.put("proxy.upstream.base-url", upstreamBase);
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

  /** hey's numbers, and CPU microseconds per request by process ("machine": all of them). */
  private record Result(double rps, double p50, double p99, Map<String, Double> cpu) {}

  private record Target(String url, String bearer) {}

  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = Pattern.compile("50%+ in ([0-9.]+) secs");
  private static final Pattern P99 = Pattern.compile("99%+ in ([0-9.]+) secs");
  private static final Pattern STATUS = Pattern.compile("\\[(\\d{3})]\\s+(\\d+) responses");

  private static Result hey(
      Target target, Path body, int workers, int perWorker, int seconds, CpuMeter... meters)
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
                "Authorization: Bearer " + target.bearer(),
                "-D",
                body.toString()));
    if (perWorker > 0) {
      command.addAll(List.of("-q", Integer.toString(perWorker)));
    }
    command.add(target.url());
    Map<String, Long> before = cpuTicks(meters);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IllegalStateException("hey failed:\n" + output);
    }
    Map<String, Long> after = cpuTicks(meters);
    Matcher status = STATUS.matcher(output);
    while (status.find()) {
      if (!status.group(1).equals("200")) {
        throw new IllegalStateException(
            status.group(2)
                + " responses with status "
                + status.group(1)
                + " from "
                + target.url()
                + "\n"
                + output);
      }
    }
    double rps = number(RPS, output);
    Map<String, Double> cpu = new HashMap<>();
    double requests = rps * seconds;
    before.forEach(
        (name, ticks) ->
            cpu.put(name, (after.get(name) - ticks) * CpuMeter.MICROS_PER_TICK / requests));
    return new Result(rps, number(P50, output) * 1000, number(P99, output) * 1000, cpu);
  }

  private static Map<String, Long> cpuTicks(CpuMeter... meters) {
    Map<String, Long> ticks = new HashMap<>();
    for (CpuMeter meter : meters) {
      meter.ticks().ifPresent(value -> ticks.put(meter.name(), value));
    }
    if (meters.length > 0) {
      CpuMeter.machineTicks().ifPresent(value -> ticks.put("machine", value));
    }
    return ticks;
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
