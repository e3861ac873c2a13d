package cloud.openclaw.bench;

import cloud.openclaw.platform.config.DatabaseSettings;
import cloud.openclaw.platform.config.RedisSettings;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Migrations;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.testkit.PostgresServer;
import cloud.openclaw.testkit.RedisServer;
import cloud.openclaw.testkit.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The onboarding agent's added latency per turn: the sandbox (its Kimi stand-in at zero latency),
 * the token proxy with a token of the platform's own account, and the onboarding agent whose model
 * is the proxy, each in a JVM of its own. Conversations ({@code web:<random>}) send text turns that
 * all go to the model; per turn it measures HTTP POST sent → the first {@code delta} readable in
 * the conversation's log (a blocking XREAD per conversation) and → the {@code message}. The same
 * streamed request sent straight to the stand-in, and to the stand-in through the proxy, at the
 * same concurrency and pace, gives the stand-in's own time and the proxy's share: "our added
 * latency" is the turn's time minus the stand-in's own.
 *
 * <p>Run: {@code ./openclaw-cloud bench onboarding [turns per conversation]}.
 */
public final class OnboardingBenchmark {
  private static final String KIMI_KEY = "sk-sandbox-kimi";
  private static final String MODEL = "kimi-k2.6";
  private static final String INTERNAL_TOKEN = "bench-onboarding-token-0123456789";

  /** Conversations run one after another at concurrency 1, so its percentiles have samples. */
  private static final int SEQUENTIAL_CONVERSATIONS = 10;

  /**
   * How many conversations at once, and a person's pause between the reply and their next message
   * (drawn between min and max ms). People take seconds to read and type: "chat" is a brisk person;
   * "stress" is 5-10 times that, which on a small machine running everything makes the turns queue
   * for CPU. The pause also lets a turn's tail (saving the state, releasing the conversation's
   * lock) end before the next message, as it does with people.
   */
  private record Load(int concurrency, String pace, int thinkMinMs, int thinkMaxMs) {
    String label() {
      return concurrency == 1 ? "1" : concurrency + " (" + pace + ")";
    }
  }

  private static final List<Load> LOADS =
      List.of(
          new Load(1, "stress", 150, 350),
          new Load(50, "chat", 1000, 2000),
          new Load(50, "stress", 150, 350));

  /** The warm-up's pace. */
  private static final Load WARM_UP = new Load(50, "stress", 150, 350);

  /** Questions that the deterministic extraction leaves alone, so each one goes to the model. */
  private static final List<String> TEXTS =
      List.of(
          "What could an agent like this do for a small bakery?",
          "How does the monthly allowance of tokens work for me?",
          "Can it answer my customers while I am asleep?",
          "What happens when the allowance runs out before the month ends?",
          "Could it remind my team about their shifts every morning?",
          "Do I need a server of my own to run it?",
          "Is what people write to it kept private?",
          "How long does it take before the agent is ready to talk?");

