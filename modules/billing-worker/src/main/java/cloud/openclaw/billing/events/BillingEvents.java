package cloud.openclaw.billing.events;

import cloud.openclaw.billing.Mails;
import cloud.openclaw.billing.telegram.ChatNotices;
import cloud.openclaw.platform.billing.StripeBilling;
import cloud.openclaw.platform.billing.StripeSubscription;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.db.Tx;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.StripeEvent;
import cloud.openclaw.platform.domain.Subscription;
import cloud.openclaw.platform.domain.SubscriptionChange;
import cloud.openclaw.platform.domain.SubscriptionStatus;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.logging.LogContext;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
import cloud.openclaw.platform.store.SubscriptionStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What each Stripe event does, inside the transaction that marks it processed. Every handler weighs
 * the event against the subscription's stored state ({@code last_event_at}, Stripe's created time
 * of the newest event applied): an older event never moves a subscription back, and effects follow
 * the state that is current, not the event that happened to arrive last.
 */
public final class BillingEvents {
  private static final Logger LOG = Logger.getLogger(BillingEvents.class.getName());

  private final CustomerStore customers;
  private final SubscriptionStore subscriptions;
  private final BoxStore boxes;
  private final NotificationStore notifications;
  private final PastDue pastDue;
  private final JobQueue jobs;
  private final TokenProxyClient proxy;
  private final StripeBilling stripe;
  private final Plans plans;
  private final Mails mails;
  private final ChatNotices chat;
  private final Clock clock;

  public BillingEvents(
      CustomerStore customers,
      SubscriptionStore subscriptions,
      BoxStore boxes,
      NotificationStore notifications,
      PastDue pastDue,
      JobQueue jobs,
      TokenProxyClient proxy,
      StripeBilling stripe,
      Plans plans,
      Mails mails,
      ChatNotices chat,
      Clock clock) {
    this.customers = customers;
    this.subscriptions = subscriptions;
    this.boxes = boxes;
    this.notifications = notifications;
    this.pastDue = pastDue;
    this.jobs = jobs;
    this.proxy = proxy;
    this.stripe = stripe;
    this.plans = plans;
    this.mails = mails;
    this.chat = chat;
    this.clock = clock;
  }

  /** Applies the event within {@code tx}; event types billing does not use are ignored. */
  public void handle(Tx tx, StripeEvent event) {
    JsonNode object = parse(event.payload()).path("data").path("object");
    switch (event.type()) {
      case "checkout.session.completed" -> checkoutCompleted(tx, event, object);
      case "invoice.paid", "invoice.payment_succeeded" -> invoicePaid(tx, event, object);
      case "invoice.payment_failed" -> paymentFailed(tx, event, object);
      case "customer.subscription.created", "customer.subscription.updated" ->
          subscriptionUpdated(tx, event, StripeObjects.subscription(object));
      case "customer.subscription.deleted" ->
          subscriptionDeleted(tx, event, StripeObjects.subscription(object));
      default -> LOG.fine("stripe event " + event.id() + " (" + event.type() + ") not used");
    }
  }

  private void checkoutCompleted(Tx tx, StripeEvent event, JsonNode session) {
    String subscriptionId = StripeObjects.text(session, "subscription");
    if (!"subscription".equals(session.path("mode").asText()) || subscriptionId == null) {
      return;
    }
    Optional<Customer> found =
        customer(
            tx,
            StripeObjects.text(session, "client_reference_id"),
            StripeObjects.text(session, "customer"));
    if (found.isEmpty()) {
      LOG.warning("checkout " + session.path("id").asText() + " is for no customer of ours");
      return;
    }
    Customer customer = found.get();
    LogContext.customer(customer.id());
    if (customer.stripeCustomerId() == null && session.hasNonNull("customer")) {
      customer =
          customers.setStripeCustomerId(
              tx.execute(), customer.id(), StripeObjects.text(session, "customer"));
    }
    // The session only names the subscription: read it fresh.
    Subscription current = record(tx, customer, stripe.subscription(subscriptionId), event).current;
    if (!current.status().entitlesService()) {
      LOG.info("checkout " + session.path("id").asText() + ": subscription is " + current.status());
      return;
    }
    activate(tx, customer, current);
  }

