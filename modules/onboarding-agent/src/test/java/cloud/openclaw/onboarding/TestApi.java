package cloud.openclaw.onboarding;

import cloud.openclaw.api.Main;
import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.sandbox.Main.Sandbox;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.helidon.dbclient.DbRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Our api as its Main starts it, on the test class's database and Redis, with the sandbox's Stripe
 * and Telegram: the conversations' sign-ups are real ones, read back from PostgreSQL and the Stripe
 * stand-in. It knows the conversation's bearer, so sign-ups are limited per email only.
 */
final class TestApi implements AutoCloseable {
  private static final byte[] KEY = new byte[32];

  /** The api's sealing of bot tokens: the conversation's state is sealed with it too. */
  static final SecretBox SECRETS = new SecretBox(new CryptoSettings("k", Map.of("k", KEY)));

  final RunningService service;
  final Database database;
  final CustomerStore customers;
  private static final Pattern CONTINUE_LINK =
      Pattern.compile("/signup/continue\\?token=([A-Za-z0-9_-]+)");

  private final Sandbox sandbox;

  TestApi(TestPostgres postgres, TestRedis redis, Sandbox sandbox, String onboardingToken) {
    this.sandbox = sandbox;
    String base = "http://127.0.0.1:" + sandbox.port();
    Map<String, String> config = new HashMap<>();
    config.put("api.host", "127.0.0.1");
    config.put("api.port", "0");
    config.put("api.public-url", "https://app.openclaw.test");
    config.put("db.url", postgres.jdbcUrl());
    config.put("db.user", postgres.user());
    config.put("db.password", postgres.password() == null ? "" : postgres.password());
    config.put("db.pool-size", "4");
    config.put("redis.url", redis.url());
    config.put("redis.prefix", redis.prefix());
    config.put("crypto.keys", "k:" + Base64.getEncoder().encodeToString(KEY));
    config.put("crypto.active-key", "k");
    config.put("api.auth.jwt.keys", "t1:" + SigningKeys.encode(SigningKeys.generate()));
    config.put("api.auth.jwt.active-key", "t1");
    config.put("telegram.api-root", base + "/telegram");
    config.put("stripe.api-base", base + "/stripe");
    config.put("stripe.secret-key", "sk_test_sandbox");
    config.put("api.stripe.webhook-secret", "whsec_sandbox");
    config.put("api.signup.runtime", "local");
    config.put("api.onboarding.internal-token", onboardingToken);
    service = Main.start(ConfigLoader.load("api", Map.of(), config));
    database = TestServices.database(postgres, 2);
    customers = new CustomerStore(database);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + service.port());
  }

  Optional<Customer> customer(String email) {
    return customers.findByEmail(database.execute(), email);
  }

  Box box(Customer customer) {
    return new BoxStore(database, SECRETS).findLiveForCustomer(customer.id()).orElseThrow();
  }

  /** The bot token the api sealed on {@code box}. */
  String botToken(Box box) {
    return new BoxStore(database, SECRETS).openBotToken(box);
  }

  /** A customer who paid for an agent already, with {@code email}. */
  Customer payingCustomer(String email) {
    Customer created =
        customers.create(database.execute(), new NewCustomer(email, null, null, "starter"));
    return customers.setStatus(database.execute(), created.id(), CustomerStatus.ACTIVE);
  }

  /** The sign-up links mailed to {@code email} so far, oldest first (the tokens). */
  List<String> signupLinks(String email) {
    try (Stream<DbRow> rows =
        database
            .execute()
            .query(
                "SELECT body FROM notifications WHERE recipient = ? AND dedupe_key LIKE"
                    + " 'signup_link:%' ORDER BY created_at",
                email)) {
      return rows.map(row -> Rows.string(row, "body"))
          .map(CONTINUE_LINK::matcher)
          .filter(Matcher::find)
          .map(link -> link.group(1))
          .toList();
    }
  }

  /**
   * Opens the newest sign-up link mailed to {@code email} as its owner would, and returns the
   * checkout it goes on to.
   */
  String openSignupLink(String email) {
    List<String> links = signupLinks(email);
    if (links.isEmpty()) {
      throw new AssertionError("no sign-up link was mailed to " + email);
    }
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> continued =
          http.send(
              HttpRequest.newBuilder(url().resolve("/signup/continue"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("token=" + links.getLast()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (continued.statusCode() != 303) {
        throw new AssertionError("continuing the sign-up answered " + continued.body());
      }
      return continued.headers().firstValue("Location").orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The ids of the checkout sessions the Stripe stand-in opened for {@code customer}. */
  List<String> checkouts(Customer customer) {
    return sandbox.stripe().state().objects().get("checkout_sessions").values().stream()
        .filter(session -> customer.stripeCustomerId().equals(session.path("customer").asText()))
        .map(session -> session.path("id").asText())
        .toList();
  }

  /** The checkout sessions of the customer behind {@code customerId}. */
  List<String> checkouts(UUID customerId) {
    return checkouts(customers.find(customerId).orElseThrow());
  }

  @Override
  public void close() {
    TestServices.closeAll(service, database);
  }
}
