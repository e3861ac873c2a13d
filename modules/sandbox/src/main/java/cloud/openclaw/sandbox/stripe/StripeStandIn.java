package cloud.openclaw.sandbox.stripe;

import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.jobs.Periodic;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the Stripe API, mounted at {@value #MOUNT}: stripe-java with {@code apiBase}
 * {@code http://<sandbox>/stripe} calls it as it would call api.stripe.com.
 *
 * <h2>The Stripe API (form-encoded requests, JSON answers, Stripe's error shape)</h2>
 *
 * <p>{@code POST/GET /v1/customers[/{id}]}, {@code POST/GET /v1/checkout/sessions[/{id}]}
 * (subscription mode), {@code POST /v1/billing_portal/sessions}, {@code GET
 * /v1/subscriptions/{id}}, {@code GET /v1/invoices/{id}}. Any {@code Authorization: Bearer <key>}
 * is accepted; none is a 401. Objects have the shapes of API version 2026-07-29.dahlia (the version
 * stripe-java 33 pins): a subscription's period is on its items, an invoice names its subscription
 * under {@code parent}, a line says under {@code parent} whether it is a proration ({@link
 * StripeInvoices}).
 *
 * <h2>Billing as Stripe does it, on the stand-in's clock</h2>
 *
 * <p>Every price costs $10 a month; periods are calendar months from the subscription's {@code
 * billing_cycle_anchor}. When a period ends (the clock reaches its {@code current_period_end}), the
 * subscription moves to the next period ({@code customer.subscription.updated}, the new period on
 * its items) and a draft invoice is made ({@code invoice.created}); {@code
 * sandbox.stripe.finalize-delay} later (an hour, as in Stripe) it is finalized ({@code
 * invoice.finalized}) and charged: {@code invoice.paid} and {@code invoice.payment_succeeded}, or
 * {@code invoice.payment_failed} with the subscription {@code past_due} and {@code
 * next_payment_attempt} set by {@code sandbox.stripe.payment-retries} (3, 5 and 7 days), retried
 * then; after the last failure the subscription becomes {@code sandbox.stripe.after-last-retry}
 * (unpaid). A subscription cancelled at period end is deleted when the period ends. A plan switch
 * is invoiced at once, proration lines first ({@code billing_reason} subscription_update), as
 * Stripe does with proration_behavior=always_invoice. Whether a charge succeeds is the
 * subscription's {@code default_payment_method}: {@value #WORKING_CARD}, or {@value
 * #DECLINING_CARD} (Stripe's test card that attaches, then declines every charge). Due work runs as
 * the clock passes it, in time order, and events carry the time it was due.
 *
 * <h2>Hosted pages</h2>
 *
 * <p>A session's {@code url} is {@code /stripe/checkout/{id}}: a page a person (or a test) pays on.
 * Paying makes the subscription (active, a month's period) and sends {@code
 * customer.subscription.created}, {@code invoice.created}, {@code invoice.finalized}, {@code
 * invoice.paid}, {@code invoice.payment_succeeded} and {@code checkout.session.completed}, then
 * redirects to the success URL. A portal session's {@code url} is {@code /stripe/portal/{id}}:
 * cancel now ({@code customer.subscription.deleted}), cancel at period end, change the price (a
 * proration invoice), and, to rehearse what time brings: renew now, the card declines or works
 * again, pay the open invoice now, a one-off charge, an hour passes, give up on the payment
 * (unpaid).
 *
 * <h2>Webhooks</h2>
 *
 * <p>Events are POSTed to {@code sandbox.stripe.webhook-url} (or the URL set through {@code POST
 * /stripe/_sandbox/webhook {"url", "secret"?}}), signed with {@code Stripe-Signature:
 * t=..,v1=HMAC-SHA256}, retried with backoff until a 2xx, as Stripe does.
 *
 * <h2>The sandbox's controls (JSON; errors in the platform's shape)</h2>
 *
 * <ul>
 *   <li>{@code POST /_sandbox/checkout/{session}/pay} → {@code {"subscription"}};
 *   <li>{@code POST /_sandbox/subscriptions/{id}/{action}}: {@code cancel}, {@code renew} (the
 *       period ends now: a shortcut, as if the billing cycle's anchor were reset to now), {@code
 *       fail-payment} / {@code fix-payment} (the card declines / works from now on), {@code
 *       pay-now} (the open invoices are charged now, as on Stripe's hosted invoice page), {@code
 *       invoice-item} (a one-off charge, invoiced and charged at once), {@code unpaid} (Stripe gave
 *       up); {@code POST /_sandbox/subscriptions/{id}/update {"price"?, "cancelAtPeriodEnd"?}};
 *   <li>{@code GET /_sandbox/events} (all made, oldest first, with their delivery counts and when
 *       the endpoint first took each, {@code deliveredAt}, or null); {@code POST
 *       /_sandbox/events/{id}/deliver {"times"}}: duplicates;
 *   <li>{@code POST /_sandbox/delivery/hold}, {@code POST /_sandbox/delivery/release {"reverse"}}:
 *       out of order;
 *   <li>{@code POST /_sandbox/clock/advance {"seconds"}}: the stand-in's clock moves ahead, as a
 *       Stripe test clock does, and what falls due meanwhile happens (renewals, finalizations,
 *       retries).
 * </ul>
 *
 * <p>Not as Stripe: no payment methods to manage, taxes, coupons or invoice lists; one clock for
 * all subscriptions (as if they shared one test clock).
 *
 * <h2>State</h2>
 *
 * <p>In memory, unless the stand-in is given a {@link StripeStateFile} ({@code sandbox.state-dir}):
 * then its objects, events and their deliveries ({@link StripeState}) are written after every
 * change and read back at start; events the endpoint never took are delivered again, and what fell
 * due on the stand-in's clock meanwhile (renewals, finalizations, retries) happens.
 */
public final class StripeStandIn implements HttpService, AutoCloseable {
  public static final String MOUNT = "/stripe";
  public static final String API_VERSION = "2026-07-29.dahlia";

  /** Stripe's test card that works. */
  public static final String WORKING_CARD = "pm_card_visa";

  /** Stripe's test card that attaches, then declines every charge. */
  public static final String DECLINING_CARD = "pm_card_chargeCustomerFail";

  // Every price: $10 a month, in cents.
  private static final long PRICE_AMOUNT = 1000;
  // How often the stand-in looks whether its clock reached something due.
  private static final Duration TICK = Duration.ofMillis(200);
  // Subscriptions that move on to their next period when one ends (Stripe keeps invoicing a past
  // due or unpaid one; an unpaid one's invoices stay drafts).
  private static final Set<String> RENEWING = Set.of("active", "trialing", "past_due", "unpaid");
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private final SecureRandom random = new SecureRandom();
  private final AtomicLong clockOffset = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong();
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return base.instant().plusSeconds(clockOffset.get());
        }
      };
  private final Map<String, ObjectNode> customers = new LinkedHashMap<>();
  private final Map<String, ObjectNode> sessions = new LinkedHashMap<>();
  private final Map<String, ObjectNode> portalSessions = new LinkedHashMap<>();
  private final Map<String, ObjectNode> subscriptions = new LinkedHashMap<>();
  private final Map<String, ObjectNode> invoices = new LinkedHashMap<>();
  private final Map<String, StripeEventRecord> events = new LinkedHashMap<>();
  private final StripeSandboxSettings settings;
  private final Clock base;
  private final WebhookDelivery delivery;
  private final StripeStateFile stateFile;
  private final Periodic ticker;
  private volatile String publicBase = "";

  /** The stand-in on {@code base}'s time (plus what {@link #advanceClock} adds), in memory. */
  public StripeStandIn(StripeSandboxSettings settings, Clock base) {
    this(settings, base, null);
  }

  /**
   * A stand-in that keeps its state in {@code stateFile} (null: in memory only), starting from what
   * an earlier run left there.
   */
  public StripeStandIn(StripeSandboxSettings settings, Clock base, StripeStateFile stateFile) {
    this.settings = settings;
    this.base = base;
    this.stateFile = stateFile;
    this.delivery = new WebhookDelivery(settings, clock, this::save);
    if (stateFile != null) {
      stateFile.load().ifPresent(this::restore);
    }
    this.ticker = Periodic.start("stripe-clock", TICK, this::runDue);
  }

  @Override
  public void close() {
    ticker.close();
  }

  /**
   * The base URL people reach the sandbox at ({@code http://127.0.0.1:8090}), for the hosted pages'
   * URLs; unset, they are taken from each request's Host header.
   */
  public void publicBase(String base) {
    this.publicBase = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .post("/v1/customers", api(this::createCustomer))
        .get("/v1/customers/{id}", api((req, form) -> find(customers, "customer", id(req))))
        .post("/v1/checkout/sessions", api(this::createSession))
        .get(
            "/v1/checkout/sessions/{id}",
            api((req, form) -> find(sessions, "checkout.session", id(req))))
        .post("/v1/billing_portal/sessions", api(this::createPortalSession))
        .get(
            "/v1/subscriptions/{id}",
            api((req, form) -> find(subscriptions, "subscription", id(req))))
        .get("/v1/invoices/{id}", api((req, form) -> find(invoices, "invoice", id(req))))
        .get("/checkout/{id}", this::checkoutPage)
        .post("/checkout/{id}/pay", this::checkoutPaid)
        .get("/portal/{id}", this::portalPage)
        .post("/portal/{id}/{action}", this::portalAction)
        .post("/_sandbox/webhook", this::setWebhook)
        .post("/_sandbox/checkout/{id}/pay", this::controlPay)
        .post("/_sandbox/subscriptions/{id}/{action}", this::controlSubscription)
        .get("/_sandbox/events", (req, res) -> Json.send(res, Status.OK_200, eventList()))
        .post("/_sandbox/events/{id}/deliver", this::controlRedeliver)
        .post(
            "/_sandbox/delivery/hold",
            (req, res) -> {
              hold();
              Json.send(res, Status.OK_200, Map.of("holding", true));
            })
        .post("/_sandbox/delivery/release", this::controlRelease)
        .post("/_sandbox/clock/advance", this::controlClock);
  }

  // ---- Java controls (tests in the same JVM) ----

  /** Where events go from now on; held events are sent there. */
  public void webhook(String url, String secret) {
    delivery.endpoint(url, secret);
  }

  /** Pays the checkout session as the hosted page would; the new subscription's id. */
  public synchronized String pay(String sessionId) {
    ObjectNode session = find(sessions, "checkout.session", sessionId);
    if (session.hasNonNull("subscription")) {
      return session.path("subscription").asText();
    }
    long now = seconds();
    String customerId = session.path("customer").asText();
    ObjectNode subscription = Json.MAPPER.createObjectNode();
    String subId = newId("sub_");
    subscription.put("id", subId).put("object", "subscription").put("customer", customerId);
    subscription.put("status", "active").put("cancel_at_period_end", false);
    subscription.putNull("cancel_at").putNull("canceled_at").putNull("ended_at");
    subscription.put("created", now).put("start_date", now).put("livemode", false);
    subscription.put("billing_cycle_anchor", now);
    subscription.put("currency", "usd").put("collection_method", "charge_automatically");
    subscription.put("default_payment_method", WORKING_CARD).putNull("latest_invoice");
    subscription.set("metadata", session.path("subscription_metadata").deepCopy());
    ObjectNode item = subscription.putObject("items").put("object", "list").put("has_more", false);
    item.put("url", "/v1/subscription_items?subscription=" + subId);
    ObjectNode first = item.putArray("data").addObject();
    first.put("id", newId("si_")).put("object", "subscription_item").put("subscription", subId);
    first.put("quantity", 1).put("created", now);
    first.put("current_period_start", now);
    first.put("current_period_end", periodEnd(now, now));
    first.set("price", price(session.path("price").asText()));
    subscriptions.put(subId, subscription);
    session.put("subscription", subId).put("status", "complete").put("payment_status", "paid");
    session.putNull("url");
    emit("customer.subscription.created", subscription);
    // The first invoice is finalized and charged at once (no hour's wait), for the first period.
    ObjectNode invoice = periodInvoice(subscription, "subscription_create", now, now, now);
    emit("invoice.created", invoice, now);
    finalizeAndCharge(invoice, now);
    emit("checkout.session.completed", session);
    return subId;
  }

  /** Cancels at once: {@code customer.subscription.deleted}. */
  public synchronized void cancel(String subscriptionId) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    long now = clock.instant().getEpochSecond();
    sub.put("status", "canceled").put("canceled_at", now).put("ended_at", now);
    emit("customer.subscription.deleted", sub);
  }

  /**
   * The current period ends now and the next begins (a shortcut for what Stripe does when the
   * period's end comes, as if the billing cycle's anchor were reset to now): {@code
   * customer.subscription.updated} and a draft {@code invoice.created}, finalized and charged after
   * the finalize delay.
   */
  public synchronized void renew(String subscriptionId) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    long now = seconds();
    sub.put("billing_cycle_anchor", now);
    item(sub).put("current_period_end", now);
    runDue();
  }

  /** From now on the subscription's card declines every charge. */
  public synchronized void failPayment(String subscriptionId) {
    card(subscriptionId, DECLINING_CARD);
  }

  /** From now on the subscription's card works (the next retry, or {@link #payNow}, succeeds). */
  public synchronized void fixPayment(String subscriptionId) {
    card(subscriptionId, WORKING_CARD);
  }

  private void card(String subscriptionId, String paymentMethod) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    sub.put("default_payment_method", paymentMethod);
    emit("customer.subscription.updated", sub);
  }

  /** The subscription's open invoices are charged now, as on Stripe's hosted invoice page. */
  public synchronized void payNow(String subscriptionId) {
    find(subscriptions, "subscription", subscriptionId);
    for (ObjectNode invoice : List.copyOf(invoices.values())) {
      if ("open".equals(invoice.path("status").asText())
          && subscriptionId.equals(StripeInvoices.subscriptionOf(invoice))) {
        charge(invoice, seconds());
      }
    }
  }

  /** Stripe gave up retrying the payment: the subscription unpaid, no attempt planned. */
  public synchronized void markUnpaid(String subscriptionId) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    for (ObjectNode invoice : invoices.values()) {
      if (subscriptionId.equals(StripeInvoices.subscriptionOf(invoice))) {
        invoice.putNull("next_payment_attempt");
      }
    }
    sub.put("status", "unpaid");
    emit("customer.subscription.updated", sub);
  }

  /**
   * A plan change or a cancellation at period end: {@code customer.subscription.updated}. A new
   * price is invoiced at once, the proration lines first (credit for the old price's unused time,
   * charge for the new one's), the period unchanged.
   */
  public synchronized void update(String subscriptionId, String price, Boolean cancelAtPeriodEnd) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    ObjectNode item = item(sub);
    String previous = item.path("price").path("id").asText();
    boolean switched = price != null && !price.equals(previous);
    if (switched) {
      item.set("price", price(price));
    }
    if (cancelAtPeriodEnd != null) {
      sub.put("cancel_at_period_end", cancelAtPeriodEnd);
      if (cancelAtPeriodEnd) {
        sub.put("cancel_at", item.path("current_period_end").asLong());
      } else {
        sub.putNull("cancel_at");
      }
    }
    long now = seconds();
    emit("customer.subscription.updated", sub, now);
    if (switched) {
      prorate(sub, previous, price, now);
    }
  }

  /**
   * A one-off charge for the subscription's customer: an invoice item, invoiced and charged at
   * once; the invoice is the subscription's but bills no period of it.
   */
  public synchronized String invoiceItem(String subscriptionId, long amount, String description) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    long now = seconds();
    ObjectNode invoice =
        StripeInvoices.draft(
            newId("in_"), sub.path("customer").asText(), sub, "manual", now, now, now);
    StripeInvoices.invoiceItemLine(
        newId("il_"), invoice, newId("ii_"), subscriptionId, amount, now, description);
    invoices.put(invoice.path("id").asText(), invoice);
    emit("invoice.created", invoice, now);
    finalizeAndCharge(invoice, now);
    return invoice.path("id").asText();
  }

  /** An invoice as Stripe has it now. */
  public synchronized ObjectNode invoice(String invoiceId) {
    return find(invoices, "invoice", invoiceId).deepCopy();
  }

  /** A subscription as Stripe has it now. */
  public synchronized ObjectNode subscription(String subscriptionId) {
    return find(subscriptions, "subscription", subscriptionId).deepCopy();
  }

  /** Every event made so far, oldest first. */
  public synchronized List<StripeEventRecord> events() {
    return List.copyOf(events.values());
  }

  /** The events of {@code type}, oldest first. */
  public List<StripeEventRecord> events(String type) {
    return events().stream().filter(e -> e.type().equals(type)).toList();
  }

  /** Delivers the event again, {@code times} times at once. */
  public void redeliver(String eventId, int times) {
    StripeEventRecord event;
    synchronized (this) {
      event = events.get(eventId);
    }
    if (event == null) {
      throw new NotFoundException("event " + eventId);
    }
    delivery.redeliver(event, times);
  }

  /** How many deliveries of the event the endpoint took (2xx). */
  public int deliveries(String eventId) {
    return delivery.deliveries(eventId);
  }

  /** Keeps new events back until {@link #release}. */
  public void hold() {
    delivery.hold();
  }

  /** Sends the held events, oldest or newest first; how many. */
  public int release(boolean reverse) {
    return delivery.release(reverse);
  }

  /**
   * Moves the stand-in's clock ahead (event times, periods) and carries out what falls due on the
   * way, as a Stripe test clock does.
   */
  public void advanceClock(Duration by) {
    clockOffset.addAndGet(by.toSeconds());
    save();
    runDue();
  }

  /** The stand-in's time now. */
  public Instant now() {
    return clock.instant();
  }

  /**
   * Carries out what the clock has reached, the earliest first: a period's end (renewal, or the end
   * of a subscription cancelled at period end), a draft's finalization and charge, a failed
   * charge's retry. The stand-in looks every 200 ms; how many were done.
   */
  public synchronized int runDue() {
    int done = 0;
    for (Due due = nextDue(); due != null; due = nextDue()) {
      due.action().run();
      done++;
    }
    if (done > 0) {
      save();
    }
    return done;
  }

  private record Due(long at, Runnable action) {}

  private Due nextDue() {
    long now = seconds();
    Due first = null;
    for (ObjectNode sub : subscriptions.values()) {
      long end = item(sub).path("current_period_end").asLong();
      if (RENEWING.contains(sub.path("status").asText()) && end <= now) {
        first = earlier(first, new Due(end, () -> periodEnds(sub, end)));
      }
    }
    for (ObjectNode invoice : invoices.values()) {
      String status = invoice.path("status").asText();
      JsonNode finalizes = invoice.path("automatically_finalizes_at");
      JsonNode retry = invoice.path("next_payment_attempt");
      if ("draft".equals(status) && finalizes.isNumber() && finalizes.asLong() <= now) {
        long at = finalizes.asLong();
        first = earlier(first, new Due(at, () -> finalizeAndCharge(invoice, at)));
      } else if ("open".equals(status) && retry.isNumber() && retry.asLong() <= now) {
        long at = retry.asLong();
        first = earlier(first, new Due(at, () -> charge(invoice, at)));
      }
    }
    return first;
  }

  private static Due earlier(Due first, Due other) {
    return first == null || other.at() < first.at() ? other : first;
  }

  // ---- the API ----

  private interface ApiCall {
    JsonNode handle(ServerRequest request, Map<String, String> form);
  }

  private io.helidon.webserver.http.Handler api(ApiCall call) {
    return (request, response) -> {
      Optional<String> auth = request.headers().value(HeaderNames.AUTHORIZATION);
      if (auth.isEmpty() || !auth.get().startsWith("Bearer ") || auth.get().length() < 10) {
        stripeError(response, Status.UNAUTHORIZED_401, "You did not provide an API key.", null);
        return;
      }
      Map<String, String> form = form(request);
      JsonNode answer;
      try {
        synchronized (this) {
          answer = call.handle(request, form);
          if (Method.POST.equals(request.prologue().method())) {
            save();
          }
        }
      } catch (NotFoundException e) {
        stripeError(response, Status.NOT_FOUND_404, e.getMessage(), "resource_missing");
        return;
      } catch (InvalidInputException e) {
        stripeError(response, Status.BAD_REQUEST_400, e.getMessage(), "parameter_missing");
        return;
      }
      response.header("Request-Id", newId("req_"));
      response.header("Stripe-Version", API_VERSION);
      Json.send(response, Status.OK_200, answer);
    };
  }

  private JsonNode createCustomer(ServerRequest request, Map<String, String> form) {
    ObjectNode customer = Json.MAPPER.createObjectNode();
    String id = newId("cus_");
    customer.put("id", id).put("object", "customer").put("email", form.get("email"));
    customer.put("name", form.get("name")).put("created", seconds()).put("livemode", false);
    customer.set("metadata", metadata(form, "metadata"));
    customers.put(id, customer);
    return customer;
  }

  private JsonNode createSession(ServerRequest request, Map<String, String> form) {
    if (!"subscription".equals(form.get("mode"))) {
      throw new InvalidInputException("mode", "Only subscription mode is supported here.");
    }
    String price = required(form, "line_items[0][price]");
    String customer = form.get("customer");
    if (customer != null) {
      find(customers, "customer", customer);
    } else {
      ObjectNode made = (ObjectNode) createCustomer(request, Map.of("email", emailOf(form)));
      customer = made.path("id").asText();
    }
    String id = newId("cs_test_");
    ObjectNode session = Json.MAPPER.createObjectNode();
    session.put("id", id).put("object", "checkout.session").put("mode", "subscription");
    session.put("customer", customer);
    session.put("customer_email", customers.get(customer).path("email").asText(null));
    session.put("client_reference_id", form.get("client_reference_id"));
    session.put("success_url", required(form, "success_url"));
    session.put("cancel_url", form.get("cancel_url"));
    session.put("status", "open").put("payment_status", "unpaid").putNull("subscription");
    session.put("created", seconds()).put("expires_at", seconds() + 86_400).put("livemode", false);
    session.put("url", base(request) + MOUNT + "/checkout/" + id);
    session.set("metadata", metadata(form, "metadata"));
    // Kept for the subscription this session makes; Stripe keeps them out of the session object.
    session.put("price", price);
    session.set("subscription_metadata", metadata(form, "subscription_data[metadata]"));
    sessions.put(id, session);
    return publicSession(session);
  }

  private JsonNode createPortalSession(ServerRequest request, Map<String, String> form) {
    String customer = required(form, "customer");
    find(customers, "customer", customer);
    String id = newId("bps_");
    ObjectNode session = Json.MAPPER.createObjectNode();
    session.put("id", id).put("object", "billing_portal.session").put("customer", customer);
    session.put("return_url", form.get("return_url")).put("created", seconds());
    session.put("livemode", false).put("url", base(request) + MOUNT + "/portal/" + id);
    portalSessions.put(id, session);
    return session;
  }

  private static ObjectNode publicSession(ObjectNode session) {
    ObjectNode copy = session.deepCopy();
    copy.remove("price");
    copy.remove("subscription_metadata");
    return copy;
  }

  // ---- hosted pages ----

  private void checkoutPage(ServerRequest request, ServerResponse response) {
    ObjectNode session;
    synchronized (this) {
      session = sessions.get(id(request));
    }
    html(response, StripePages.checkout(session));
  }

  private void checkoutPaid(ServerRequest request, ServerResponse response) {
    String id = id(request);
    Map<String, String> form = form(request);
    if ("decline".equals(form.get("card"))) {
      ObjectNode session;
      synchronized (this) {
        session = sessions.get(id);
      }
      html(response, StripePages.declined(session));
      return;
    }
    pay(id);
    String successUrl;
    synchronized (this) {
      successUrl = sessions.get(id).path("success_url").asText();
    }
    redirect(response, successUrl.replace("{CHECKOUT_SESSION_ID}", id));
  }

  private void portalPage(ServerRequest request, ServerResponse response) {
    ObjectNode session;
    List<ObjectNode> subs;
    synchronized (this) {
      session = portalSessions.get(id(request));
      String customer = session == null ? "" : session.path("customer").asText();
      subs =
          subscriptions.values().stream()
              .filter(s -> s.path("customer").asText().equals(customer))
              .map(ObjectNode::deepCopy)
              .toList();
    }
    html(response, StripePages.portal(session, subs));
  }

  private void portalAction(ServerRequest request, ServerResponse response) {
    String portal = id(request);
    String action = request.path().pathParameters().get("action");
    Map<String, String> form = form(request);
    String sub = form.getOrDefault("subscription", "");
    synchronized (this) {
      if (!portalSessions.containsKey(portal)) {
        throw new NotFoundException("portal session");
      }
      String owner = portalSessions.get(portal).path("customer").asText();
      if (!find(subscriptions, "subscription", sub).path("customer").asText().equals(owner)) {
        throw new NotFoundException("subscription");
      }
    }
    subscriptionAction(sub, action, form.get("price"));
    redirect(response, MOUNT + "/portal/" + portal);
  }

  private void subscriptionAction(String sub, String action, String price) {
    switch (action) {
      case "cancel" -> cancel(sub);
      case "cancel-at-period-end" -> update(sub, null, true);
      case "resume" -> update(sub, null, false);
      case "change-price" -> update(sub, price, null);
      case "renew" -> renew(sub);
      case "fail-payment" -> failPayment(sub);
      case "fix-payment" -> fixPayment(sub);
      case "pay-now" -> payNow(sub);
      case "invoice-item" -> invoiceItem(sub, 500, "One-off charge");
      case "an-hour-passes" -> advanceClock(Duration.ofHours(1));
      case "unpaid" -> markUnpaid(sub);
      default -> throw new NotFoundException("action " + action);
    }
  }

  // ---- controls ----

  private void setWebhook(ServerRequest request, ServerResponse response) {
    JsonNode body = jsonBody(request);
    String url = body.path("url").asText("");
    if (url.isBlank()) {
      throw new InvalidInputException("url", "the endpoint's URL is required");
    }
    webhook(url, body.path("secret").asText(null));
    Json.send(response, Status.OK_200, Map.of("url", url));
  }

  private void controlPay(ServerRequest request, ServerResponse response) {
    Json.send(response, Status.OK_200, Map.of("subscription", pay(id(request))));
  }

  private void controlSubscription(ServerRequest request, ServerResponse response) {
    String action = request.path().pathParameters().get("action");
    String sub = id(request);
    if ("update".equals(action)) {
      JsonNode body = jsonBody(request);
      update(
          sub,
          body.hasNonNull("price") ? body.get("price").asText() : null,
          body.hasNonNull("cancelAtPeriodEnd") ? body.get("cancelAtPeriodEnd").asBoolean() : null);
    } else {
      subscriptionAction(sub, action, null);
    }
    Json.send(response, Status.OK_200, find(subscriptions, "subscription", sub));
  }

  private void controlRedeliver(ServerRequest request, ServerResponse response) {
    int times = Math.max(1, Math.min(100, jsonBody(request).path("times").asInt(1)));
    redeliver(id(request), times);
    Json.send(response, Status.ACCEPTED_202, Map.of("times", times));
  }

  private void controlRelease(ServerRequest request, ServerResponse response) {
    int released = release(jsonBody(request).path("reverse").asBoolean(false));
    Json.send(response, Status.OK_200, Map.of("released", released));
  }

  private void controlClock(ServerRequest request, ServerResponse response) {
    long seconds = jsonBody(request).path("seconds").asLong(0);
    if (seconds <= 0) {
      throw new InvalidInputException("seconds", "a positive number of seconds");
    }
    advanceClock(Duration.ofSeconds(seconds));
    Json.send(response, Status.OK_200, Map.of("now", now().toString()));
  }

  private Map<String, Object> eventList() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (StripeEventRecord event : events()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("id", event.id());
      entry.put("type", event.type());
      entry.put("created", event.created());
      entry.put("deliveries", deliveries(event.id()));
      // when the endpoint first answered 2xx (real time, not the stand-in's clock), or null
      entry.put("deliveredAt", delivery.firstDelivered(event.id()).orElse(null));
      list.add(entry);
    }
    return Map.of("events", list, "webhookUrl", String.valueOf(delivery.url()));
  }

  // ---- state ----

  /** Every kind of object the stand-in keeps, by the name it is saved under. */
  private Map<String, Map<String, ObjectNode>> objects() {
    Map<String, Map<String, ObjectNode>> objects = new LinkedHashMap<>();
    objects.put("customers", customers);
    objects.put("checkout_sessions", sessions);
    objects.put("portal_sessions", portalSessions);
    objects.put("subscriptions", subscriptions);
    objects.put("invoices", invoices);
    return objects;
  }

  /** The whole state as plain data. */
  public synchronized StripeState state() {
    Map<String, Map<String, ObjectNode>> objects = new LinkedHashMap<>();
    objects().forEach((kind, byId) -> objects.put(kind, new LinkedHashMap<>(byId)));
    Map<String, StripeState.Delivered> deliveries = new LinkedHashMap<>();
    for (String id : events.keySet()) {
      delivery
          .firstDelivered(id)
          .ifPresent(first -> deliveries.put(id, new StripeState.Delivered(deliveries(id), first)));
    }
    return new StripeState(objects, List.copyOf(events.values()), deliveries, clockOffset.get());
  }

  /** Writes the state, when it is kept; after every change. */
  private synchronized void save() {
    if (stateFile != null) {
      stateFile.save(state());
    }
  }

  private synchronized void restore(StripeState state) {
    objects().forEach((kind, byId) -> byId.putAll(state.objects().getOrDefault(kind, Map.of())));
    clockOffset.set(state.clockOffset());
    for (StripeEventRecord event : state.events()) {
      events.put(event.id(), event);
      sequence.accumulateAndGet(event.sequence(), Math::max);
      StripeState.Delivered delivered = state.deliveries().get(event.id());
      if (delivered == null) {
        delivery.submit(event);
      } else {
        delivery.restore(event.id(), delivered.count(), delivered.first());
      }
    }
  }

  // ---- helpers ----

  private void emit(String type, ObjectNode object) {
    emit(type, object, seconds());
  }

  /** An event made at {@code created} (seconds): when what it tells happened. */
  private void emit(String type, ObjectNode object, long created) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    String id = newId("evt_");
    event.put("id", id).put("object", "event").put("api_version", API_VERSION);
    event.put("created", created).put("livemode", false).put("pending_webhooks", 1);
    event.putObject("request").putNull("id").putNull("idempotency_key");
    event.put("type", type);
    JsonNode data =
        "checkout.session".equals(object.path("object").asText())
            ? publicSession(object)
            : object.deepCopy();
    event.putObject("data").set("object", data);
    StripeEventRecord record =
        new StripeEventRecord(id, type, created, Json.write(event), sequence.incrementAndGet());
    events.put(id, record);
    save();
    delivery.submit(record);
  }

  // ---- billing: periods, invoices, charges ----

  /**
   * The period's end came: a subscription cancelled at period end ends; any other moves to the next
   * period and gets its draft invoice (an unpaid one's is never finalized).
   */
  private void periodEnds(ObjectNode sub, long at) {
    if (sub.path("cancel_at_period_end").asBoolean()) {
      sub.put("status", "canceled").put("canceled_at", at).put("ended_at", at);
      emit("customer.subscription.deleted", sub, at);
      return;
    }
    ObjectNode item = item(sub);
    long previousStart = item.path("current_period_start").asLong();
    item.put("current_period_start", at);
    item.put("current_period_end", periodEnd(sub.path("billing_cycle_anchor").asLong(), at));
    emit("customer.subscription.updated", sub, at);
    ObjectNode invoice = periodInvoice(sub, "subscription_cycle", at, previousStart, at);
    if ("unpaid".equals(sub.path("status").asText())) {
      invoice.put("auto_advance", false);
    } else {
      invoice.put("automatically_finalizes_at", at + settings.finalizeDelay().toSeconds());
    }
    emit("invoice.created", invoice, at);
  }

  /**
   * A draft invoice billing the subscription's current period at its price; the invoice's own
   * period is the one in which pending items were gathered.
   */
  private ObjectNode periodInvoice(
      ObjectNode sub, String reason, long at, long itemsFrom, long itemsTo) {
    ObjectNode item = item(sub);
    String price = item.path("price").path("id").asText();
    long start = item.path("current_period_start").asLong();
    ObjectNode invoice =
        StripeInvoices.draft(
            newId("in_"), sub.path("customer").asText(), sub, reason, at, itemsFrom, itemsTo);
    StripeInvoices.subscriptionLine(
        newId("il_"),
        invoice,
        sub,
        item,
        price,
        PRICE_AMOUNT,
        start,
        item.path("current_period_end").asLong(),
        false,
        StripeInvoices.describe("1 ×", price, start));
    invoices.put(invoice.path("id").asText(), invoice);
    sub.put("latest_invoice", invoice.path("id").asText());
    return invoice;
  }

  /** A switch of price, invoiced at once: the proration lines for the rest of the period. */
  private void prorate(ObjectNode sub, String from, String to, long at) {
    ObjectNode item = item(sub);
    long start = item.path("current_period_start").asLong();
    long end = item.path("current_period_end").asLong();
    long left = Math.round(PRICE_AMOUNT * (double) (end - at) / Math.max(1, end - start));
    ObjectNode invoice =
        StripeInvoices.draft(
            newId("in_"), sub.path("customer").asText(), sub, "subscription_update", at, at, at);
    ((ObjectNode) invoice.path("parent").path("subscription_details"))
        .put("subscription_proration_date", at);
    StripeInvoices.subscriptionLine(
        newId("il_"),
        invoice,
        sub,
        item,
        from,
        -left,
        at,
        end,
        true,
        StripeInvoices.describe("Unused time on", from, at));
    StripeInvoices.subscriptionLine(
        newId("il_"),
        invoice,
        sub,
        item,
        to,
        left,
        at,
        end,
        true,
        StripeInvoices.describe("Remaining time on", to, at));
    invoices.put(invoice.path("id").asText(), invoice);
    sub.put("latest_invoice", invoice.path("id").asText());
    emit("invoice.created", invoice, at);
    finalizeAndCharge(invoice, at);
  }

  private void finalizeAndCharge(ObjectNode invoice, long at) {
    StripeInvoices.finalized(invoice, at, "SBX-" + sequence.incrementAndGet());
    emit("invoice.finalized", invoice, at);
    charge(invoice, at);
  }

  /**
   * Charges what the invoice is due with the subscription's card (nothing due: paid at once). A
   * subscription's invoice paid brings a past-due subscription back to active once nothing else is
   * owed; a failure makes it past due and plans the next attempt, or, after the last, leaves it as
   * {@code sandbox.stripe.after-last-retry} says. A one-off invoice moves no subscription.
   */
  private void charge(ObjectNode invoice, long at) {
    String subId = StripeInvoices.subscriptionOf(invoice);
    ObjectNode sub = subId == null ? null : subscriptions.get(subId);
    boolean billsSubscription =
        sub != null && invoice.path("billing_reason").asText().startsWith("subscription");
    if (invoice.path("amount_due").asLong() > 0) {
      int attempts = StripeInvoices.countAttempt(invoice);
      if (sub != null && DECLINING_CARD.equals(sub.path("default_payment_method").asText())) {
        paymentFailed(invoice, billsSubscription ? sub : null, attempts, at);
        return;
      }
    }
    StripeInvoices.paid(invoice, at);
    emit("invoice.paid", invoice, at);
    emit("invoice.payment_succeeded", invoice, at);
    if (billsSubscription
        && Set.of("past_due", "unpaid").contains(sub.path("status").asText())
        && invoices.values().stream()
            .noneMatch(
                other ->
                    "open".equals(other.path("status").asText())
                        && subId.equals(StripeInvoices.subscriptionOf(other)))) {
      sub.put("status", "active");
      emit("customer.subscription.updated", sub, at);
    }
  }

  private void paymentFailed(ObjectNode invoice, ObjectNode sub, int attempts, long at) {
    List<Duration> retries = settings.paymentRetries();
    boolean retriesLeft = attempts <= retries.size();
    StripeInvoices.failedAttempt(
        invoice, retriesLeft ? at + retries.get(attempts - 1).toSeconds() : null);
    emit("invoice.payment_failed", invoice, at);
    if (sub == null) {
      return;
    }
    String status = sub.path("status").asText();
    String after = retriesLeft ? "past_due" : settings.afterLastRetry();
    if ("canceled".equals(after)) {
      sub.put("status", "canceled").put("canceled_at", at).put("ended_at", at);
      emit("customer.subscription.deleted", sub, at);
    } else if ("unpaid".equals(after) && !"unpaid".equals(status)) {
      sub.put("status", "unpaid");
      emit("customer.subscription.updated", sub, at);
    } else if ("past_due".equals(after) && Set.of("active", "trialing").contains(status)) {
      sub.put("status", "past_due");
      emit("customer.subscription.updated", sub, at);
    }
  }

  /** The end of the period that runs at {@code after}: the first month from the anchor past it. */
  private static long periodEnd(long anchor, long after) {
    ZonedDateTime from = Instant.ofEpochSecond(anchor).atZone(ZoneOffset.UTC);
    for (int months = 1; ; months++) {
      long end = from.plusMonths(months).toEpochSecond();
      if (end > after) {
        return end;
      }
    }
  }

  private static ObjectNode item(ObjectNode sub) {
    return (ObjectNode) sub.path("items").path("data").get(0);
  }

  private static ObjectNode price(String id) {
    ObjectNode price = Json.MAPPER.createObjectNode();
    price.put("id", id).put("object", "price").put("currency", "usd");
    price.put("unit_amount", PRICE_AMOUNT);
    price.put("type", "recurring").put("active", true).put("livemode", false);
    price.putObject("recurring").put("interval", "month").put("interval_count", 1);
    return price;
  }

  private long seconds() {
    return now().getEpochSecond();
  }

  private String newId(String prefix) {
    StringBuilder id = new StringBuilder(prefix);
    for (int i = 0; i < 24; i++) {
      id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }

  private static ObjectNode find(Map<String, ObjectNode> objects, String kind, String id) {
    ObjectNode object = objects.get(id);
    if (object == null) {
      throw new NotFoundException("No such " + kind + ": '" + id + "'");
    }
    return object;
  }

  private static String id(ServerRequest request) {
    return request.path().pathParameters().get("id");
  }

  private static String required(Map<String, String> form, String key) {
    String value = form.get(key);
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(key, "Missing required param: " + key + ".");
    }
    return value;
  }

  private static String emailOf(Map<String, String> form) {
    return form.getOrDefault("customer_email", "");
  }

  /** {@code prefix[key]=value} entries of a form, as a metadata object. */
  private static ObjectNode metadata(Map<String, String> form, String prefix) {
    ObjectNode metadata = Json.MAPPER.createObjectNode();
    form.forEach(
        (key, value) -> {
          if (key.startsWith(prefix + "[") && key.endsWith("]")) {
            String name = key.substring(prefix.length() + 1, key.length() - 1);
            if (!name.contains("[")) {
              metadata.put(name, value);
            }
          }
        });
    return metadata;
  }

  /** A form body (stripe-java's encoding) merged over the query string. */
  private static Map<String, String> form(ServerRequest request) {
    Map<String, String> form = new LinkedHashMap<>();
    request.query().names().forEach(name -> form.put(name, request.query().get(name)));
    if (request.content().hasEntity()) {
      String body = request.content().as(String.class);
      for (String pair : body.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        form.put(key, value);
      }
    }
    return form;
  }

  private static JsonNode jsonBody(ServerRequest request) {
    if (!request.content().hasEntity()) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      return Json.MAPPER.readTree(request.content().as(byte[].class));
    } catch (java.io.IOException e) {
      throw new InvalidInputException(null, "the request body is not valid JSON");
    }
  }

  private String base(ServerRequest request) {
    if (!publicBase.isEmpty()) {
      return publicBase;
    }
    return "http://" + request.requestedUri().authority();
  }

  private static void stripeError(
      ServerResponse response, Status status, String message, String code) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("type", "invalid_request_error").put("message", message);
    if (code != null) {
      error.put("code", code);
    }
    Json.send(response, status, body);
  }

  private static void html(ServerResponse response, String page) {
    response.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    response.send(page);
  }

  private static void redirect(ServerResponse response, String location) {
    response.status(Status.SEE_OTHER_303);
    response.header(HeaderNames.LOCATION, location);
    response.send();
  }

  /** For the pages: a node's text or a dash. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isMissingNode() || value.isNull() ? "-" : value.asText();
  }
}