  /**
   * A paying subscription for the customer: a pending customer becomes active on its plan and the
   * box gets its one provision job. Reached from the checkout's completion or, should that event be
   * late or the payment asynchronous, from the subscription turning active.
   */
  private void activate(Tx tx, Customer customer, Subscription current) {
    if (customer.status() == CustomerStatus.PENDING) {
      customers.setStatus(tx.execute(), customer.id(), CustomerStatus.ACTIVE);
    }
    customers.setPlan(tx.execute(), customer.id(), current.plan());
    UUID customerId = customer.id();
    Optional<Box> box = boxes.findLiveForCustomer(tx.execute(), customerId);
    if (box.isEmpty() || box.get().desiredState() == BoxDesiredState.DESTROYED) {
      LOG.warning("customer " + customerId + " paid but has no agent set up to provision");
      return;
    }
    // One provision per box, however many deliveries, checkouts or events lead here.
    enqueue(tx, JobType.PROVISION, box.get().id(), null);
    customerChangedAfterCommit(tx, customerId);
  }

  /**
   * A paid invoice says only that something was paid (a renewal, a proration, a one-off item): the
   * subscription read fresh decides what it means. Its lines and periods are never read: the usage
   * period is the subscription's (see {@link #record}).
   */
  private void invoicePaid(Tx tx, StripeEvent event, JsonNode invoice) {
    String subscriptionId = StripeObjects.invoiceSubscription(invoice);
    if (subscriptionId == null) {
      LOG.fine("invoice " + invoice.path("id").asText() + " is for no subscription: no effect");
      return;
    }
    StripeSubscription fresh = stripe.subscription(subscriptionId);
    Optional<Customer> found =
        customer(tx, StripeObjects.ourCustomerId(fresh.metadata()), fresh.stripeCustomerId());
    if (found.isEmpty()) {
      LOG.warning("invoice " + invoice.path("id").asText() + " is for no customer of ours");
      return;
    }
    Customer customer = found.get();
    LogContext.customer(customer.id());
    Recorded recorded = record(tx, customer, fresh, event);
    Subscription current = recorded.current;
    if (current.status().isTerminal()) {
      return;
    }
    // Paid up only when Stripe says so: an invoice paid while another is still owed (a one-off
    // item during the grace period) leaves the subscription past due.
    if (recorded.applied && current.status().isPaidUp()) {
      pastDue.clear(tx.execute(), current.id());
      restore(tx, customer, event.id());
    }
    followPlan(tx, customer, current, event.id());
  }

  private void paymentFailed(Tx tx, StripeEvent event, JsonNode invoice) {
    String subscriptionId = StripeObjects.invoiceSubscription(invoice);
    if (subscriptionId == null) {
      return;
    }
    StripeSubscription fresh = stripe.subscription(subscriptionId);
    Optional<Customer> found =
        customer(tx, StripeObjects.ourCustomerId(fresh.metadata()), fresh.stripeCustomerId());
    if (found.isEmpty()) {
      return;
    }
    Customer customer = found.get();
    LogContext.customer(customer.id());
    Recorded recorded = record(tx, customer, fresh, event);
    if (!recorded.applied) {
      LOG.info("stripe event " + event.id() + " is older than the subscription's state: no effect");
      return;
    }
    if (recorded.current.status().isTerminal()
        || recorded.current.status() == SubscriptionStatus.ACTIVE) {
      return;
    }
    pastDue.markStarted(tx.execute(), recorded.current.id(), clock.instant());
    if (customer.status() == CustomerStatus.ACTIVE) {
      customers.setStatus(tx.execute(), customer.id(), CustomerStatus.PAST_DUE);
    }
    notifications.enqueue(tx.execute(), mails.paymentFailed(customer, invoice.path("id").asText()));
    chat.paymentFailed(tx.execute(), customer, invoice.path("id").asText());
    if (recorded.current.status() == SubscriptionStatus.UNPAID) {
      suspend(tx, customer, event.id());
    }
  }

