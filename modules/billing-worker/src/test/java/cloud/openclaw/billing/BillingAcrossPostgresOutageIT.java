package cloud.openclaw.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.sandbox.stripe.StripeEventRecord;
import cloud.openclaw.testkit.TcpProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgreSQL unreachable from the api and both billing workers while a customer pays: Stripe's
 * webhooks are refused (503) and redelivered, the workers' loops keep failing and keep going, and
 * when PostgreSQL is back the payment is processed once: the customer active, one provisioning job.
 */
class BillingAcrossPostgresOutageIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  private static final Duration OUTAGE = Duration.ofSeconds(15);

  static TcpProxy network;
  static BillingStack stack;

  @BeforeAll
  static void start() {
    URI target = URI.create(postgres.jdbcUrl().substring("jdbc:".length()));
    network = TcpProxy.start(target.getHost(), target.getPort());
    // The api and the workers reach PostgreSQL through the cut-able network; the token proxy and
    // the test itself do not.
    stack =
        new BillingStack(
            postgres,
            testRedis,
            Map.of(),
            Map.of(
                "db.url",
                "jdbc:postgresql://" + network.host() + ":" + network.port() + target.getPath()));
  }

  @AfterAll
  static void stop() {
    try {
      stack.close();
    } finally {
      network.close();
    }
  }

  @Test
  void aPaymentDuringTheOutageIsProcessedOnceWhenPostgresIsBack() throws Exception {
    Customer customer = stack.pendingCustomerWithAgent();
    JsonNode session = stack.checkout(customer.id(), "starter");

    Set<String> before = eventIds();

    network.down();
    long down = System.nanoTime();
    stack.stripe.pay(session.path("sessionId").asText());
    Set<String> paid = eventIds();
    paid.removeAll(before);
    assertThat(paid).isNotEmpty();
    await()
        .during(OUTAGE)
        .atMost(OUTAGE.plusSeconds(20))
        .until(
            () ->
                paid.stream().allMatch(id -> stack.stripe.deliveries(id) == 0)
                    && stack.status(customer) == CustomerStatus.PENDING);
    long outageMillis = (System.nanoTime() - down) / 1_000_000;

    network.up();
    long up = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> stack.status(customer) == CustomerStatus.ACTIVE);
    long activeMillis = (System.nanoTime() - up) / 1_000_000;
    stack.awaitAllProcessed();

    Box box = stack.box(customer);
    assertThat(stack.jobs(box)).containsExactly("provision");
    assertThat(
            stack.count("SELECT count(*) FROM subscriptions WHERE customer_id = ?", customer.id()))
        .isEqualTo(1);
    assertThat(stack.proxy.usage(customer.id()).allowance()).isEqualTo(5_000_000L);
    System.out.printf(
        "FIGURES billing-outage: %d Stripe events of a payment refused for %d ms while PostgreSQL"
            + " was down; customer active %d ms after it came back, one provisioning job%n",
        paid.size(), outageMillis, activeMillis);
  }

  private static Set<String> eventIds() {
    return stack.stripe.events().stream()
        .map(StripeEventRecord::id)
        .collect(Collectors.toCollection(HashSet::new));
  }
}
