package cloud.openclaw.proxy.upstream;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.http1.Http1Client;
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
  private static final Header JSON =
      HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json");
  private static final Header ACCEPT_JSON =
      HeaderValues.create(HeaderNames.ACCEPT, "application/json");
  private static final Header ACCEPT_EVENTS =
      HeaderValues.create(HeaderNames.ACCEPT, "text/event-stream");

  // HTTP/1.1 only: a generic WebClient would look for the protocol to speak on every request.
  private final Http1Client client;
  private final URI completions;
  private final Header authorization;

  /**
   * @param timeout the longest silence from the upstream: before its answer starts, and between two
   *     reads of a stream
   */
  public Upstream(URI baseUrl, String apiKey, Duration connectTimeout, Duration timeout) {
    this.client =
        Http1Client.builder()
            .socketOptions(
                SocketOptions.builder()
                    .connectTimeout(connectTimeout)
                    .readTimeout(timeout)
                    .tcpNoDelay(true)
                    .build())
            // Straight to the upstream: no per-request proxy selection, redirects, cookies or
            // discovered client services.
            .proxy(Proxy.noProxy())
            .followRedirects(false)
            .servicesDiscoverServices(false)
            .sendExpectContinue(false)
            .build();
    this.completions = URI.create(baseUrl + "/chat/completions");
    this.authorization = HeaderValues.create(HeaderNames.AUTHORIZATION, "Bearer " + apiKey);
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
              .post()
              .uri(completions)
              .header(authorization)
              .header(JSON)
              .header(stream ? ACCEPT_EVENTS : ACCEPT_JSON)
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
