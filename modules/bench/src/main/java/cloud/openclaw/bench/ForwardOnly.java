package cloud.openclaw.bench;

import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.http.HttpHost;
import cloud.openclaw.platform.http.Metrics;
import cloud.openclaw.proxy.upstream.SseRelay;
import cloud.openclaw.proxy.upstream.Upstream;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The floor under the token proxy, for the benchmark: Helidon reading a request and forwarding it
 * with the proxy's own upstream client, and nothing else (no token, no limits, no metering). What
 * the proxy costs beyond this is what its guarantees cost.
 *
 * <p>Run: {@code ForwardOnly <port> <upstream base URL> <upstream key>}.
 */
public final class ForwardOnly {
  private static final byte[] STREAM = "\"stream\":true".getBytes(StandardCharsets.US_ASCII);

  private ForwardOnly() {}

  public static void main(String[] args) {
    Upstream upstream =
        new Upstream(URI.create(args[1]), args[2], Duration.ofSeconds(5), Duration.ofSeconds(60));
    // The proxy's own server set-up (HttpHost), so that only the proxy's work differs.
    HttpHost.start(
        "forward-only",
        new ServerSettings("127.0.0.1", Integer.parseInt(args[0])),
        List.of(),
        Metrics.registry("forward-only"),
        routing -> routing.post("/v1/chat/completions", (req, res) -> forward(upstream, req, res)),
        List.of());
  }

  private static void forward(Upstream upstream, ServerRequest request, ServerResponse response) {
    try (InputStream in = request.content().inputStream()) {
      byte[] body = in.readAllBytes();
      boolean stream = contains(body, STREAM);
      try (Upstream.Answer answer = upstream.send(body, stream);
          InputStream answered = answer.body()) {
        if (stream) {
          response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
          try (OutputStream out = response.outputStream()) {
            new SseRelay().relay(answered, out);
          }
        } else {
          response.header(HeaderNames.CONTENT_TYPE, "application/json");
          response.send(answered.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
