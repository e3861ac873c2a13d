package cloud.openclaw.api.auth;

import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.domain.NotificationKind;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.NotificationStore;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import redis.clients.jedis.params.SetParams;

/**
 * One-time sign-in links: 256 random bits, kept in Redis only as their SHA-256 (with the email they
 * sign in) for {@code ttl}, consumed at first use. {@link #mint} is also how another service (the
 * Telegram setup bot) hands a customer a link.
 */
public final class SignInLinks {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis redis;
  private final CustomerStore customers;
  private final NotificationStore notifications;
  private final URI publicUrl;
  private final Duration ttl;
  private final Clock clock;

  public SignInLinks(
      Redis redis,
      CustomerStore customers,
      NotificationStore notifications,
      URI publicUrl,
      Duration ttl,
      Clock clock) {
    this.redis = redis;
    this.customers = customers;
    this.notifications = notifications;
    this.publicUrl = publicUrl;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** A link and when it stops working. */
  public record Link(URI url, Instant expiresAt, String tokenHash) {}

  /** A fresh link that signs in {@code email}. */
  public Link mint(String email) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String hash = Sha256.hex(token);
    redis
        .client()
        .set(key(hash), email, SetParams.setParams().nx().px(Math.max(1, ttl.toMillis())));
    return new Link(
        URI.create(publicUrl + "/auth/callback?token=" + token), clock.instant().plus(ttl), hash);
  }

  /** A link for the customer with this id (the internal endpoint), or not found. */
  public Link mintForCustomer(UUID customerId) {
    Customer customer =
        customers.find(customerId).orElseThrow(() -> new NotFoundException("customer"));
    return mint(customer.email());
  }

  /**
   * Mints a link for {@code email} and puts the mail that carries it in the outbox; {@code
   * customerId} is null for an admin who is no customer.
   */
  public Link send(String email, UUID customerId) {
    Link link = mint(email);
    long minutes = Math.max(1, ttl.toMinutes());
    String body =
        "Hello,\n\nopen this link to sign in to OpenClaw Cloud:\n\n"
            + link.url()
            + "\n\nIt works once, within "
            + minutes
            + " minutes. If you did not ask to sign in, ignore this mail.\n";
    notifications.enqueue(
        new NewNotification(
            customerId,
            NotificationKind.SIGN_IN_LINK,
            email,
            "Your sign-in link",
            body,
            "sign_in_link:" + link.tokenHash()));
    return link;
  }

  /** The email the link signs in, once: the link is gone afterwards (also when it expired). */
  public Optional<String> consume(String token) {
    if (token == null || token.isBlank() || token.length() > 100) {
      return Optional.empty();
    }
    return Optional.ofNullable(redis.client().getDel(key(Sha256.hex(token))));
  }

  private String key(String hash) {
    return redis.key("auth", "link", hash);
  }
}
