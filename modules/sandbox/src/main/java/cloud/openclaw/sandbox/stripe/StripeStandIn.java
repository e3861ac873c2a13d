package cloud.openclaw.sandbox.stripe;

import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the Stripe API, mounted at {@value #MOUNT}: stripe-java with {@code apiBase}
 * {@code http://<sandbox>/stripe} calls it as it would call api.stripe.com.
 *
 * <h2>The Stripe API (form-encoded requests, JSON answers, Stripe's error shape)</h2>
 *
 * <p>{@code POST/GET /v1/customers[/{id}]}, {@code POST/GET /v1/checkout/sessions[/{id}]}
 * (subscription mode), {@code POST /v1/billing_portal/sessions}, {@code GET
 * /v1/subscriptions/{id}}. Any {@code Authorization: Bearer <key>} is accepted; none is a 401.
 * Objects have the shapes of API version 2026-07-29.dahlia (the version stripe-java 33 pins): a
 * subscription's period is on its items, an invoice names its subscription under {@code parent}.
 *
 * <h2>Hosted pages</h2>
 *
 * <p>A session's {@code url} is {@code /stripe/checkout/{id}}: a page a person (or a test) pays on.
 * Paying makes the subscription (active, 30-day period) and sends {@code
 * customer.subscription.created}, {@code invoice.paid}, {@code invoice.payment_succeeded} and
 * {@code checkout.session.completed}, then redirects to the success URL. A portal session's {@code
 * url} is {@code /stripe/portal/{id}}: cancel now ({@code customer.subscription.deleted}), cancel
 * at period end or change the price ({@code customer.subscription.updated}), and, to rehearse what
 * time brings, renew ({@code invoice.paid} for the next period), fail the renewal ({@code
 * invoice.payment_failed}, past_due) or give up on it (unpaid).
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
 *   <li>{@code POST /_sandbox/subscriptions/{id}/{cancel,renew,fail-payment,unpaid}}; {@code POST
 *       /_sandbox/subscriptions/{id}/update {"price"?, "cancelAtPeriodEnd"?}};
 *   <li>{@code GET /_sandbox/events} (all made, oldest first, with their delivery counts and when
 *       the endpoint first took each, {@code deliveredAt}, or null); {@code POST
 *       /_sandbox/events/{id}/deliver {"times"}}: duplicates;
 *   <li>{@code POST /_sandbox/delivery/hold}, {@code POST /_sandbox/delivery/release {"reverse"}}:
 *       out of order;
 *   <li>{@code POST /_sandbox/clock/advance {"seconds"}}: the stand-in's clock (event times,
 *       periods) moves ahead, as Stripe's test clocks do.
 * </ul>
 *
 * <p>Not as Stripe: no payment methods, taxes, coupons, proration or invoices to list; prices are
 * whatever id is given (free).
 *
 * <h2>State</h2>
 *
 * <p>In memory, unless the stand-in is given a {@link StripeStateFile} ({@code sandbox.state-dir}):
 * then its objects, events and their deliveries ({@link StripeState}) are written after every
 * change and read back at start; events the endpoint never took are delivered again.
 */
public final class StripeStandIn implements HttpService {
  public static final String MOUNT = "/stripe";
  public static final String API_VERSION = "2026-07-29.dahlia";
  private static final Duration PERIOD = Duration.ofDays(30);
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
          return Instant.now().plusSeconds(clockOffset.get());
        }
      };
  private final Map<String, ObjectNode> customers = new LinkedHashMap<>();
  private final Map<String, ObjectNode> sessions = new LinkedHashMap<>();
  private final Map<String, ObjectNode> portalSessions = new LinkedHashMap<>();
  private final Map<String, ObjectNode> subscriptions = new LinkedHashMap<>();
  private final Map<String, StripeEventRecord> events = new LinkedHashMap<>();
  private final WebhookDelivery delivery;
  private final StripeStateFile stateFile;
  private volatile String publicBase = "";

  public StripeStandIn(StripeSandboxSettings settings) {
    this(settings, null);
  }

  /**
   * A stand-in that keeps its state in {@code stateFile} (null: in memory only), starting from what
   * an earlier run left there.
   */
  public StripeStandIn(StripeSandboxSettings settings, StripeStateFile stateFile) {
    this.stateFile = stateFile;
    this.delivery = new WebhookDelivery(settings, clock, this::save);
    if (stateFile != null) {
      stateFile.load().ifPresent(this::restore);
    }
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
    Instant now = clock.instant();
    String customerId = session.path("customer").asText();
    ObjectNode subscription = Json.MAPPER.createObjectNode();
    String subId = newId("sub_");
    subscription.put("id", subId).put("object", "subscription").put("customer", customerId);
    subscription.put("status", "active").put("cancel_at_period_end", false);
    subscription.putNull("cancel_at").putNull("canceled_at").putNull("ended_at");
    subscription.put("created", now.getEpochSecond()).put("livemode", false);
    subscription.put("currency", "usd").put("collection_method", "charge_automatically");
    subscription.set("metadata", session.path("subscription_metadata").deepCopy());
    ObjectNode item = subscription.putObject("items").put("object", "list").put("has_more", false);
    item.put("url", "/v1/subscription_items?subscription=" + subId);
    ObjectNode first = item.putArray("data").addObject();
    first.put("id", newId("si_")).put("object", "subscription_item").put("subscription", subId);
    first.put("quantity", 1).put("created", now.getEpochSecond());
    first.put("current_period_start", now.getEpochSecond());
    first.put("current_period_end", now.plus(PERIOD).getEpochSecond());
    first.set("price", price(session.path("price").asText()));
    subscriptions.put(subId, subscription);
    session.put("subscription", subId).put("status", "complete").put("payment_status", "paid");
    session.putNull("url");
    emit("customer.subscription.created", subscription);
    ObjectNode invoice = invoice(subscription, "subscription_create", "paid");
    emit("invoice.paid", invoice);
    emit("invoice.payment_succeeded", invoice);
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
   * The next period paid: {@code invoice.paid} (and payment_succeeded), the subscription active.
   */
  public synchronized void renew(String subscriptionId) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    ObjectNode item = item(sub);
    long start = item.path("current_period_end").asLong();
    item.put("current_period_start", start);
    item.put("current_period_end", start + PERIOD.toSeconds());
    boolean wasActive = "active".equals(sub.path("status").asText());
    sub.put("status", "active");
    if (!wasActive) {
      emit("customer.subscription.updated", sub);
    }
    ObjectNode invoice = invoice(sub, "subscription_cycle", "paid");
    emit("invoice.paid", invoice);
    emit("invoice.payment_succeeded", invoice);
  }

  /** The renewal's payment fails: {@code invoice.payment_failed}, the subscription past_due. */
  public synchronized void failPayment(String subscriptionId) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    sub.put("status", "past_due");
    emit("customer.subscription.updated", sub);
    emit("invoice.payment_failed", invoice(sub, "subscription_cycle", "open"));
  }

  /** Stripe gave up retrying the payment: the subscription unpaid. */
  public synchronized void markUnpaid(String subscriptionId) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    sub.put("status", "unpaid");
    emit("customer.subscription.updated", sub);
  }

  /** A plan change or a cancellation at period end: {@code customer.subscription.updated}. */
  public synchronized void update(String subscriptionId, String price, Boolean cancelAtPeriodEnd) {
    ObjectNode sub = find(subscriptions, "subscription", subscriptionId);
    if (price != null) {
      item(sub).set("price", price(price));
    }
    if (cancelAtPeriodEnd != null) {
      sub.put("cancel_at_period_end", cancelAtPeriodEnd);
      if (cancelAtPeriodEnd) {
        sub.put("cancel_at", item(sub).path("current_period_end").asLong());
      } else {
        sub.putNull("cancel_at");
      }
    }
    emit("customer.subscription.updated", sub);
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

  /** Moves the stand-in's clock ahead (event times, periods). */
  public void advanceClock(Duration by) {
    clockOffset.addAndGet(by.toSeconds());
    save();
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
    customer.put("name", form.get("name")).put("created", now()).put("livemode", false);
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
    session.put("created", now()).put("expires_at", now() + 86_400).put("livemode", false);
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
    session.put("return_url", form.get("return_url")).put("created", now());
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
    Json.send(response, Status.OK_200, Map.of("now", clock.instant().toString()));
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
    ObjectNode event = Json.MAPPER.createObjectNode();
    String id = newId("evt_");
    long created = now();
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

  private ObjectNode invoice(ObjectNode sub, String reason, String status) {
    ObjectNode item = item(sub);
    ObjectNode invoice = Json.MAPPER.createObjectNode();
    invoice.put("id", newId("in_")).put("object", "invoice");
    invoice.put("customer", sub.path("customer").asText()).put("status", status);
    invoice.put("billing_reason", reason).put("currency", "usd").put("livemode", false);
    invoice.put("amount_paid", 0).put("amount_due", 0).put("created", now());
    invoice.put("period_start", item.path("current_period_start").asLong());
    invoice.put("period_end", item.path("current_period_end").asLong());
    ObjectNode parent = invoice.putObject("parent").put("type", "subscription_details");
    parent
        .putObject("subscription_details")
        .put("subscription", sub.path("id").asText())
        .set("metadata", sub.path("metadata").deepCopy());
    ObjectNode lines = invoice.putObject("lines").put("object", "list").put("has_more", false);
    ObjectNode line = lines.putArray("data").addObject();
    line.put("id", newId("il_")).put("object", "line_item");
    line.putObject("period")
        .put("start", item.path("current_period_start").asLong())
        .put("end", item.path("current_period_end").asLong());
    line.putObject("pricing")
        .put("type", "price_details")
        .putObject("price_details")
        .put("price", item.path("price").path("id").asText());
    return invoice;
  }

  private static ObjectNode item(ObjectNode sub) {
    return (ObjectNode) sub.path("items").path("data").get(0);
  }

  private static ObjectNode price(String id) {
    ObjectNode price = Json.MAPPER.createObjectNode();
    price.put("id", id).put("object", "price").put("currency", "usd").put("unit_amount", 0);
    price.put("type", "recurring").put("active", true).put("livemode", false);
    price.putObject("recurring").put("interval", "month").put("interval_count", 1);
    return price;
  }

  private long now() {
    return clock.instant().getEpochSecond();
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
