package cloud.openclaw.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Subscription;
import cloud.openclaw.platform.domain.SubscriptionChange;
import cloud.openclaw.platform.domain.SubscriptionStatus;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.testkit.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SubscriptionStoreIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  static Database db;
  static SubscriptionStore subscriptions;

  static final Instant START = Instant.parse("2025-03-01T00:00:00Z");
  static final Instant END = Instant.parse("2025-04-01T00:00:00Z");
  static final Instant T0 = Instant.parse("2025-03-01T00:00:05Z");

  @BeforeAll
  static void migrate() {
    db = StoreFixtures.connect(postgres);
    subscriptions = new SubscriptionStore(db);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static SubscriptionChange change(
      UUID customerId, String stripeId, SubscriptionStatus status, Instant eventAt) {
    return new SubscriptionChange(customerId, stripeId, "pro", status, START, END, false, eventAt);
  }

  static String stripeId() {
    return "sub_" + StoreFixtures.next();
  }

  @Test
  void insertsANewSubscription() {
    UUID customer = StoreFixtures.customer(db).id();
    String stripeId = stripeId();

    SubscriptionStore.Upsert upsert =
        subscriptions.upsert(
            db.execute(), change(customer, stripeId, SubscriptionStatus.INCOMPLETE, T0));

    assertThat(upsert.applied()).isTrue();
    Subscription stored = upsert.subscription();
    assertThat(stored.customerId()).isEqualTo(customer);
    assertThat(stored.status()).isEqualTo(SubscriptionStatus.INCOMPLETE);
    assertThat(stored.currentPeriodStart()).isEqualTo(START);
    assertThat(stored.currentPeriodEnd()).isEqualTo(END);
    assertThat(stored.lastEventAt()).isEqualTo(T0);
    assertThat(subscriptions.findByStripeId(db.execute(), stripeId)).contains(stored);
    assertThat(subscriptions.find(db.execute(), stored.id())).contains(stored);
  }

  @Test
  void aNewerEventUpdatesItAndAnOlderOneNeverMovesItBack() {
    UUID customer = StoreFixtures.customer(db).id();
    String stripeId = stripeId();
    subscriptions.upsert(db.execute(), change(customer, stripeId, SubscriptionStatus.ACTIVE, T0));

    Instant later = T0.plusSeconds(60);
    SubscriptionChange canceled =
        new SubscriptionChange(
            customer, stripeId, "pro", SubscriptionStatus.CANCELED, START, END, true, later);
    assertThat(subscriptions.upsert(db.execute(), canceled).applied()).isTrue();

    // The "active" event of 30 seconds earlier arrives late: it must not revive the subscription.
    SubscriptionStore.Upsert stale =
        subscriptions.upsert(
            db.execute(),
            change(customer, stripeId, SubscriptionStatus.ACTIVE, T0.plusSeconds(30)));

    assertThat(stale.applied()).isFalse();
    assertThat(stale.subscription().status()).isEqualTo(SubscriptionStatus.CANCELED);
    assertThat(stale.subscription().cancelAtPeriodEnd()).isTrue();
    assertThat(stale.subscription().lastEventAt()).isEqualTo(later);
    assertThat(subscriptions.findByStripeId(db.execute(), stripeId).orElseThrow().status())
        .isEqualTo(SubscriptionStatus.CANCELED);
  }

  @Test
  void anEventOfTheSameSecondApplies() {
    UUID customer = StoreFixtures.customer(db).id();
    String stripeId = stripeId();
    subscriptions.upsert(
        db.execute(), change(customer, stripeId, SubscriptionStatus.INCOMPLETE, T0));

    SubscriptionStore.Upsert same =
        subscriptions.upsert(
            db.execute(), change(customer, stripeId, SubscriptionStatus.ACTIVE, T0));

    assertThat(same.applied()).isTrue();
    assertThat(same.subscription().status()).isEqualTo(SubscriptionStatus.ACTIVE);
  }

  @Test
  void aPeriodThatEndsBeforeItStartsIsInvalid() {
    UUID customer = StoreFixtures.customer(db).id();
    SubscriptionChange backwards =
        new SubscriptionChange(
            customer, stripeId(), "pro", SubscriptionStatus.ACTIVE, END, START, false, T0);

    assertThatThrownBy(() -> subscriptions.upsert(db.execute(), backwards))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("currentPeriodEnd"));
  }

  @Test
  void anUnknownCustomerIsNotFound() {
    assertThatThrownBy(
            () ->
                subscriptions.upsert(
                    db.execute(),
                    change(UUID.randomUUID(), stripeId(), SubscriptionStatus.ACTIVE, T0)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void theCurrentSubscriptionIsTheLiveOneEvenWhenACanceledOneIsNewer() {
    UUID customer = StoreFixtures.customer(db).id();
    Subscription live =
        subscriptions
            .upsert(db.execute(), change(customer, stripeId(), SubscriptionStatus.ACTIVE, T0))
            .subscription();
    SubscriptionChange canceledLater =
        new SubscriptionChange(
            customer,
            stripeId(),
            "pro",
            SubscriptionStatus.CANCELED,
            START.plus(Duration.ofDays(1)),
            END.plus(Duration.ofDays(30)),
            false,
            T0);
    subscriptions.upsert(db.execute(), canceledLater);

    assertThat(subscriptions.findCurrentForCustomer(customer))
        .map(Subscription::id)
        .contains(live.id());
    assertThat(subscriptions.listForCustomer(db.execute(), customer)).hasSize(2);
    assertThat(subscriptions.findCurrentForCustomer(StoreFixtures.customer(db).id())).isEmpty();
  }

  @Test
  void withOnlyEndedSubscriptionsTheCurrentIsTheOneThatEndedLast() {
    UUID customer = StoreFixtures.customer(db).id();
    subscriptions.upsert(
        db.execute(), change(customer, stripeId(), SubscriptionStatus.CANCELED, T0));
    SubscriptionChange laterEnded =
        new SubscriptionChange(
            customer,
            stripeId(),
            "starter",
            SubscriptionStatus.INCOMPLETE_EXPIRED,
            START,
            END.plus(Duration.ofDays(3)),
            false,
            T0);
    subscriptions.upsert(db.execute(), laterEnded);

    assertThat(subscriptions.findCurrentForCustomer(customer))
        .map(Subscription::plan)
        .contains("starter");
  }
}
