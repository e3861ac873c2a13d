package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.testkit.RawHttp;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class LauncherIT {
  /** Each service's {@code <service>.max-body-bytes} as shipped. */
  private static final Map<String, Long> MAX_BODY =
      Map.of(
          "sandbox", 8L << 20,
          "api", 1L << 20,
          "token-proxy", 8L << 20,
          "operator", 1L << 20,
          "billing-worker", 1L << 20,
          "onboarding-agent", 1L << 20);

  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis redis = new TestRedis();

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void startsEveryServiceHealthyOnTheGivenInfrastructureAndStopsThem(@TempDir Path home)
      throws Exception {
    Map<String, String> overrides = DevPlatform.overrides(postgres, redis);
    int internalPort = Integer.parseInt(overrides.get("proxy.internal.port"));

    DevLauncher.Started[] services;
    try (DevLauncher launcher = DevPlatform.launcher(home, overrides)) {
      launcher.start();

      services = launcher.services().toArray(DevLauncher.Started[]::new);
      assertThat(services)
          .extracting(DevLauncher.Started::name)
          .containsExactly(
              "sandbox", "api", "token-proxy", "operator", "billing-worker", "onboarding-agent");
      for (DevLauncher.Started service : services) {
        assertThat(service.url()).startsWith("http://127.0.0.1:");
        assertObservable(service);
      }
      assertThat(services)
          .extracting(DevLauncher.Started::internalUrl)
          .as("each service its own internal port")
          .doesNotHaveDuplicates();
      String sandbox = services[0].url();
      String api = services[1].url();
      assertThat(launcher.summary())
          .contains("onboarding-agent")
          .contains("configured")
          .doesNotContain("embedded")
          // where to click, and the walkthrough, with this run's URLs
          .contains(sandbox + "/telegram/")
          .contains(sandbox + "/mail/")
          .contains(api + "/openapi")
          .contains("curl -s -X POST " + api + "/signup");
      assertThat(get(api + "/openapi").statusCode()).isEqualTo(200);
      // A chunked body is refused once it passes the limit, on the route that reads whatever
      // Stripe sends; the summary names each service's internal port.
      RawHttp.Answer chunked =
          RawHttp.chunked(
              URI.create(api).getPort(),
              "POST",
              "/stripe/webhook",
              Map.of("Content-Type", "application/json", "Stripe-Signature", "t=1,v1=00"),
              2L << 20,
              (byte) ' ',
              1L << 20);
      assertThat(chunked.status()).isEqualTo(413);
      assertThat(launcher.summary()).contains(services[1].internalUrl());
      // Sign-up by chat: the setup bot, made on the sandbox's Telegram, is polled by the agent.
      StandIns.SetupBot setupBot = launcher.setupBot().orElseThrow();
      assertThat(launcher.summary())
          .contains(sandbox + "/telegram/?bot=" + setupBot.id())
          .contains(api + "/start")
          .contains(api + "/dashboard")
          .contains(api + "/console")
          .contains(DevGuide.ADMIN);
      // the landing page's "Start in Telegram" is the sandbox's chat with that setup bot
      assertThat(get(api + "/site").body())
          .contains("\"setupBotUrl\":\"" + sandbox + "/telegram/?bot=" + setupBot.id() + "\"");
      assertThat(home.resolve(StandIns.SETUP_BOT_FILE)).isRegularFile();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  Json.MAPPER
                      .readTree(get(sandbox + "/telegram/_sandbox/bots/" + setupBot.id()).body())
                      .path("firstPollAt")
                      .isTextual());
      assertThat(home.resolve("crypto.key")).as("the generated dev key").isRegularFile();
      assertThat(home.resolve("jwt.key")).as("the kept session key").isRegularFile();
      assertThat(home.resolve("sandbox/telegram")).as("the sandbox's kept state").isDirectory();
      // The token proxy's internal API listens on loopback only: 127.0.0.1 takes connections, any
      // other address (127.0.0.2 is this machine too, but not 127.0.0.1) is refused.
      assertThat(connects("127.0.0.1", internalPort)).isTrue();
      assertThat(connects("127.0.0.2", internalPort)).as("0.0.0.0 would take it").isFalse();

      // The onboarding agent's model: this proxy, with a token of the platform's own it admits.
      Map<String, String> model = launcher.onboardingModel();
      assertThat(model.get("onboarding.model.base-url")).isEqualTo(services[2].url() + "/v1");
      assertThat(model.get("onboarding.model.name")).isEqualTo("kimi-k2.6");
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(model.get("onboarding.model.base-url") + "/chat/completions"))
                  .header("Authorization", "Bearer " + model.get("onboarding.model.api-key"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          Json.write(
                              Map.of(
                                  "model",
                                  model.get("onboarding.model.name"),
                                  "messages",
                                  List.of(Map.of("role", "user", "content", "hello"))))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(Files.readString(home.resolve(OnboardingModel.FILE)).strip())
          .as("the token kept for the next start")
          .isEqualTo(model.get("onboarding.model.api-key"));
    }

    for (DevLauncher.Started service : services) {
      assertThat(service.running().isRunning()).as(service.name()).isFalse();
    }
  }

  /**
   * What every service answers: on its public port a bare liveness answer, no metrics, JSON 404s
   * and a 413 for a body over its limit before the body is sent; on its internal port health with
   * its checks and its own metrics.
   */
  private void assertObservable(DevLauncher.Started service) throws Exception {
    assertThat(service.internalUrl()).startsWith("http://127.0.0.1:").isNotEqualTo(service.url());
    HttpResponse<String> liveness = get(service.url() + "/observe/health");
    assertThat(liveness.statusCode()).as(service.name()).isEqualTo(200);
    assertThat(liveness.body()).as(service.name()).isEqualTo("{\"status\":\"UP\"}");
    HttpResponse<String> publicMetrics = get(service.url() + "/observe/metrics");
    assertThat(publicMetrics.statusCode()).as(service.name()).isEqualTo(404);
    assertThat(publicMetrics.body()).doesNotContain("jvm_memory_used_bytes");

    long limit = MAX_BODY.get(service.name());
    int port = URI.create(service.url()).getPort();
    RawHttp.Answer tooLarge =
        RawHttp.declaring(
            port, "POST", "/anything", Map.of("Content-Type", "application/json"), limit + 1);
    assertThat(tooLarge.status()).as(service.name()).isEqualTo(413);
    assertThat(Json.MAPPER.readTree(tooLarge.body()).path("error").path("code").asText())
        .as(service.name())
        .isEqualTo("request_too_large");

    HttpResponse<String> health = get(service.internalUrl() + "/observe/health");
    assertThat(health.statusCode()).as(service.name()).isEqualTo(200);
    JsonNode body = Json.MAPPER.readTree(health.body());
    assertThat(body.path("status").asText()).as(service.name()).isEqualTo("UP");
    List<String> checks = body.path("checks").findValuesAsText("name");
    if (service.name().equals("sandbox")) {
      assertThat(checks).as("the sandbox needs no database").isEmpty();
    } else {
      assertThat(checks)
          .as(service.name())
          .containsExactlyInAnyOrder("postgresql", "redis", "redis-subscriptions");
    }

    HttpResponse<String> metrics = get(service.internalUrl() + "/observe/metrics");
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(metrics.body())
        .as(service.name())
        .contains("jvm_memory_used_bytes")
        .contains("service=\"" + service.name() + "\"");

    HttpResponse<String> unknown = get(service.url() + "/no-such-path");
    assertThat(unknown.statusCode()).as(service.name()).isEqualTo(404);
    assertThat(Json.MAPPER.readTree(unknown.body()).path("error").path("code").asText())
        .isEqualTo("not_found");
  }

  private static boolean connects(String host, int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(host, port), 2000);
      return true;
    } catch (java.io.IOException refused) {
      return false;
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
