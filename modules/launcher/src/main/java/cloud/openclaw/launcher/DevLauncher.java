package cloud.openclaw.launcher;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import io.helidon.config.Config;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Dev mode's sequence: infrastructure (configured, or embedded), then every service in one JVM on
 * 127.0.0.1, then a wait until each reports UP on /observe/health of its internal port (the public
 * one answers UP as soon as it listens; the internal one once PostgreSQL and Redis answer). {@link
 * #close} stops the services, then Redis, then PostgreSQL; it may run (from a shutdown hook) while
 * start is still under way, and then stops what has started and makes start give up.
 */
public final class DevLauncher implements AutoCloseable {
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

  private final Path home;
  private final Map<String, String> environment;
  private final Map<String, String> overrides;
  private final DevInfrastructure infrastructure;
  private final List<Started> started = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private boolean closed;
  private Duration healthyAfter;
  private volatile String proxyInternal;
  private volatile String sandboxState;
  private volatile Map<String, String> onboardingModel = Map.of();

  /** The sandbox Stripe's one price (StripeStandIn charges 10.00 USD for any). */
  static final String SANDBOX_PRICE = "10 USD a month (sandbox)";

  private volatile StandIns.SetupBot setupBot;

  /**
   * @param home where embedded data and the dev key live ({@code .openclaw-dev})
   * @param environment the {@code OPENCLAW_*} variables that configure every service
   * @param overrides configuration keys that win over everything (tests)
   */
  public DevLauncher(Path home, Map<String, String> environment, Map<String, String> overrides) {
    this.home = home;
    this.environment = Map.copyOf(environment);
    this.overrides = Map.copyOf(overrides);
    this.infrastructure = new DevInfrastructure(home);
  }

  /**
   * A service that runs, the URL of its routes and that of its internal port (metrics, health with
   * each check).
   */
  public record Started(String name, String url, String internalUrl, RunningService running) {}

  /** Start gave up because the launcher is stopping. */
  public static final class Stopped extends RuntimeException {
    Stopped() {
      super("the launcher is stopping");
    }
  }

  /** Starts everything and returns once every service is healthy. */
  public void start() {
    long begin = System.nanoTime();
    infrastructure.start(new Settings(ConfigLoader.load("api", environment, overrides)));
    Map<String, String> shared = new HashMap<>(infrastructure.overrides());
    shared.putAll(overrides);
    for (DevService service : DevService.ALL) {
      if (service.name().equals("api")) {
        apiPublicUrl(shared);
      }
      Map<String, String> own = new HashMap<>(shared);
      loopback(own, service.key() + ".host");
      if (service.name().equals("token-proxy")) {
        loopback(own, "proxy.internal.host");
      } else {
        internalPort(own, service);
      }
      if (service.name().equals("sandbox")
          && !environment.containsKey(ConfigLoader.environmentName("sandbox.state-dir"))) {
        // Bots, Stripe customers and mail outlive a restart, as the platform's data does.
        own.putIfAbsent("sandbox.state-dir", home.resolve("sandbox").toString());
        sandboxState = own.get("sandbox.state-dir");
      }
      Config config = ConfigLoader.load(service.name(), environment, own);
      start(service, config);
      if (service.name().equals("sandbox")) {
        Map<String, String> wiring = StandIns.wiring(environment, lastStarted().url(), config);
        setupBot = StandIns.setupBot(environment, lastStarted().url(), home, wiring).orElse(null);
        wiring.forEach(shared::putIfAbsent);
      }
      if (service.name().equals("api")) {
        sandboxStripeWebhook(shared, lastStarted().url());
      }
      if (service.name().equals("token-proxy")) {
        String sandboxUrl = services().getFirst().url();
        StandIns.tokenProxyClients(environment, sandboxUrl, lastStarted().url(), config, home)
            .forEach(shared::putIfAbsent);
        OnboardingModel.wiring(environment, lastStarted().url(), config, home)
            .forEach(shared::putIfAbsent);
        onboardingModel = Map.copyOf(shared);
        Settings proxy = new Settings(config);
        proxyInternal =
            "http://"
                + proxy.string("proxy.internal.host")
                + ":"
                + proxy.string("proxy.internal.port");
      }
    }
    for (Started service : services()) {
      awaitHealthy(service);
    }
    healthyAfter = Duration.ofNanos(System.nanoTime() - begin);
  }

  /**
   * Each service its own internal port: the configured one while nothing else listens there, else a
   * free one (the token proxy's is its internal API's, which the other services are given).
   */
  private void internalPort(Map<String, String> own, DevService service) {
    String key = service.key() + ".internal-port";
    if (!environment.containsKey(ConfigLoader.environmentName(key)) && !own.containsKey(key)) {
      int configured = new Settings(ConfigLoader.load(service.name(), environment, own)).port(key);
      own.put(key, Integer.toString(Ports.preferredOrFree(configured)));
    }
  }

  /** Every listener of dev mode on 127.0.0.1 unless its variable says otherwise. */
  private void loopback(Map<String, String> own, String hostKey) {
    if (!environment.containsKey(ConfigLoader.environmentName(hostKey))) {
      own.putIfAbsent(hostKey, "127.0.0.1");
    }
  }

  private synchronized void start(DevService service, Config config) {
    if (closed) {
      throw new Stopped();
    }
    Settings settings = new Settings(config);
    String host = local(settings.string(service.key() + ".host"));
    String internalHost =
        service.name().equals("token-proxy") ? local(settings.string("proxy.internal.host")) : host;
    RunningService running = service.start().apply(config);
    started.add(
        new Started(
            service.name(),
            "http://" + host + ":" + running.port(),
            "http://" + internalHost + ":" + running.internalPort(),
            running));
  }

  private static String local(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  private void awaitHealthy(Started service) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(service.internalUrl() + "/observe/health"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        String status = Json.MAPPER.readTree(response.body()).path("status").asText();
        if (response.statusCode() == 200 && status.equals("UP")) {
          return;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Stopped();
      }
      synchronized (this) {
        if (closed) {
          throw new Stopped();
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Stopped();
      }
    }
    throw new IllegalStateException(
        service.name() + " is not healthy after " + HEALTH_TIMEOUT.toSeconds() + " s: " + last);
  }

  /**
   * Unless configured, the URLs people are sent to point at this run: the api's public URL (sign-in
   * links, the end of sign-in) and the dashboard links in mails at the api where it runs here (dev
   * mode on other ports must not send people to the default port), and a paid checkout to the
   * sandbox's Telegram page, where the agent is about to answer; the api's web chat relays to this
   * run's onboarding agent, and the agent signs up at this api. A port 0 is chosen now, since the
   * URLs must be known before the api starts.
   */
  private void apiPublicUrl(Map<String, String> shared) {
    int port = new Settings(ConfigLoader.load("api", environment, shared)).port("api.port");
    if (port == 0) {
      port = Ports.free();
      shared.put("api.port", Integer.toString(port));
    }
    String api = "http://127.0.0.1:" + port;
    String sandbox = services().getFirst().url();
    Map<String, String> wanted = new HashMap<>();
    int onboardingPort =
        new Settings(ConfigLoader.load("onboarding-agent", environment, shared))
            .port("onboarding.port");
    if (onboardingPort == 0) {
      onboardingPort = Ports.free();
      shared.put("onboarding.port", Integer.toString(onboardingPort));
    }
    wanted.put("api.onboarding.url", "http://127.0.0.1:" + onboardingPort); // the web chat's relay
    wanted.put("api.public-url", api);
    wanted.put("billing.dashboard-url", api + "/dashboard");
    wanted.put("api.auth.admins", DevGuide.ADMIN); // signs in to /console like anyone, by mail
    wanted.put("api.stripe.cancel-url", api + "/billing/cancelled");
    wanted.put("onboarding.api-url", api); // a confirmed conversation signs up at this api
    if (shared.getOrDefault("stripe.api-base", "").startsWith(sandbox)) {
      wanted.put("api.stripe.success-url", sandbox + "/telegram/");
      // What the sandbox's checkout charges for every plan, said alike on the site and in the chat.
      for (String plan : List.of("starter", "pro")) {
        wanted.put("api.plan-prices." + plan, SANDBOX_PRICE);
        wanted.put("onboarding.prices." + plan, SANDBOX_PRICE);
      }
    }
    wanted.forEach(
        (key, value) -> {
          if (!environment.containsKey(ConfigLoader.environmentName(key))) {
            shared.putIfAbsent(key, value);
          }
        });
  }

  /** The sandbox's Stripe stand-in delivers its events to this api (when it stands in). */
  private void sandboxStripeWebhook(Map<String, String> shared, String apiUrl) {
    String stripeBase = shared.getOrDefault("stripe.api-base", "");
    Started sandbox = services().getFirst();
    if (!stripeBase.startsWith(sandbox.url())) {
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(stripeBase + "/_sandbox/webhook"))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    Json.write(Map.of("url", apiUrl + "/stripe/webhook"))))
            .build();
    try {
      http.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new IllegalStateException("the sandbox's Stripe stand-in did not take the webhook", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    }
  }

  /** The sandbox's setup bot this run made or found again; empty when one is configured. */
  Optional<StandIns.SetupBot> setupBot() {
    return Optional.ofNullable(setupBot);
  }

  /** The model the onboarding agent was given: its {@code onboarding.model.*} keys. */
  Map<String, String> onboardingModel() {
    Map<String, String> model = new HashMap<>();
    onboardingModel.forEach(
        (key, value) -> {
          if (key.startsWith("onboarding.model.")) {
            model.put(key, value);
          }
        });
    return model;
  }

  private synchronized Started lastStarted() {
    return started.getLast();
  }

  public synchronized List<Started> services() {
    return List.copyOf(started);
  }

  /** The table printed once everything is up: services, URLs, health, and where data lives. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
    out.append(
        String.format(
            Locale.ROOT,
            "%nopenclaw-cloud dev: all services healthy (%.1f s to start them, %.1f s since the JVM"
                + " started)%n%n",
            healthyAfter == null ? 0.0 : healthyAfter.toMillis() / 1000.0,
            uptime / 1000.0));
    String row = "  %-18s %-24s %-24s %s%n";
    out.append(
        String.format(Locale.ROOT, row, "SERVICE", "URL", "INTERNAL (metrics, health)", "HEALTH"));
    for (Started service : services()) {
      out.append(
          String.format(
              Locale.ROOT, row, service.name(), service.url(), service.internalUrl(), "UP"));
    }
    out.append(System.lineSeparator());
    Map<String, String> urls = new HashMap<>();
    services().forEach(service -> urls.put(service.name(), service.url()));
    if (urls.containsKey("sandbox") && urls.containsKey("api")) {
      out.append(DevGuide.text(urls.get("sandbox"), urls.get("api"), setupBot))
          .append(System.lineSeparator());
    }
    for (String note : infrastructure.notes()) {
      out.append("  ").append(note).append(System.lineSeparator());
    }
    if (sandboxState != null && !sandboxState.isBlank()) {
      out.append("  Sandbox     Telegram bots and chats, Stripe, caught mail kept in ")
          .append(sandboxState)
          .append(System.lineSeparator());
    }
    if (proxyInternal != null) {
      out.append("  Proxy's internal API  ")
          .append(proxyInternal)
          .append("  (tokens, billing periods; the operator's and billing's)")
          .append(System.lineSeparator());
    }
    String model = onboardingModel().get("onboarding.model.name");
    if (model != null) {
      out.append("  Onboarding  the agent's model: ")
          .append(model)
          .append(" through the token proxy, on the platform's own account '")
          .append(OnboardingModel.ACCOUNT)
          .append("'")
          .append(System.lineSeparator());
    }
    out.append(String.format("%nCtrl-C stops everything.%n"));
    return out.toString();
  }

  /** Blocks until {@link #close} has finished. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /**
   * Stops every service at once (the operator stops its gateways, all at once too), then Redis and
   * PostgreSQL: Ctrl-C ends everything within a few seconds, where one service after the other took
   * ten. Safe to call twice.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      closeAtOnce(started);
      started.clear();
    }
    infrastructure.close();
    stopped.countDown();
  }

  private static void closeAtOnce(List<Started> services) {
    try (ExecutorService closing = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Started service : services) {
        closing.submit(
            () -> {
              try {
                service.running().close();
              } catch (RuntimeException e) {
                System.err.println("stopping " + service.name() + " failed: " + e);
              }
            });
      }
    }
  }
}