  public static void main(String[] args) throws Exception {
    int turns = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    TestDatabase testDatabase = PostgresServer.shared().createDatabase("onboarding_bench");
    List<Child> children = new ArrayList<>();
    try (Database database =
        Database.connect(
            new DatabaseSettings(
                testDatabase.jdbcUrl(), testDatabase.user(), testDatabase.password(), 4))) {
      Migrations.apply(database.dataSource());
      int sandboxPort = ProxyBenchmark.freePort();
      Child sandbox =
          Child.start(
              "stand-in",
              "cloud.openclaw.sandbox.Main",
              Map.of("sandbox.host", "127.0.0.1", "sandbox.port", Integer.toString(sandboxPort)),
              List.of(),
              sandboxPort);
      children.add(sandbox);
      String sandboxUrl = "http://127.0.0.1:" + sandboxPort;
      int proxyPort = ProxyBenchmark.freePort();
      int internalPort = ProxyBenchmark.freePort();
      Map<String, String> proxyConfig =
          new HashMap<>(
              ProxyBenchmark.proxyOverrides(
                  testDatabase, sandboxUrl + "/kimi/v1", proxyPort, internalPort));
      // The platform's plan without a practical limit: the benchmark measures the path, not 429s.
      proxyConfig.put("proxy.platform-plan.requests-per-second", "10000");
      proxyConfig.put("proxy.platform-plan.monthly-tokens", "1000000000000");
      proxyConfig.put("proxy.platform-plan.models", MODEL);
      Child proxy =
          Child.start(
              "token-proxy", "cloud.openclaw.proxy.Main", proxyConfig, List.of(), proxyPort);
      children.add(proxy);
      String token =
          new TokenProxyClient(
                  URI.create("http://127.0.0.1:" + internalPort), "bench-internal-token-0123456789")
              .issuePlatformToken("onboarding")
              .token();
      String proxyUrl = "http://127.0.0.1:" + proxyPort;

      int agentPort = ProxyBenchmark.freePort();
      String agentPrefix = "bench:" + UUID.randomUUID() + ":";
      Map<String, String> agentConfig = new HashMap<>();
      agentConfig.put("db.url", testDatabase.jdbcUrl());
      agentConfig.put("db.user", testDatabase.user());
      agentConfig.put("db.password", testDatabase.password());
      agentConfig.put("redis.url", RedisServer.shared().url());
      agentConfig.put("redis.prefix", agentPrefix);
      // One pooled connection per conversation in flight, and more for the deltas' appends.
      agentConfig.put("redis.pool-size", "128");
      agentConfig.put("crypto.keys", "bench:" + Base64.getEncoder().encodeToString(new byte[32]));
      agentConfig.put("crypto.active-key", "bench");
      agentConfig.put("telegram.api-root", sandboxUrl + "/telegram");
      agentConfig.put("onboarding.host", "127.0.0.1");
      agentConfig.put("onboarding.port", Integer.toString(agentPort));
      agentConfig.put("onboarding.internal-port", "0");
      agentConfig.put("onboarding.internal-token", INTERNAL_TOKEN);
      agentConfig.put("onboarding.api-url", sandboxUrl); // never called: nobody confirms
      agentConfig.put("onboarding.messages-per-minute", "10000");
      agentConfig.put("onboarding.model.base-url", proxyUrl + "/v1");
      agentConfig.put("onboarding.model.api-key", token);
      agentConfig.put("onboarding.model.name", MODEL);
      Child agent =
          Child.start(
              "onboarding-agent",
              "cloud.openclaw.onboarding.Main",
              agentConfig,
              List.of(),
              agentPort);
      children.add(agent);

      try (Redis redis =
              Redis.connect(new RedisSettings(RedisServer.shared().url(), agentPrefix, 128));
          HttpClient http =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .connectTimeout(Duration.ofSeconds(5))
                  .build()) {
        Bench bench =
            new Bench(
                http,
                "http://127.0.0.1:" + agentPort + "/conversations/",
                new ConversationLog(redis, Duration.ofHours(1)));
        List<CpuMeter> found = new ArrayList<>(List.of(sandbox, proxy, agent, new Driver()));
        RedisProcess.find().ifPresent(found::add);
        PostgresProcesses.find().ifPresent(found::add);
        CpuMeter[] meters = found.toArray(CpuMeter[]::new);

        // Warm-up: the JIT of all three JVMs, the pools, the proxy's caches.
        bench.conversations(50, WARM_UP, 6);
        String body = bench.modelRequest(sandboxUrl);
        Target standIn = new Target(URI.create(sandboxUrl + "/kimi/v1/chat/completions"), KIMI_KEY);
        Target viaProxy = new Target(URI.create(proxyUrl + "/v1/chat/completions"), token);
        bench.streamed(standIn, body, WARM_UP, 300);
        bench.streamed(viaProxy, body, WARM_UP, 300);
        bench.conversations(50, WARM_UP, 6);

        System.out.printf(
            Locale.ROOT,
            "%d turns per conversation (%d conversations one after another at concurrency 1);"
                + " pause between turns: %s; %d cores; Java %s%n%n",
            turns,
            SEQUENTIAL_CONVERSATIONS,
            String.join(
                ", ",
                LOADS.stream()
                    .map(l -> l.label() + " " + l.thinkMinMs + "-" + l.thinkMaxMs + " ms")
                    .distinct()
                    .toList()),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"));
        Map<String, List<Row>> rows = new LinkedHashMap<>();
        for (Load load : LOADS) {
          int conversations = load.concurrency == 1 ? SEQUENTIAL_CONVERSATIONS : load.concurrency;
          int samples = conversations * turns;
          Map<String, Long> before = cpuTicks(meters);
          Samples turnsMeasured = bench.conversations(conversations, load, turns);
          Map<String, Long> after = cpuTicks(meters);
          Samples direct = bench.streamed(standIn, body, load, samples);
          Samples proxied = bench.streamed(viaProxy, body, load, samples);
          rows.put(
              load.label(),
              List.of(
                  new Row("stand-in direct (its own time)", direct),
                  new Row("stand-in through the token proxy", proxied),
                  new Row("onboarding turn (POST → log)", turnsMeasured)));
          System.out.printf(
              Locale.ROOT,
              "concurrency %s: %d turns in %.1f s (%.0f turns/s), %d without a delta (model"
                  + " failed); CPU per turn: %s%n",
              load.label(),
              turnsMeasured.count(),
              turnsMeasured.seconds,
              turnsMeasured.count() / turnsMeasured.seconds,
              turnsMeasured.withoutDelta,
              cpuPerTurn(before, after, turnsMeasured.count()));
        }
        System.out.println();
        table(rows);
      }
    } finally {
      for (Child child : children.reversed()) {
        child.close();
      }
      testDatabase.drop();
    }
    System.exit(0);
  }

  private static void table(Map<String, List<Row>> rows) {
    System.out.println(
        "| concurrency | what | n | first delta p50 ms | p90 | p99 | max | message p50 ms | p90"
            + " | p99 | max |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    rows.forEach(
        (concurrency, list) -> {
          for (Row row : list) {
            Samples s = row.samples;
            System.out.printf(
                Locale.ROOT,
                "| %s | %s | %d | %s | %s |%n",
                concurrency,
                row.what,
                s.count(),
                percentiles(s.firstDelta),
                percentiles(s.message));
          }
          Samples direct = list.get(0).samples;
          Samples turn = list.get(2).samples;
          System.out.printf(
              Locale.ROOT,
              "| %s | **added by us** (turn − stand-in) | | %s | %s |%n",
              concurrency,
              difference(turn.firstDelta, direct.firstDelta),
              difference(turn.message, direct.message));
        });
  }

  private static String percentiles(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return String.format(
        Locale.ROOT,
        "%.1f | %.1f | %.1f | %.1f",
        at(sorted, 0.50),
        at(sorted, 0.90),
        at(sorted, 0.99),
        sorted[sorted.length - 1]);
  }

  private static String difference(double[] total, double[] own) {
    double[] a = total.clone();
    double[] b = own.clone();
    Arrays.sort(a);
    Arrays.sort(b);
    return String.format(
        Locale.ROOT,
        "**%.1f** | %.1f | **%.1f** | %.1f",
        at(a, 0.50) - at(b, 0.50),
        at(a, 0.90) - at(b, 0.90),
        at(a, 0.99) - at(b, 0.99),
        a[a.length - 1] - b[b.length - 1]);
  }

  private static double at(double[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static Map<String, Long> cpuTicks(CpuMeter... meters) {
    Map<String, Long> ticks = new LinkedHashMap<>();
    for (CpuMeter meter : meters) {
      meter.ticks().ifPresent(value -> ticks.put(meter.name(), value));
    }
    CpuMeter.machineTicks().ifPresent(value -> ticks.put("machine", value));
    return ticks;
  }

  private static String cpuPerTurn(Map<String, Long> before, Map<String, Long> after, int turns) {
    List<String> parts = new ArrayList<>();
    before.forEach(
        (name, ticks) ->
            parts.add(
                String.format(
                    Locale.ROOT,
                    "%s %.0f µs",
                    name,
                    (after.get(name) - ticks) * CpuMeter.MICROS_PER_TICK / turns)));
    return String.join(", ", parts);
  }

  private record Row(String what, Samples samples) {}

  /** This JVM: the conversations' HTTP client and log readers, and the direct calls. */
  private record Driver() implements CpuMeter {
    @Override
    public String name() {
      return "driver";
    }

    @Override
    public Optional<Long> ticks() {
      return CpuMeter.ticksOf(ProcessHandle.current().pid());
    }
  }

  private record Target(URI url, String bearer) {}

  /** Milliseconds per sample: to the first streamed text, and to the whole message. */
  private static final class Samples {
    final double[] firstDelta;
    final double[] message;
    final int withoutDelta;
    final double seconds;

    Samples(List<double[]> samples, int withoutDelta, double seconds) {
      firstDelta = samples.stream().mapToDouble(s -> s[0]).toArray();
      message = samples.stream().mapToDouble(s -> s[1]).toArray();
      this.withoutDelta = withoutDelta;
      this.seconds = seconds;
    }

    int count() {
      return firstDelta.length;
    }
  }

  /** The load: conversations through the onboarding agent, or streamed requests to a model. */
  private static final class Bench {
    private final HttpClient http;
    private final String conversations;
    private final ConversationLog log;

    Bench(HttpClient http, String conversations, ConversationLog log) {
      this.http = http;
      this.conversations = conversations;
      this.log = log;
    }

    /**
     * {@code total} conversations, {@code concurrency} at a time, of {@code turns} measured text
     * turns each (after the greeting, not measured).
     */
    Samples conversations(int total, Load load, int turns) throws InterruptedException {
      List<double[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicInteger withoutDelta = new AtomicInteger();
      AtomicInteger next = new AtomicInteger();
      long start = System.nanoTime();
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < load.concurrency; w++) {
        workers.add(
            Thread.ofVirtual()
                .uncaughtExceptionHandler(Bench::failed)
                .start(
                    () -> {
                      while (next.getAndIncrement() < total) {
                        conversation(load, turns, samples, withoutDelta);
                      }
                    }));
      }
      join(workers);
      return new Samples(samples, withoutDelta.get(), (System.nanoTime() - start) / 1e9);
    }

    // The first failure of a worker; the run stops with it.
    private static volatile Throwable failure;

    private static void failed(Thread thread, Throwable error) {
      if (failure == null) {
        failure = error;
      }
    }

    private static void join(List<Thread> workers) throws InterruptedException {
      for (Thread worker : workers) {
        worker.join();
      }
      if (failure != null) {
        throw new IllegalStateException("a worker failed", failure);
      }
    }

    private void conversation(
        Load load, int turns, List<double[]> samples, AtomicInteger withoutDelta) {
      byte[] id = new byte[12];
      ThreadLocalRandom.current().nextBytes(id);
      String key = "web:" + HexFormat.of().formatHex(id);
      String after = send(key, Map.of("type", "start"));
      after = await(key, after, "message", null);
      for (int turn = 0; turn < turns; turn++) {
        think(load);
        String text = TEXTS.get(ThreadLocalRandom.current().nextInt(TEXTS.size()));
        long sent = System.nanoTime();
        after = send(key, Map.of("type", "text", "text", text));
        long[] firstDelta = {0};
        after = await(key, after, "message", firstDelta);
        long done = System.nanoTime();
        if (firstDelta[0] == 0) {
          withoutDelta.incrementAndGet();
          firstDelta[0] = done;
        }
        samples.add(new double[] {(firstDelta[0] - sent) / 1e6, (done - sent) / 1e6});
      }
    }

    private static void think(Load load) {
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(load.thinkMinMs, load.thinkMaxMs + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** POSTs one input; answers the log id after which its reply follows. */
    private String send(String key, Map<String, String> input) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(conversations + key + "/input"))
              .header("Authorization", "Bearer " + INTERNAL_TOKEN)
              .header("Content-Type", "application/json")
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofString(Json.write(input)))
              .build();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
          throw new IllegalStateException(
              "input to " + key + ": " + response.statusCode() + " " + response.body());
        }
        return Json.MAPPER.readTree(response.body()).path("after").asText();
      } catch (IOException e) {
        throw new IllegalStateException("input to " + key + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /**
     * Reads the log after {@code after} until an event of type {@code until}; notes when the first
     * delta was read. Answers the id of that event.
     */
    private String await(String key, String after, String until, long[] firstDelta) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      String cursor = after;
      while (System.nanoTime() < deadline) {
        List<ConversationLog.Entry> entries = log.read(key, cursor, 100, Duration.ofSeconds(1));
        long read = System.nanoTime();
        for (ConversationLog.Entry entry : entries) {
          cursor = entry.id();
          String type = type(entry.json());
          if (firstDelta != null && firstDelta[0] == 0 && type.equals("delta")) {
            firstDelta[0] = read;
          }
          if (type.equals("error")) {
            throw new IllegalStateException(key + ": " + entry.json());
          }
          if (type.equals(until)) {
            return cursor;
          }
        }
      }
      throw new IllegalStateException(key + ": no " + until + " within 60 s");
    }

    private static String type(String json) {
      try {
        return Json.MAPPER.readTree(json).path("type").asText();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * The body the agent's last model request had (its messages, as the stand-in recorded them),
     * streamed: what a direct call sends for comparison.
     */
    String modelRequest(String sandboxUrl) throws IOException, InterruptedException {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(sandboxUrl + "/kimi/_sandbox/requests?limit=1"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode messages = Json.MAPPER.readTree(response.body()).path("requests").get(0);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("model", MODEL);
      body.put("messages", messages);
      body.put("stream", true);
      body.put("stream_options", Map.of("include_usage", true));
      return Json.write(body);
    }

    /**
     * {@code samples} streamed requests to {@code target}, {@code concurrency} clients at a time at
     * the conversations' pace: sent → first content delta, and → [DONE].
     */
    Samples streamed(Target target, String body, Load load, int samples)
        throws InterruptedException {
      List<double[]> measured = java.util.Collections.synchronizedList(new ArrayList<>());
      AtomicInteger next = new AtomicInteger();
      long start = System.nanoTime();
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < load.concurrency; w++) {
        workers.add(
            Thread.ofVirtual()
                .uncaughtExceptionHandler(Bench::failed)
                .start(
                    () -> {
                      while (next.getAndIncrement() < samples) {
                        think(load);
                        measured.add(streamOnce(target, body));
                      }
                    }));
      }
      join(workers);
      return new Samples(measured, 0, (System.nanoTime() - start) / 1e9);
    }

    // A pooled connection that the server has just closed fails before anything is sent: once more.
    private double[] streamOnce(Target target, String body) {
      try {
        return stream(target, body);
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof IOException)) {
          throw e;
        }
        return stream(target, body);
      }
    }

    private double[] stream(Target target, String body) {
      HttpRequest request =
          HttpRequest.newBuilder(target.url())
              .header("Authorization", "Bearer " + target.bearer())
              .header("Content-Type", "application/json")
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      long sent = System.nanoTime();
      try {
        HttpResponse<Stream<String>> response =
            http.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
          throw new IllegalStateException(target.url() + ": " + response.statusCode());
        }
        long firstDelta = 0;
        try (Stream<String> lines = response.body()) {
          Iterator<String> it = lines.iterator();
          while (it.hasNext()) {
            String line = it.next();
            if (firstDelta == 0 && line.startsWith("data: {") && hasContent(line)) {
              firstDelta = System.nanoTime();
            }
            if (line.equals("data: [DONE]")) {
              break;
            }
          }
        }
        long done = System.nanoTime();
        return new double[] {(firstDelta - sent) / 1e6, (done - sent) / 1e6};
      } catch (IOException e) {
        throw new IllegalStateException(target.url() + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    private static boolean hasContent(String line) throws IOException {
      JsonNode chunk = Json.MAPPER.readTree(line.substring("data: ".length()));
      return !chunk.path("choices").path(0).path("delta").path("content").asText("").isEmpty();
    }
  }
}
