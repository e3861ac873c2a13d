package cloud.openclaw.proxy.upstream;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;

/**
 * Kimi, or whatever OpenAI-compatible API the base URL names, over pooled keep-alive connections
 * (Helidon's blocking client: cheap on virtual threads). Its key never leaves this class.
 */
public final class Upstream {
  private final WebClient client;
  private final String completions;
  private final String authorization;

  /**
   * @param timeout the longest silence from the upstream: before its answer starts, and between two
   *     reads of a stream
   */
  public Upstream(URI baseUrl, String apiKey, Duration connectTimeout, Duration timeout) {
    this.client =
        WebClient.builder()
            .socketOptions(
                SocketOptions.builder()
                    .connectTimeout(connectTimeout)
                    .readTimeout(timeout)
                    .tcpNoDelay(true)
                    .build())
            .build();
    this.completions = baseUrl + "/chat/completions";
    this.authorization = "Bearer " + apiKey;
  }

  /**
   * Sends a chat-completions body and returns once the response headers are in; the caller reads
   * the body and closes the answer (early, to cancel).
   *
   * @throws Unreachable when the upstream cannot be reached or does not answer in time
   */
  public Answer send(byte[] body, boolean stream) {
    try {
      HttpClientResponse response =
          client
              .post(completions)
              .header(HeaderNames.AUTHORIZATION, authorization)
              .header(HeaderNames.CONTENT_TYPE, "application/json")
              .header(HeaderNames.ACCEPT, stream ? "text/event-stream" : "application/json")
              .submit(body);
      return new Answer(response);
    } catch (RuntimeException e) {
      throw new Unreachable(timedOut(e), e);
    }
  }

  /**
   * True when {@code failure} (from a send or a read) was the upstream's silence, not a refusal.
   */
  public static boolean timedOut(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException) {
        return true;
      }
    }
    return false;
  }

  /** The upstream's answer: status, and the body to read (or to drop by closing). */
  public static final class Answer implements AutoCloseable {
    private final HttpClientResponse response;

    Answer(HttpClientResponse response) {
      this.response = response;
    }

    public int status() {
      return response.status().code();
    }

    public InputStream body() {
      return response.inputStream();
    }

    @Override
    public void close() {
      response.close();
    }
  }

  /** The upstream could not be reached, or said nothing for too long. */
  public static final class Unreachable extends RuntimeException {
    private final boolean timedOut;

    Unreachable(boolean timedOut, Throwable cause) {
      super(cause.getMessage(), cause);
      this.timedOut = timedOut;
    }

    public boolean timedOut() {
      return timedOut;
    }
  }
}
