package cloud.openclaw.api.stripe;

import cloud.openclaw.api.ApiMetrics;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.platform.billing.StripeEventSignal;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.StripeEvent;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.StripeEventStore;
import com.google.gson.JsonParseException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code POST /stripe/webhook}: Stripe's events. The signature is verified (stripe-java, with the
 * configured tolerance), the raw event is stored by its id (a redelivery is acknowledged and
 * ignored) and the billing worker is woken; processing happens there, so Stripe gets its 2xx at
 * once. Anything unverifiable is a 400 and stores nothing.
 */
public final class StripeWebhookService implements ApiService {
  private static final Logger LOG = Logger.getLogger(StripeWebhookService.class.getName());
  private static final HeaderName SIGNATURE = HeaderNames.create("Stripe-Signature");
  // Stripe's events are a few KB; a megabyte is far beyond any of them.
  private static final int MAX_BYTES = 1 << 20;

  private final Database database;
  private final StripeEventStore events;
  private final StripeEventSignal signal;
  private final String secret;
  private final Duration tolerance;
  private final Clock clock;
  private final ApiMetrics metrics;

  public StripeWebhookService(
      Database database,
      StripeEventStore events,
      StripeEventSignal signal,
      String secret,
      Duration tolerance,
      Clock clock,
      ApiMetrics metrics) {
    this.database = database;
    this.events = events;
    this.signal = signal;
    this.secret = secret;
    this.tolerance = tolerance;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public String prefix() {
    return "/stripe";
  }

  @Override
  public List<Route> routes() {
    return List.of(Route.post("/webhook", this::receive));
  }

  private void receive(ServerRequest request, ServerResponse response) {
    Event event;
    String payload;
    try {
      payload = payload(request);
      event = verify(payload, request.headers().first(SIGNATURE).orElse(""));
    } catch (InvalidInputException e) {
      metrics.webhook(
          "Stripe-Signature".equals(e.field())
              ? ApiMetrics.Webhook.BAD_SIGNATURE
              : ApiMetrics.Webhook.INVALID);
      throw e;
    }
    StripeEvent stored =
        StripeEvent.received(
            event.getId(), event.getType(), Instant.ofEpochSecond(event.getCreated()), payload);
    boolean fresh =
        database.inTransaction(
            tx -> {
              boolean inserted = events.insertIfNew(tx.execute(), stored);
              if (inserted) {
                tx.afterCommit(this::wakeWorker);
              }
              return inserted;
            });
    metrics.webhook(fresh ? ApiMetrics.Webhook.ACCEPTED : ApiMetrics.Webhook.DUPLICATE);
    Json.send(response, Status.OK_200, Map.of("received", true, "duplicate", !fresh));
  }

  private Event verify(String payload, String signature) {
    if (signature.isBlank()) {
      throw new InvalidInputException("Stripe-Signature", "the Stripe-Signature header is missing");
    }
    Event event;
    try {
      event = Webhook.constructEvent(payload, signature, secret, tolerance.toSeconds(), clock);
    } catch (SignatureVerificationException e) {
      throw new InvalidInputException("Stripe-Signature", "signature refused: " + e.getMessage());
    } catch (JsonParseException | IllegalStateException | ClassCastException e) {
      throw new InvalidInputException(null, "the body is not a Stripe event");
    }
    if (event == null
        || event.getId() == null
        || !event.getId().startsWith("evt_")
        || event.getType() == null
        || event.getCreated() == null) {
      throw new InvalidInputException(null, "the body is not a Stripe event (id, type, created)");
    }
    return event;
  }

  private static String payload(ServerRequest request) {
    if (!request.content().hasEntity()) {
      throw new InvalidInputException(null, "the body is empty");
    }
    byte[] bytes = request.content().as(byte[].class);
    if (bytes.length > MAX_BYTES) {
      throw new InvalidInputException(null, "the body is larger than any Stripe event");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private void wakeWorker() {
    try {
      signal.ring();
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "billing worker not woken; it polls", e);
    }
  }
}