  private void subscriptionUpdated(Tx tx, StripeEvent event, StripeSubscription snapshot) {
    Optional<Customer> found =
        customer(tx, StripeObjects.ourCustomerId(snapshot.metadata()), snapshot.stripeCustomerId());
    if (found.isEmpty()) {
      return;
    }
    Customer customer = found.get();
    LogContext.customer(customer.id());
    Recorded recorded = record(tx, customer, snapshot, event);
    if (!recorded.applied) {
      LOG.info("stripe event " + event.id() + " is older than the subscription's state: no effect");
      return;
    }
    Subscription current = recorded.current;
    switch (current.status()) {
      case CANCELED, INCOMPLETE_EXPIRED -> {
        subscriptionDeleted(tx, event, snapshot);
        return;
      }
      case UNPAID -> {
        pastDue.markStarted(tx.execute(), current.id(), clock.instant());
        suspend(tx, customer, event.id());
      }
      case PAST_DUE -> {
        pastDue.markStarted(tx.execute(), current.id(), clock.instant());
        if (customer.status() == CustomerStatus.ACTIVE) {
          customers.setStatus(tx.execute(), customer.id(), CustomerStatus.PAST_DUE);
        }
      }
      case ACTIVE, TRIALING -> {
        if (customer.status() == CustomerStatus.PENDING) {
          activate(tx, customer, current);
          return;
        }
        pastDue.clear(tx.execute(), current.id());
        restore(tx, customer, event.id());
      }
      default -> {}
    }
    followPlan(tx, customer, current, event.id());
  }

  /** The customer's plan is the subscription's: a change applies at once. */
  private void followPlan(Tx tx, Customer customer, Subscription current, String occasion) {
    if (customer.status() != CustomerStatus.PENDING
        && current.status().entitlesService()
        && !current.plan().equals(customer.plan())) {
      changePlan(tx, customer, current.plan(), occasion);
    }
  }

  private void subscriptionDeleted(Tx tx, StripeEvent event, StripeSubscription snapshot) {
    Optional<Customer> found =
        customer(tx, StripeObjects.ourCustomerId(snapshot.metadata()), snapshot.stripeCustomerId());
    if (found.isEmpty()) {
      return;
    }
    Customer customer = found.get();
    LogContext.customer(customer.id());
    // Canceled is final in Stripe: a deletion wins over any state, whenever it arrives.
    Optional<Subscription> stored = subscriptions.findByStripeId(tx.execute(), snapshot.id());
    Instant at = event.created();
    if (stored.isPresent()
        && stored.get().lastEventAt() != null
        && stored.get().lastEventAt().isAfter(at)) {
      at = stored.get().lastEventAt();
    }
    StripeSubscription canceled =
        new StripeSubscription(
            snapshot.id(),
            snapshot.stripeCustomerId(),
            SubscriptionStatus.CANCELED.dbValue(),
            snapshot.priceId(),
            snapshot.currentPeriodStart(),
            snapshot.currentPeriodEnd(),
            snapshot.cancelAtPeriodEnd(),
            snapshot.metadata());
    subscriptions.upsert(tx.execute(), change(customer, canceled, at));
    // Another live subscription of the customer's (a second checkout) keeps the agent.
    Optional<Subscription> governing =
        subscriptions.findCurrentForCustomer(tx.execute(), customer.id());
    if (governing.isPresent() && !governing.get().status().isTerminal()) {
      return;
    }
    if (customer.status() != CustomerStatus.CANCELLED) {
      customers.setStatus(tx.execute(), customer.id(), CustomerStatus.CANCELLED);
      notifications.enqueue(tx.execute(), mails.cancelled(customer, snapshot.id()));
    }
    moveBox(tx, customer.id(), null, BoxDesiredState.DESTROYED, JobType.DESTROY, null);
    customerChangedAfterCommit(tx, customer.id());
  }

