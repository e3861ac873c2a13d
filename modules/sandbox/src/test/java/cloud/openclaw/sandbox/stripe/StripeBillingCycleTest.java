package cloud.openclaw.sandbox.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.billing.StripeSettings;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.sandbox.Main;
import cloud.openclaw.testkit.TestClock;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceLineItem;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.net.ApiResource;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's billing as Stripe runs it, on a clock the test moves: renewals, the draft
 * invoice's hour, failed charges and their retries, a plan switch's proration invoice, a one-off
 * invoice item. Every event is read as stripe-java reads it.
 */
class StripeBillingCycleTest {
  private static final Plan STARTER =
      new Plan("starter", "price_starter", 1000, 10, List.of("kimi-k2.6"), List.of("off"));
  private static final TestClock clock = new TestClock();

  private static Main.Sandbox sandbox;
  private static StripeStandIn stripe;
  private static StripeBilling billing;

  @BeforeAll
  static void start() {
    sandbox =
        Main.startSandbox(
            ConfigLoader.load(
                "sandbox",
                Map.of(),
                Map.of(
                    "sandbox.port", "0",
                    "sandbox.host", "127.0.0.1",
                    "sandbox.smtp.port", "0",
                    "sandbox.stripe.payment-retries", "P3D,P5D")),
            clock);
    stripe = sandbox.stripe();
    billing =
        new StripeBilling(
            new StripeSettings("sk_test_any", "http://127.0.0.1:" + sandbox.port() + "/stripe"));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  private static String subscribe() {
    UUID customer = UUID.randomUUID();
    String stripeCustomer = billing.createCustomer(customer, "cycle@example.com");
    return stripe.pay(
        billing
            .createCheckout(customer, stripeCustomer, STARTER, "http://app/ok", "http://app/no")
            .sessionId());
  }

  /** The events that name {@code id}, oldest first, made after {@code since} events. */
  private static List<Event> eventsOf(String id, int since) {
    List<StripeEventRecord> all = stripe.events();
    return all.subList(since, all.size()).stream()
        .filter(e -> e.json().contains(id))
        .map(e -> ApiResource.GSON.fromJson(e.json(), Event.class))
        .toList();
  }

  private static List<String> types(List<Event> events) {
    return events.stream().map(Event::getType).toList();
  }

  // Empty unless the event's API version is the one stripe-java pins.
  private static <T> T object(Event event, Class<T> type) {
    return type.cast(event.getDataObjectDeserializer().getObject().orElseThrow());
  }

  private static SubscriptionItem item(String sub) {
    return ApiResource.GSON
        .fromJson(stripe.subscription(sub).toString(), Subscription.class)
        .getItems()
        .getData()
        .getFirst();
  }

  /** Moves the clock to {@code at} and lets the stand-in carry out what fell due. */
  private static void advanceTo(long at) {
    clock.advanceTo(Instant.ofEpochSecond(at));
    stripe.runDue();
  }

  @Test
  void aRenewalMovesThePeriodOnTheItemsThenItsDraftIsFinalizedAndPaidAnHourLater() {
    String sub = subscribe();
    SubscriptionItem first = item(sub);
    Instant anchor = Instant.ofEpochSecond(first.getCurrentPeriodStart());
    assertThat(first.getCurrentPeriodEnd())
        .isEqualTo(anchor.atZone(ZoneOffset.UTC).plusMonths(1).toEpochSecond());
    int since = stripe.events().size();

    advanceTo(first.getCurrentPeriodEnd());

    List<Event> renewal = eventsOf(sub, since);
    assertThat(types(renewal)).containsExactly("customer.subscription.updated", "invoice.created");
    SubscriptionItem renewed =
        object(renewal.get(0), Subscription.class).getItems().getData().getFirst();
    assertThat(renewed.getCurrentPeriodStart()).isEqualTo(first.getCurrentPeriodEnd());
    assertThat(renewed.getCurrentPeriodEnd())
        .isEqualTo(anchor.atZone(ZoneOffset.UTC).plusMonths(2).toEpochSecond());
    Invoice draft = object(renewal.get(1), Invoice.class);
    assertThat(draft.getStatus()).isEqualTo("draft");
    assertThat(draft.getBillingReason()).isEqualTo("subscription_cycle");
    assertThat(draft.getParent().getSubscriptionDetails().getSubscription()).isEqualTo(sub);
    assertThat(draft.getAutomaticallyFinalizesAt())
        .isEqualTo(renewed.getCurrentPeriodStart() + 3600);
    // The invoice's own period is the one that ended; its line bills the new one.
    assertThat(draft.getPeriodStart()).isEqualTo(first.getCurrentPeriodStart());
    assertThat(draft.getPeriodEnd()).isEqualTo(first.getCurrentPeriodEnd());
    InvoiceLineItem line = draft.getLines().getData().getFirst();
    assertThat(line.getPeriod().getStart()).isEqualTo(renewed.getCurrentPeriodStart());
    assertThat(line.getPeriod().getEnd()).isEqualTo(renewed.getCurrentPeriodEnd());
    assertThat(line.getParent().getType()).isEqualTo("subscription_item_details");
    assertThat(line.getParent().getSubscriptionItemDetails().getProration()).isFalse();

    advanceTo(draft.getAutomaticallyFinalizesAt() - 1);
    assertThat(eventsOf(sub, since)).hasSize(2);
    advanceTo(draft.getAutomaticallyFinalizesAt());

    List<Event> charged = eventsOf(draft.getId(), since).subList(1, 4);
    assertThat(types(charged))
        .containsExactly("invoice.finalized", "invoice.paid", "invoice.payment_succeeded");
    assertThat(charged).allMatch(e -> e.getCreated().equals(draft.getAutomaticallyFinalizesAt()));
    Invoice paid = object(charged.get(1), Invoice.class);
    assertThat(paid.getStatus()).isEqualTo("paid");
    assertThat(paid.getAmountPaid()).isEqualTo(1000);
  }

  @Test
  void aDeclinedRenewalIsPastDueRetriedOnScheduleAndUnpaidAfterTheLastRetry() {
    String sub = subscribe();
    stripe.failPayment(sub);
    long end = item(sub).getCurrentPeriodEnd();
    int since = stripe.events().size();

    advanceTo(end + 3600);

    List<Event> failed = eventsOf(sub, since);
    assertThat(types(failed))
        .containsExactly(
            "customer.subscription.updated",
            "invoice.created",
            "invoice.finalized",
            "invoice.payment_failed",
            "customer.subscription.updated");
    Invoice invoice = object(failed.get(3), Invoice.class);
    assertThat(invoice.getAttemptCount()).isEqualTo(1);
    assertThat(invoice.getStatus()).isEqualTo("open");
    assertThat(invoice.getNextPaymentAttempt())
        .isEqualTo(end + 3600 + Duration.ofDays(3).toSeconds());
    assertThat(object(failed.get(4), Subscription.class).getStatus()).isEqualTo("past_due");

    advanceTo(invoice.getNextPaymentAttempt());
    Invoice second = object(eventsOf(sub, since).getLast(), Invoice.class);
    assertThat(second.getAttemptCount()).isEqualTo(2);
    assertThat(second.getNextPaymentAttempt())
        .isEqualTo(invoice.getNextPaymentAttempt() + Duration.ofDays(5).toSeconds());

    advanceTo(second.getNextPaymentAttempt());
    List<Event> last = eventsOf(sub, since);
    assertThat(types(last.subList(last.size() - 2, last.size())))
        .containsExactly("invoice.payment_failed", "customer.subscription.updated");
    assertThat(object(last.get(last.size() - 2), Invoice.class).getNextPaymentAttempt()).isNull();
    assertThat(object(last.getLast(), Subscription.class).getStatus()).isEqualTo("unpaid");
  }

  @Test
  void aRetryWithAWorkingCardPaysAndTheSubscriptionIsActiveAgain() {
    String sub = subscribe();
    stripe.failPayment(sub);
    long end = item(sub).getCurrentPeriodEnd();
    advanceTo(end + 3600);
    stripe.fixPayment(sub);
    int since = stripe.events().size();

    advanceTo(end + 3600 + Duration.ofDays(3).toSeconds());

    List<Event> paid = eventsOf(sub, since);
    assertThat(types(paid))
        .containsExactly(
            "invoice.paid", "invoice.payment_succeeded", "customer.subscription.updated");
    assertThat(object(paid.getFirst(), Invoice.class).getAttemptCount()).isEqualTo(2);
    assertThat(object(paid.getLast(), Subscription.class).getStatus()).isEqualTo("active");
  }

  @Test
  void aPlanSwitchIsInvoicedAtOnceProrationFirstAndLeavesThePeriodAlone() {
    String sub = subscribe();
    SubscriptionItem before = item(sub);
    clock.advance(Duration.ofDays(10));
    int since = stripe.events().size();

    stripe.update(sub, "price_pro", null);

    List<Event> switched = eventsOf(sub, since);
    assertThat(types(switched))
        .containsExactly(
            "customer.subscription.updated",
            "invoice.created",
            "invoice.finalized",
            "invoice.paid",
            "invoice.payment_succeeded");
    SubscriptionItem after =
        object(switched.getFirst(), Subscription.class).getItems().getData().getFirst();
    assertThat(after.getPrice().getId()).isEqualTo("price_pro");
    assertThat(after.getCurrentPeriodStart()).isEqualTo(before.getCurrentPeriodStart());
    assertThat(after.getCurrentPeriodEnd()).isEqualTo(before.getCurrentPeriodEnd());
    Invoice proration = object(switched.get(1), Invoice.class);
    assertThat(proration.getBillingReason()).isEqualTo("subscription_update");
    assertThat(proration.getParent().getSubscriptionDetails().getSubscriptionProrationDate())
        .isEqualTo(switched.getFirst().getCreated());
    List<InvoiceLineItem> lines = proration.getLines().getData();
    assertThat(lines).hasSize(2);
    assertThat(lines)
        .allMatch(l -> l.getParent().getSubscriptionItemDetails().getProration())
        .allMatch(l -> l.getPeriod().getEnd().equals(before.getCurrentPeriodEnd()));
    // The first line is the credit for the old price: its period starts at the switch.
    assertThat(lines.getFirst().getAmount()).isNegative();
    assertThat(lines.getFirst().getPricing().getPriceDetails().getPrice())
        .isEqualTo("price_starter");
    assertThat(lines.getFirst().getPeriod().getStart())
        .isGreaterThan(before.getCurrentPeriodStart());
  }

  @Test
  void aOneOffInvoiceItemIsInvoicedForTheSubscriptionButBillsNoPeriod() {
    String sub = subscribe();
    int since = stripe.events().size();

    String invoiceId = stripe.invoiceItem(sub, 500, "Setup");

    List<Event> invoiced = eventsOf(invoiceId, since);
    assertThat(types(invoiced))
        .containsExactly(
            "invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded");
    Invoice invoice = object(invoiced.getLast(), Invoice.class);
    assertThat(invoice.getBillingReason()).isEqualTo("manual");
    assertThat(invoice.getParent().getSubscriptionDetails().getSubscription()).isEqualTo(sub);
    InvoiceLineItem line = invoice.getLines().getData().getFirst();
    assertThat(line.getParent().getType()).isEqualTo("invoice_item_details");
    assertThat(line.getParent().getInvoiceItemDetails().getInvoiceItem()).startsWith("ii_");
    assertThat(line.getPeriod().getStart()).isEqualTo(line.getPeriod().getEnd());
    assertThat(stripe.subscription(sub).path("status").asText()).isEqualTo("active");
  }

  @Test
  void aSubscriptionCancelledAtPeriodEndEndsWithItsPeriod() {
    String sub = subscribe();
    stripe.update(sub, null, true);
    long end = item(sub).getCurrentPeriodEnd();
    int since = stripe.events().size();

    advanceTo(end);

    List<Event> ended = eventsOf(sub, since);
    assertThat(types(ended)).containsExactly("customer.subscription.deleted");
    assertThat(object(ended.getFirst(), Subscription.class).getEndedAt()).isEqualTo(end);
  }
}
