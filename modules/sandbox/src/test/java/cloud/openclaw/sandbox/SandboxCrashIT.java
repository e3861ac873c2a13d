package cloud.openclaw.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.sandbox.telegram.ChatEntry;
import cloud.openclaw.sandbox.telegram.User;
import cloud.openclaw.testkit.JavaProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sandbox keeping its state is killed (kill -9) while people write to a bot and customers are
 * made on Stripe: a sandbox started on the same directory has every message and customer whose
 * request was answered, its files are whole, and update ids go on from where they were.
 */
class SandboxCrashIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @TempDir Path dir;

  @Test
  void aKillMidWriteLosesNothingThatWasAnswered() throws Exception {
    Path state = dir.resolve("state");
    int port = freePort();
    String base = "http://127.0.0.1:" + port;
    List<String> answeredTexts = new CopyOnWriteArrayList<>();
    List<Long> answeredIds = new CopyOnWriteArrayList<>();
    List<String> answeredCustomers = new CopyOnWriteArrayList<>();
    long botId;
    try (JavaProcess sandbox =
        JavaProcess.start(
            Main.class.getName(),
            dir,
            Map.of(
                "OPENCLAW_SANDBOX_HOST",
                "127.0.0.1",
                "OPENCLAW_SANDBOX_PORT",
                Integer.toString(port),
                "OPENCLAW_SANDBOX_SMTP_PORT",
                "0",
                "OPENCLAW_SANDBOX_STATE_DIR",
                state.toString()),
            dir.resolve("sandbox.log"))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> get(base + "/observe/health").statusCode() == 200);
      botId =
          Json.MAPPER
              .readTree(post(base + "/telegram/_sandbox/bots", "{}", null).body())
              .path("id")
              .asLong();

      AtomicBoolean writing = new AtomicBoolean(true);
      Thread people =
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; writing.get(); i++) {
                      String text = "message " + i;
                      try {
                        HttpResponse<String> answer =
                            post(
                                base + "/telegram/_sandbox/bots/" + botId + "/messages",
                                "{\"from\":{\"id\":5151,\"first_name\":\"Ada\"},\"text\":\""
                                    + text
                                    + "\"}",
                                null);
                        if (answer.statusCode() == 201) {
                          answeredTexts.add(text);
                          answeredIds.add(
                              Json.MAPPER.readTree(answer.body()).path("update_id").asLong());
                        }
                      } catch (IOException | InterruptedException killed) {
                        return;
                      }
                    }
                  });
      Thread customers =
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; writing.get(); i++) {
                      try {
                        HttpResponse<String> answer =
                            post(
                                base + "/stripe/v1/customers",
                                "email=c" + i + "%40example.com",
                                "Bearer sk_test_any");
                        if (answer.statusCode() == 200) {
                          answeredCustomers.add(
                              Json.MAPPER.readTree(answer.body()).path("id").asText());
                        }
                      } catch (IOException | InterruptedException killed) {
                        return;
                      }
                    }
                  });
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> answeredTexts.size() > 100 && answeredCustomers.size() > 50);
      sandbox.kill();
      writing.set(false);
      people.join();
      customers.join();
    }

    Map<String, String> overrides =
        Map.of(
            "sandbox.host", "127.0.0.1",
            "sandbox.port", "0",
            "sandbox.smtp.port", "0",
            "sandbox.state-dir", state.toString());
    try (Main.Sandbox again =
        Main.startSandbox(ConfigLoader.load("sandbox", Map.of(), overrides))) {
      assertThat(again.telegram().chat(botId, 5151))
          .extracting(ChatEntry::text)
          .containsAll(answeredTexts);
      assertThat(again.telegram().stats(botId).pending())
          .isGreaterThanOrEqualTo(answeredIds.size());
      long next = again.telegram().sendAsUser(botId, User.of(5151, "Ada"), "after").updateId();
      assertThat(next)
          .isGreaterThan(answeredIds.stream().mapToLong(Long::longValue).max().orElseThrow());
      for (String customer : answeredCustomers) {
        HttpResponse<String> found =
            HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + again.port()
                                + "/stripe/v1/customers/"
                                + customer))
                    .header("Authorization", "Bearer sk_test_any")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(found.statusCode()).as(customer).isEqualTo(200);
      }
    }
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String body, String bearer)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (bearer == null) {
      request.header("Content-Type", "application/json");
    } else {
      request.header("Content-Type", "application/x-www-form-urlencoded");
      request.header("Authorization", bearer);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
