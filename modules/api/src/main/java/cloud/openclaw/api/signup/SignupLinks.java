package cloud.openclaw.api.signup;

import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.domain.NewNotification;
import cloud.openclaw.platform.domain.NotificationKind;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.NotificationStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import redis.clients.jedis.params.SetParams;

/**
 * One-time links that continue a sign-up: nothing is stored under an email before its owner opens
 * the link (so a sign-up cannot tell whether the email has an account, nor hold an address its
 * maker does not own). The sign-up waits in Redis (its bot token sealed) under the SHA-256 of the
 * link's 256 random bits for {@code ttl}; only the address's owner gets the link, and following it
 * proves the address, like a sign-in link.
 */
public final class SignupLinks {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis redis;
  private final SecretBox secrets;
  private final NotificationStore notifications;
  private final URI publicUrl;
  private final Duration ttl;

  public SignupLinks(
      Redis redis,
      SecretBox secrets,
      NotificationStore notifications,
      URI publicUrl,
      Duration ttl) {
    this.redis = redis;
    this.secrets = secrets;
    this.notifications = notifications;
    this.publicUrl = publicUrl;
    this.ttl = ttl;
  }

  /**
   * A sign-up as asked for (its email checked), its bot's username for the mail, and the onboarding
   * conversation's reference to record when it goes on (null: none).
   */
  public record Signup(
      String email,
      String plan,
      String botUsername,
      String botToken,
      List<Long> allowedTelegramUserIds,
      String model,
      String thinkingLevel,
      Long ownerTelegramUserId,
      String useCase,
      String followUp) {}

  /** What Redis keeps: the sign-up with its bot token sealed. */
  private record Waiting(
      String email,
      String plan,
      String botUsername,
      String keyId,
      String sealedBotToken,
      List<Long> allowedTelegramUserIds,
      String model,
      String thinkingLevel,
      Long ownerTelegramUserId,
      String useCase,
      String followUp) {}

  /** Keeps {@code signup} and mails its email the link that continues it. */
  public void send(Signup signup) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    String hash = Sha256.hex(token);
    SecretBox.Sealed sealed = secrets.seal(signup.botToken(), associatedData(hash));
    Waiting waiting =
        new Waiting(
            signup.email(),
            signup.plan(),
            signup.botUsername(),
            sealed.keyId(),
            Base64.getEncoder().encodeToString(sealed.ciphertext()),
            signup.allowedTelegramUserIds(),
            signup.model(),
            signup.thinkingLevel(),
            signup.ownerTelegramUserId(),
            signup.useCase(),
            signup.followUp());
    redis
        .client()
        .set(
            key(hash),
            Json.write(waiting),
            SetParams.setParams().nx().px(Math.max(1, ttl.toMillis())));
    URI url = URI.create(publicUrl + "/signup/continue?token=" + token);
    String body =
        "Hello,\n\nsomeone, hopefully you, asked to sign up for OpenClaw Cloud with this email and"
            + " the Telegram bot @"
            + signup.botUsername()
            + " (plan "
            + signup.plan()
            + "). To go on to the checkout, pay, and have your agent answer you on Telegram within"
            + " a minute, open this link:\n\n"
            + url
            + "\n\nIt works once, within "
            + Math.max(1, ttl.toMinutes())
            + " minutes. If this email has a sign-up that is not paid yet, this one replaces it."
            + " If it was not you, ignore this mail: nothing changes.\n";
    notifications.enqueue(
        new NewNotification(
            null,
            NotificationKind.SIGN_IN_LINK,
            signup.email(),
            "Finish signing up",
            body,
            "signup_link:" + hash));
  }

  /** The sign-up the link continues, once: the link is gone afterwards (also when it expired). */
  public Optional<Signup> consume(String token) {
    if (token == null || token.isBlank() || token.length() > 100) {
      return Optional.empty();
    }
    String hash = Sha256.hex(token);
    String json = redis.client().getDel(key(hash));
    if (json == null) {
      return Optional.empty();
    }
    Waiting waiting = Json.read(json.getBytes(StandardCharsets.UTF_8), Waiting.class);
    String botToken;
    try {
      botToken =
          secrets.open(
              new SecretBox.Sealed(
                  waiting.keyId(), Base64.getDecoder().decode(waiting.sealedBotToken())),
              associatedData(hash));
    } catch (SecretBox.SecretException e) {
      // Sealed under a key retired since (links are not resealed: they last minutes): expired.
      return Optional.empty();
    }
    return Optional.of(
        new Signup(
            waiting.email(),
            waiting.plan(),
            waiting.botUsername(),
            botToken,
            waiting.allowedTelegramUserIds(),
            waiting.model(),
            waiting.thinkingLevel(),
            waiting.ownerTelegramUserId(),
            waiting.useCase(),
            waiting.followUp()));
  }

  private static String associatedData(String hash) {
    return "signup-link:" + hash;
  }

  private String key(String hash) {
    return redis.key("signup", "link", hash);
  }
}
