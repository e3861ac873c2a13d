package cloud.openclaw.api.me;

import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Relays the operator's progress events of one customer as server-sent events ({@code event:
 * progress}, the operator's JSON as data) until the client leaves. A comment every {@code
 * keepAlive} keeps proxies from closing an idle stream and tells us when the client is gone.
 */
public final class BoxEvents {
  private static final Logger LOG = Logger.getLogger(BoxEvents.class.getName());
  private static final int BUFFER = 1000;

  private final CustomerEvents events;
  private final Duration keepAlive;

  public BoxEvents(CustomerEvents events, Duration keepAlive) {
    this.events = events;
    this.keepAlive = keepAlive;
  }

  void stream(UUID customerId, ServerResponse response) {
    BlockingQueue<String> queue = new LinkedBlockingQueue<>(BUFFER);
    try (CustomerEvents.Listening ignored = events.listen(customerId, queue::offer)) {
      SseSink sink = response.sink(SseSink.TYPE);
      try {
        sink.emit(SseEvent.builder().comment("connected").build());
        while (!Thread.currentThread().isInterrupted()) {
          String message = queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
          sink.emit(
              message == null
                  ? SseEvent.builder().comment("keep-alive").build()
                  : SseEvent.builder().name("progress").data(message).build());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "event stream of customer " + customerId + " ended", e);
      } finally {
        try {
          sink.close();
        } catch (RuntimeException e) {
          LOG.log(Level.FINE, "closing the event stream of customer " + customerId, e);
        }
      }
    }
  }
}