  /**
   * Suspends the customer's agent for non-payment (grace period over, or the subscription unpaid);
   * nothing happens to a customer who is not past due or active.
   */
  public void suspend(Tx tx, Customer customer, String occasion) {
    if (customer.status() != CustomerStatus.PAST_DUE
        && customer.status() != CustomerStatus.ACTIVE) {
      return;
    }
    customers.setStatus(tx.execute(), customer.id(), CustomerStatus.SUSPENDED);
    boolean paused =
        moveBox(
            tx,
            customer.id(),
            BoxDesiredState.RUNNING,
            BoxDesiredState.SUSPENDED,
            JobType.SUSPEND,
            occasion);
    notifications.enqueue(tx.execute(), mails.suspended(customer, occasion));
    // Told in the chat by whoever paused the box: two events suspending at once tell it once.
    if (paused) {
      chat.suspended(tx.execute(), customer, occasion);
    }
    customerChangedAfterCommit(tx, customer.id());
  }

  /** Back to active after a payment: a box suspended for non-payment is reactivated. */
  private void restore(Tx tx, Customer customer, String occasion) {
    if (customer.status() != CustomerStatus.PAST_DUE
        && customer.status() != CustomerStatus.SUSPENDED) {
      return;
    }
    customers.setStatus(tx.execute(), customer.id(), CustomerStatus.ACTIVE);
    // The status write above waits for any other restore of the customer's to commit, so the box
    // is moved, and the owner told, by one of them only.
    if (customer.status() == CustomerStatus.SUSPENDED
        && moveBox(
            tx,
            customer.id(),
            BoxDesiredState.SUSPENDED,
            BoxDesiredState.RUNNING,
            JobType.REACTIVATE,
            occasion)) {
      chat.reactivated(tx.execute(), customer, occasion);
    }
    customerChangedAfterCommit(tx, customer.id());
  }

  /**
   * A plan change applies at once: the rate and models on every proxy replica (the current period's
   * allowance is the new plan's already, see {@link #openPeriod}), and a box whose model or
   * thinking level the new plan lacks is moved to the plan's defaults.
   */
  private void changePlan(Tx tx, Customer customer, String planName, String occasion) {
    Optional<Plan> plan = plans.find(planName);
    if (plan.isEmpty()) {
      return;
    }
    customers.setPlan(tx.execute(), customer.id(), planName);
    boxes
        .findLiveForCustomer(tx.execute(), customer.id())
        .filter(box -> box.desiredState() != BoxDesiredState.DESTROYED)
        .filter(
            box ->
                !plan.get().allowsModel(box.model())
                    || !plan.get().allowsThinkingLevel(box.thinkingLevel().dbValue()))
        .ifPresent(
            box -> {
              ThinkingLevel level =
                  plan.get().allowsThinkingLevel(box.thinkingLevel().dbValue())
                      ? box.thinkingLevel()
                      : ThinkingLevel.fromDb(plan.get().thinkingLevels().getFirst());
              String model =
                  plan.get().allowsModel(box.model()) ? box.model() : plan.get().defaultModel();
              boxes.updateSettings(
                  tx.execute(),
                  box.id(),
                  new BoxSettings(box.allowedTelegramUserIds(), model, level));
              enqueue(tx, JobType.UPDATE, box.id(), occasion);
            });
    customerChangedAfterCommit(tx, customer.id());
  }

  private record Recorded(boolean applied, Subscription current) {}

  /**
   * Records the subscription as the event (or a fresh read) has it, unless a newer event was
   * applied already, and makes the token proxy's period the subscription's current one, as stored
   * now (whichever event brought it).
   */
  private Recorded record(Tx tx, Customer customer, StripeSubscription sub, StripeEvent event) {
    SubscriptionStore.Upsert upsert =
        subscriptions.upsert(tx.execute(), change(customer, sub, event.created()));
    openPeriod(customer, upsert.subscription());
    if (upsert.applied()) {
      // The proxy reads the subscription (does it go on past its period?) once this commits.
      customerChangedAfterCommit(tx, customer.id());
    }
    return new Recorded(upsert.applied(), upsert.subscription());
  }

