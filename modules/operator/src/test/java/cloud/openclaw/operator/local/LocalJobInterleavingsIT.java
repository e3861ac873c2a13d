package cloud.openclaw.operator.local;

import cloud.openclaw.operator.jobs.JobInterleavings;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link JobInterleavings} on the local runtime: real child processes in real box directories, the
 * gateway being {@link FakeGateway} (its /startupz held back by a file in the box's directory).
 */
class LocalJobInterleavingsIT extends JobInterleavings {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  @TempDir static Path tmp;

  static Fixture fixture;
  static FakeNpm npm;
  static Path data;
  static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @BeforeAll
  static void start() throws IOException {
    fixture = Fixture.start(postgres, testRedis);
    npm = FakeNpm.serving(tmp.resolve("npm"));
    npm.install(tmp.resolve("cache")).ensureInstalled(); // never the real npm
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Override
  protected Fixture fixture() {
    return fixture;
  }

  @Override
  protected BoxRuntime runtime() {
    return BoxRuntime.LOCAL;
  }

  @Override
  protected Map<String, String> runtimeOverrides() {
    data = tmp.resolve("data-" + UUID.randomUUID());
    return Map.of(
        "operator.local.enabled", "true",
        "operator.local.data-dir", data.toString(),
        "operator.local.cache-dir", tmp.resolve("cache").toString(),
        "operator.local.port-range", "0",
        "operator.local.token-proxy-base-url", "http://127.0.0.1:9/v1");
  }

  @Override
  protected RunningService startOperator(Map<String, String> overrides) {
    return cloud.openclaw.operator.Main.start(ConfigLoader.load("operator", Map.of(), overrides));
  }

  private static Path dir(Box box) {
    return data.resolve("boxes").resolve(box.id().toString());
  }

  private static boolean alive(Box box) {
    try {
      long pid = Long.parseLong(Files.readString(dir(box).resolve("gateway.pid")).strip());
      return JobRows.alive(pid);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  @Override
  protected boolean serving(Box box) {
    if (!alive(box)) {
      return false;
    }
    try {
      String port = Files.readString(dir(box).resolve("port")).strip();
      return http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/startupz"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  protected boolean stopped(Box box) {
    return !alive(box);
  }

  @Override
  protected void hold(Box box) {
    try {
      Files.writeString(dir(box).resolve(FakeGateway.HOLD), "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void release(Box box) {
    try {
      Files.deleteIfExists(dir(box).resolve(FakeGateway.HOLD));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected String appliedConfig(Box box) {
    try {
      return Files.readString(dir(box).resolve("openclaw.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected String storedToken(Box box) {
    try {
      return Files.readString(dir(box).resolve("proxy-token"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
