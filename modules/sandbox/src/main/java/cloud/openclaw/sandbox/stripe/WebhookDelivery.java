package cloud.openclaw.sandbox.stripe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers events to the configured endpoint as Stripe does: POSTed JSON, signed, at least once (an
 * answer other than 2xx, or none, is retried with backoff), in no guaranteed order. While held,
 * events wait until released, in the order asked for; any event can be delivered again at will.
 */
final class WebhookDelivery {
  private static final Logger LOG = Logger.getLogger(WebhookDelivery.class.getName());

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Clock clock;
  private final Runnable onDelivered;
  private final Duration retryBase;
  private final int maxAttempts;
  private final List<StripeEventRecord> held = new ArrayList<>();
  private final Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
  private final Map<String, Instant> firstDelivered = new ConcurrentHashMap<>();
  private volatile String url;
  private volatile String secret;
  private boolean holding;

  /**
   * @param onDelivered called (outside this object's lock) each time the endpoint took an event
   */
  WebhookDelivery(StripeSandboxSettings settings, Clock clock, Runnable onDelivered) {
    this.clock = clock;
    this.onDelivered = onDelivered;
    this.url = settings.webhookUrl();
    this.secret = settings.webhookSecret();
    this.retryBase = settings.retryBase();
    this.maxAttempts = settings.maxAttempts();
  }

  synchronized void endpoint(String url, String secret) {
    this.url = url;
    if (secret != null && !secret.isBlank()) {
      this.secret = secret;
    }
    if (!holding) {
      releaseHeld(false);
    }
  }

  String url() {
    return url;
  }

  /** Sends the event now (in the background), or keeps it while held or without an endpoint. */
  synchronized void submit(StripeEventRecord event) {
    if (holding || url == null || url.isBlank()) {
      held.add(event);
      return;
    }
    start(event);
  }

  synchronized void hold() {
    holding = true;
  }

  /** Stops holding and sends what was held: oldest first, or newest first when {@code reverse}. */
  synchronized int release(boolean reverse) {
    holding = false;
    return releaseHeld(reverse);
  }

  private int releaseHeld(boolean reverse) {
    if (url == null || url.isBlank()) {
      return 0;
    }
    List<StripeEventRecord> batch = new ArrayList<>(held);
    held.clear();
    batch.sort(Comparator.comparingLong(StripeEventRecord::sequence));
    if (reverse) {
      batch = batch.reversed();
    }
    // One after the other, so the order asked for is the order the endpoint sees.
    List<StripeEventRecord> ordered = List.copyOf(batch);
    Thread.ofVirtual()
        .name("stripe-release")
        .start(
            () -> {
              for (StripeEventRecord event : ordered) {
                deliverWithRetries(event);
              }
            });
    return ordered.size();
  }

  /** Delivers {@code event} again, {@code times} times, concurrently: Stripe's duplicates. */
  void redeliver(StripeEventRecord event, int times) {
    for (int i = 0; i < times; i++) {
      start(event);
    }
  }

  int deliveries(String eventId) {
    AtomicInteger count = delivered.get(eventId);
    return count == null ? 0 : count.get();
  }

  /** When the endpoint first took the event (answered 2xx), if it has. */
  Optional<Instant> firstDelivered(String eventId) {
    return Optional.ofNullable(firstDelivered.get(eventId));
  }

  /** What an earlier run recorded of an event's deliveries. */
  void restore(String eventId, int count, Instant first) {
    delivered.put(eventId, new AtomicInteger(count));
    firstDelivered.put(eventId, first);
  }

  synchronized int heldCount() {
    return held.size();
  }

  private void start(StripeEventRecord event) {
    Thread.ofVirtual().name("stripe-webhook-" + event.id()).start(() -> deliverWithRetries(event));
  }

  private void deliverWithRetries(StripeEventRecord event) {
    Duration delay = retryBase;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      if (deliverOnce(event)) {
        firstDelivered.putIfAbsent(event.id(), Instant.now());
        delivered.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet();
        onDelivered.run();
        return;
      }
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        return;
      }
      delay =
          delay.multipliedBy(2).compareTo(Duration.ofMinutes(1)) > 0
              ? Duration.ofMinutes(1)
              : delay.multipliedBy(2);
    }
    LOG.warning("stripe sandbox: gave up delivering " + event.id() + " to " + url);
  }

  private boolean deliverOnce(StripeEventRecord event) {
    String target = url;
    if (target == null || target.isBlank()) {
      return false;
    }
    long now = clock.instant().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(target))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json; charset=utf-8")
            .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
            .header("Stripe-Signature", WebhookSigner.header(event.json(), secret, now))
            .POST(HttpRequest.BodyPublishers.ofString(event.json()))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 == 2) {
        return true;
      }
      LOG.info(
          "stripe sandbox: " + target + " answered " + response.statusCode() + " to " + event.id());
    } catch (IOException e) {
      LOG.log(Level.FINE, "stripe sandbox: " + target + " unreachable for " + event.id(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }
}