  /**
   * The usage period is the subscription's current period (on its items), with the plan's
   * allowance: a renewal opens the next one, a plan change gives the period the new plan's
   * allowance (the usage so far stays), a replay changes nothing. Keyed by its start at the proxy,
   * so a period the proxy rolled over to when the last one ended is this same one, never reset
   * twice.
   */
  private void openPeriod(Customer customer, Subscription current) {
    if (!current.status().entitlesService()) {
      return;
    }
    Optional<Plan> plan = plans.find(current.plan());
    if (plan.isEmpty()) {
      LOG.warning("subscription " + current.stripeSubscriptionId() + " is on no plan we sell");
      return;
    }
    try {
      proxy.openPeriod(
          customer.id(),
          current.currentPeriodStart(),
          current.currentPeriodEnd(),
          plan.get().monthlyTokens());
    } catch (NotFoundException notCurrentYet) {
      // The proxy records the period, then reports the one current now: a period that has not
      // begun yet (Stripe's clock a little ahead of ours) is recorded all the same.
      LOG.fine("period from " + current.currentPeriodStart() + " recorded ahead of its start");
    }
  }

  private SubscriptionChange change(Customer customer, StripeSubscription sub, Instant at) {
    String plan =
        plans
            .byStripePrice(sub.priceId() == null ? "" : sub.priceId())
            .map(Plan::name)
            .orElseGet(
                () -> {
                  LOG.warning(
                      "subscription " + sub.id() + " has a price of no plan: " + sub.priceId());
                  return customer.plan() == null ? "unknown" : customer.plan();
                });
    return new SubscriptionChange(
        customer.id(),
        sub.id(),
        plan,
        SubscriptionStatus.fromDb(sub.status()),
        sub.currentPeriodStart(),
        sub.currentPeriodEnd(),
        sub.cancelAtPeriodEnd(),
        at);
  }

  /** Ours by the id we put in Stripe's metadata, else by the Stripe customer. */
  private Optional<Customer> customer(Tx tx, String ourId, String stripeCustomerId) {
    if (ourId != null) {
      try {
        Optional<Customer> byId = customers.find(tx.execute(), UUID.fromString(ourId));
        if (byId.isPresent()) {
          return byId;
        }
      } catch (IllegalArgumentException notAUuid) {
        LOG.warning("customer id in Stripe is not ours: " + ourId);
      }
    }
    return stripeCustomerId == null
        ? Optional.empty()
        : customers.findByStripeCustomerId(tx.execute(), stripeCustomerId);
  }

  /**
   * Moves the customer's live box in {@code from} (whatever its state when null) to {@code to},
   * with the job that carries the move out; true when there was such a box.
   */
  private boolean moveBox(
      Tx tx,
      UUID customerId,
      BoxDesiredState from,
      BoxDesiredState to,
      JobType type,
      String occasion) {
    Optional<Box> box =
        boxes
            .findLiveForCustomer(tx.execute(), customerId)
            .filter(live -> from == null || live.desiredState() == from);
    box.ifPresent(
        live -> {
          boxes.setDesiredState(tx.execute(), live.id(), to);
          enqueue(tx, type, live.id(), occasion);
        });
    return box.isPresent();
  }

  /** The job's key makes it one per type, box and occasion (none: one per type and box). */
  private void enqueue(Tx tx, JobType type, UUID boxId, String occasion) {
    String key = type.dbValue() + ":" + boxId + (occasion == null ? "" : ":" + occasion);
    jobs.enqueue(tx, new NewJob(type, boxId, null, key));
  }

  /** Tells the token proxy once the transaction has committed (it reloads anyway, later). */
  private void customerChangedAfterCommit(Tx tx, UUID customerId) {
    LogContext.Values event = LogContext.current(); // the event's scope ends before the commit
    tx.afterCommit(
        () -> {
          try (LogContext.Scope scope = LogContext.restore(event)) {
            customerChanged(customerId);
          }
        });
  }

  private void customerChanged(UUID customerId) {
    try {
      proxy.customerChanged(customerId);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "token proxy not told of customer " + customerId + "; it reloads", e);
    }
  }

  private static JsonNode parse(String payload) {
    try {
      return Json.MAPPER.readTree(payload);
    } catch (IOException e) {
      throw new UncheckedIOException("stored Stripe event is not JSON", e);
    }
  }
}
