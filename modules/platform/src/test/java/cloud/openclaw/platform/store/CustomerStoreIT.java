package cloud.openclaw.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.testkit.TestPostgres;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CustomerStoreIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  static Database db;
  static CustomerStore customers;

  @BeforeAll
  static void migrate() {
    db = StoreFixtures.connect(postgres);
    customers = new CustomerStore(db);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void createsAPendingCustomerAndFindsIt() {
    long telegramUser = StoreFixtures.next();
    Customer created =
        customers.create(
            db.execute(),
            new NewCustomer("  Ada." + telegramUser + "@Example.com ", telegramUser, "Ada", "pro"));

    assertThat(created.id()).isNotNull();
    assertThat(created.email()).isEqualTo("Ada." + telegramUser + "@Example.com");
    assertThat(created.status()).isEqualTo(CustomerStatus.PENDING);
    assertThat(created.telegramUserId()).isEqualTo(telegramUser);
    assertThat(created.plan()).isEqualTo("pro");
    assertThat(created.stripeCustomerId()).isNull();
    assertThat(created.createdAt()).isNotNull();
    assertThat(customers.find(created.id())).contains(created);
    assertThat(customers.find(UUID.randomUUID())).isEmpty();
  }

  @Test
  void findsByEmailWhateverItsCase() {
    Customer created = StoreFixtures.customer(db);

    assertThat(customers.findByEmail(db.execute(), created.email().toUpperCase()))
        .map(Customer::id)
        .contains(created.id());
    assertThat(customers.findByEmail(db.execute(), "nobody@example.com")).isEmpty();
  }

  @Test
  void refusesASecondAccountForTheSameEmailInAnyCase() {
    Customer first = StoreFixtures.customer(db);

    assertThatThrownBy(
            () -> customers.create(db.execute(), NewCustomer.ofEmail(first.email().toUpperCase())))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.code()).isEqualTo("email_taken"));
  }

  @Test
  void refusesASecondAccountForTheSameTelegramUser() {
    long telegramUser = StoreFixtures.next();
    customers.create(
        db.execute(), new NewCustomer(StoreFixtures.email(), telegramUser, null, null));

    assertThatThrownBy(
            () ->
                customers.create(
                    db.execute(), new NewCustomer(StoreFixtures.email(), telegramUser, null, null)))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.code()).isEqualTo("telegram_user_taken"));
    Customer other = StoreFixtures.customer(db);
    assertThatThrownBy(() -> customers.setTelegramUserId(db.execute(), other.id(), telegramUser))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.code()).isEqualTo("telegram_user_taken"));
    assertThat(customers.findByTelegramUserId(db.execute(), telegramUser)).isPresent();
  }

  @Test
  void refusesMalformedInputWithTheFieldNamed() {
    assertThatThrownBy(() -> customers.create(db.execute(), NewCustomer.ofEmail("not-an-email")))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("email"));
    assertThatThrownBy(
            () ->
                customers.create(
                    db.execute(), new NewCustomer(StoreFixtures.email(), -5L, null, null)))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("telegramUserId"));
  }

  @Test
  void updatesStatusPlanAndStripeCustomer() {
    Customer customer = StoreFixtures.customer(db);
    String stripeId = "cus_" + StoreFixtures.next();

    customers.setStatus(db.execute(), customer.id(), CustomerStatus.ACTIVE);
    customers.setPlan(db.execute(), customer.id(), "starter");
    Customer updated = customers.setStripeCustomerId(db.execute(), customer.id(), stripeId);

    assertThat(updated.status()).isEqualTo(CustomerStatus.ACTIVE);
    assertThat(updated.plan()).isEqualTo("starter");
    assertThat(updated.updatedAt()).isAfterOrEqualTo(customer.updatedAt());
    assertThat(customers.findByStripeCustomerId(db.execute(), stripeId))
        .map(Customer::id)
        .contains(customer.id());
  }

  @Test
  void refusesAStripeCustomerThatBelongsToAnotherAccount() {
    String stripeId = "cus_" + StoreFixtures.next();
    customers.setStripeCustomerId(db.execute(), StoreFixtures.customer(db).id(), stripeId);

    Customer other = StoreFixtures.customer(db);
    assertThatThrownBy(() -> customers.setStripeCustomerId(db.execute(), other.id(), stripeId))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.code()).isEqualTo("stripe_customer_taken"));
  }

  @Test
  void updatingAnUnknownCustomerIsNotFound() {
    assertThatThrownBy(
            () -> customers.setStatus(db.execute(), UUID.randomUUID(), CustomerStatus.ACTIVE))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void aRolledBackTransactionLeavesNoCustomer() {
    String email = StoreFixtures.email();

    assertThatThrownBy(
            () ->
                db.inTransaction(
                    tx -> {
                      customers.create(tx.execute(), NewCustomer.ofEmail(email));
                      assertThat(customers.findByEmail(tx.execute(), email)).isPresent();
                      throw new IllegalStateException("boom");
                    }))
        .hasMessage("boom");
    assertThat(customers.findByEmail(db.execute(), email)).isEmpty();
  }

  @Test
  void pagesThroughEveryCustomerNewestFirstWithoutRepeats() {
    for (int i = 0; i < 5; i++) {
      StoreFixtures.customer(db);
    }
    long total = customers.countByStatus(db.execute()).values().stream().mapToLong(n -> n).sum();

    List<Customer> seen = new ArrayList<>();
    CustomerStore.Cursor cursor = null;
    while (true) {
      List<Customer> page = customers.list(db.execute(), cursor, 2);
      assertThat(page.size()).isLessThanOrEqualTo(2);
      if (page.isEmpty()) {
        break;
      }
      seen.addAll(page);
      cursor = CustomerStore.Cursor.after(page.getLast());
    }

    assertThat(seen).hasSize((int) total);
    assertThat(new HashSet<>(seen.stream().map(Customer::id).toList())).hasSize(seen.size());
    assertThat(seen).isSortedAccordingTo(Comparator.comparing(Customer::createdAt).reversed());
  }

  @Test
  void searchesByEmailFragmentTakingWildcardsLiterally() {
    long n = StoreFixtures.next();
    Customer underscore = customers.create(db.execute(), NewCustomer.ofEmail("a_b" + n + "@x.io"));
    Customer plain = customers.create(db.execute(), NewCustomer.ofEmail("axb" + n + "@x.io"));

    assertThat(customers.searchByEmail(db.execute(), "A_B" + n, 10))
        .extracting(Customer::id)
        .containsExactly(underscore.id());
    assertThat(customers.searchByEmail(db.execute(), "b" + n + "@x", 10))
        .extracting(Customer::id)
        .containsExactly(plain.id(), underscore.id());
    assertThat(customers.searchByEmail(db.execute(), "%", 10)).isEmpty();
  }

  @Test
  void countsCustomersByStatus() {
    Map<CustomerStatus, Long> before = customers.countByStatus(db.execute());
    Customer customer = StoreFixtures.customer(db);
    customers.setStatus(db.execute(), customer.id(), CustomerStatus.SUSPENDED);

    Map<CustomerStatus, Long> after = customers.countByStatus(db.execute());

    assertThat(after).containsOnlyKeys(CustomerStatus.values());
    assertThat(after.get(CustomerStatus.SUSPENDED))
        .isEqualTo(before.get(CustomerStatus.SUSPENDED) + 1);
  }
}
