package cloud.openclaw.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

/** Kimi, or whatever OpenAI-compatible API the base URL names. Its key never leaves this class. */
public final class Upstream implements AutoCloseable {
  private final HttpClient client;
  private final URI completions;
  private final String authorization;
  private final Duration timeout;

  public Upstream(URI baseUrl, String apiKey, Duration connectTimeout, Duration timeout) {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    this.completions = URI.create(baseUrl + "/chat/completions");
    this.authorization = "Bearer " + apiKey;
    this.timeout = timeout;
  }

  /**
   * Sends a chat-completions body and returns once the response headers are in; the caller reads
   * (or closes, to cancel) the body. Throws {@link java.net.http.HttpTimeoutException} when no
   * answer comes in time and {@link IOException} when the upstream cannot be reached.
   */
  public HttpResponse<InputStream> send(byte[] body, boolean stream)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(completions)
            .timeout(timeout)
            .header("Authorization", authorization)
            .header("Content-Type", "application/json")
            .header("Accept", stream ? "text/event-stream" : "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
  }

  @Override
  public void close() {
    client.close();
  }
}
