package cloud.openclaw.sandbox.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.billing.StripeSettings;
import cloud.openclaw.platform.billing.StripeSubscription;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.sandbox.Main;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Stripe stand-in as stripe-java sees it (the platform's {@link StripeBilling}), and its
 * webhooks as stripe-java verifies them, received by a small endpoint in this test.
 */
class StripeStandInTest {
  private static final String SECRET = "whsec_test_standin";
  private static final Plan STARTER =
      new Plan("starter", "price_starter", 1000, 10, List.of("kimi-k2.6"), List.of("off"));
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private static Main.Sandbox sandbox;
  private static StripeStandIn stripe;
  private static StripeBilling billing;
  private static WebServer endpoint;
  private static final List<Event> received = new CopyOnWriteArrayList<>();
  private static final AtomicInteger failuresToAnswer = new AtomicInteger();

  @BeforeAll
  static void start() {
    endpoint =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(
                routing ->
                    routing.post(
                        "/hook",
                        (req, res) -> {
                          if (failuresToAnswer.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            res.status(500).send();
                            return;
                          }
                          String body = req.content().as(String.class);
                          String signature =
                              req.headers()
                                  .first(io.helidon.http.HeaderNames.create("Stripe-Signature"))
                                  .orElse("");
                          try {
                            received.add(Webhook.constructEvent(body, signature, SECRET, 300));
                            res.send("ok");
                          } catch (SignatureVerificationException e) {
                            res.status(400).send(e.getMessage());
                          }
                        }))
            .build()
            .start();
    sandbox =
        Main.startSandbox(
            ConfigLoader.load(
                "sandbox",
                Map.of(),
                Map.of(
                    "sandbox.port", "0",
                    "sandbox.host", "127.0.0.1",
                    "sandbox.stripe.webhook-secret", SECRET,
                    "sandbox.stripe.retry-base", "100ms",
                    "sandbox.stripe.webhook-url",
                        "http://127.0.0.1:" + endpoint.port() + "/hook")));
    stripe = sandbox.stripe();
    billing =
        new StripeBilling(
            new StripeSettings("sk_test_any", "http://127.0.0.1:" + sandbox.port() + "/stripe"));
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
    if (endpoint != null) {
      endpoint.stop();
    }
  }

  @BeforeEach
  void clear() {
    received.clear();
  }

  private static String paidCheckout(UUID customer) {
    String stripeCustomer = billing.createCustomer(customer, "a@example.com");
    StripeBilling.Checkout checkout =
        billing.createCheckout(
            customer, stripeCustomer, STARTER, "http://app/ok", "http://app/cancel");
    return stripe.pay(checkout.sessionId());
  }

  private static List<Event> receivedFor(String id) {
    return received.stream().filter(e -> e.toJson().contains(id)).toList();
  }

  private static List<String> receivedTypes() {
    return received.stream().map(Event::getType).toList();
  }

  @Test
  void checkoutPaidOnTheHostedPageSendsSignedEventsAndRedirects() throws Exception {
    UUID customer = UUID.randomUUID();
    String stripeCustomer = billing.createCustomer(customer, "page@example.com");
    StripeBilling.Checkout checkout =
        billing.createCheckout(
            customer, stripeCustomer, STARTER, "http://app/ok", "http://app/cancel");
    assertThat(checkout.url()).endsWith("/stripe/checkout/" + checkout.sessionId());

    String page =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(checkout.url())).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(page).contains("page@example.com").contains("price_starter");
    HttpResponse<String> paid =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(checkout.url() + "/pay"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("card=ok"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(paid.statusCode()).isEqualTo(303);
    assertThat(paid.headers().firstValue("Location")).contains("http://app/ok");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> receivedTypes().contains("checkout.session.completed"));
    // Only this customer's: the previous test's deliveries may still be arriving.
    await().atMost(Duration.ofSeconds(10)).until(() -> receivedFor(stripeCustomer).size() == 6);
    assertThat(receivedFor(stripeCustomer).stream().map(Event::getType))
        .containsExactlyInAnyOrder(
            "customer.subscription.created",
            "invoice.created",
            "invoice.finalized",
            "invoice.paid",
            "invoice.payment_succeeded",
            "checkout.session.completed");
    Event completed =
        receivedFor(stripeCustomer).stream()
            .filter(e -> e.getType().equals("checkout.session.completed"))
            .findFirst()
            .orElseThrow();
    com.stripe.model.checkout.Session parsed =
        (com.stripe.model.checkout.Session)
            completed.getDataObjectDeserializer().deserializeUnsafe();
    assertThat(parsed.getClientReferenceId()).isEqualTo(customer.toString());
    assertThat(parsed.getCustomer()).isEqualTo(stripeCustomer);
    assertThat(parsed.getSubscription()).startsWith("sub_");

    // the control API tells when the endpoint took it (a test times from there)
    com.fasterxml.jackson.databind.JsonNode events =
        cloud.openclaw.platform.http.Json.MAPPER.readTree(
            HTTP.send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "http://127.0.0.1:" + sandbox.port() + "/stripe/_sandbox/events"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    com.fasterxml.jackson.databind.JsonNode listed = null;
    for (com.fasterxml.jackson.databind.JsonNode event : events.path("events")) {
      if (event.path("id").asText().equals(completed.getId())) {
        listed = event;
      }
    }
    assertThat(listed).isNotNull();
    assertThat(listed.path("deliveries").asInt()).isEqualTo(1);
    assertThat(java.time.Instant.parse(listed.path("deliveredAt").asText()))
        .isBetween(java.time.Instant.now().minusSeconds(30), java.time.Instant.now());
  }

  @Test
  void aDeclinedCardSendsNothing() throws Exception {
    UUID customer = UUID.randomUUID();
    String stripeCustomer = billing.createCustomer(customer, "d@example.com");
    StripeBilling.Checkout checkout =
        billing.createCheckout(customer, stripeCustomer, STARTER, "http://app/ok", "http://x");

    HttpResponse<String> declined =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(checkout.url() + "/pay"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("card=decline"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(declined.statusCode()).isEqualTo(200);
    assertThat(declined.body()).contains("declined");
    assertThat(stripe.events().stream().map(StripeEventRecord::json))
        .noneMatch(json -> json.contains(checkout.sessionId()));
  }

  @Test
  void subscriptionIsReadAsStripeJavaParsesIt() {
    UUID customer = UUID.randomUUID();
    String sub = paidCheckout(customer);

    StripeSubscription read = billing.subscription(sub);

    assertThat(read.status()).isEqualTo("active");
    assertThat(read.priceId()).isEqualTo("price_starter");
    assertThat(read.metadata()).containsEntry(StripeBilling.CUSTOMER_ID, customer.toString());
    assertThat(read.currentPeriodEnd())
        .isEqualTo(read.currentPeriodStart().atZone(ZoneOffset.UTC).plusMonths(1).toInstant());
    assertThatThrownBy(() -> billing.subscription("sub_missing"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void portalCancelSendsSubscriptionDeleted() throws Exception {
    UUID customer = UUID.randomUUID();
    String sub = paidCheckout(customer);
    String stripeCustomer = billing.subscription(sub).stripeCustomerId();
    String portal = billing.portalUrl(stripeCustomer, "http://app/dashboard");
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(portal)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains(sub);

    HttpResponse<String> cancelled =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(portal + "/cancel"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("subscription=" + sub))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(cancelled.statusCode()).isEqualTo(303);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> receivedTypes().contains("customer.subscription.deleted"));
    assertThat(billing.subscription(sub).status()).isEqualTo("canceled");
  }

  @Test
  void heldEventsAreReleasedNewestFirstAndDuplicatesOnDemand() {
    stripe.hold();
    String sub = paidCheckout(UUID.randomUUID());
    stripe.cancel(sub);
    assertThat(received).isEmpty();

    assertThat(stripe.release(true)).isEqualTo(7);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 7);
    assertThat(receivedTypes().getFirst()).isEqualTo("customer.subscription.deleted");
    assertThat(receivedTypes().getLast()).isEqualTo("customer.subscription.created");

    String deleted = stripe.events("customer.subscription.deleted").getLast().id();
    stripe.redeliver(deleted, 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 10);
    assertThat(received.stream().filter(e -> e.getId().equals(deleted))).hasSize(4);
  }

  @Test
  void anEndpointThatFailsGetsTheEventAgain() {
    failuresToAnswer.set(2);
    stripe.advanceClock(Duration.ofSeconds(5));
    String sub = paidCheckout(UUID.randomUUID());
    stripe.renew(sub);

    // Six at checkout, then the renewal's subscription update and draft invoice.
    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 8);
    assertThat(failuresToAnswer.get()).isZero();
  }
}
