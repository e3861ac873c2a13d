package cloud.openclaw.api.auth;

import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.errors.TooManyRequestsException;
import cloud.openclaw.platform.redis.Redis;
import java.time.Duration;

/**
 * Sign-in attempts, counted in Redis so every replica counts together: per client address (the
 * requester), per email from one requester, and the distinct requesters of one email. None of them
 * lets one requester use up an address's links for everyone else: flooding the requests for
 * someone's email stops the flooder, while the owner asking from elsewhere still gets theirs. The
 * requesters ceiling bounds the mail one inbox gets (requesters times {@code perEmail}); a
 * requester it counted already always passes it, so the owner who asked once keeps getting links
 * while others fill it.
 */
public final class LoginLimits {
  /** The requester of attempts that a trusted relay made for people limited where they came in. */
  private static final String RELAY = "relay";

  private final Redis redis;
  private final RequestLimit perEmailAndIp;
  private final RequestLimit perIp;
  private final int requestersPerEmail;
  private final Duration window;

  public LoginLimits(
      Redis redis, int perEmail, int perIp, int requestersPerEmail, Duration window) {
    this.redis = redis;
    this.perEmailAndIp = new RequestLimit(redis, perEmail, window, "auth", "login", "email-ip");
    this.perIp = new RequestLimit(redis, perIp, window, "auth", "login", "ip");
    this.requestersPerEmail = requestersPerEmail;
    this.window = window;
  }

  /**
   * Counts one attempt; throws {@link TooManyRequestsException} once a limit is passed. A null
   * {@code clientIp} (a trusted relay whose callers were limited where they came in) counts as one
   * requester.
   */
  public void attempt(String emailHash, String clientIp) {
    if (clientIp != null) {
      perIp.count(clientIp, "too many sign-in attempts for this address");
    }
    String requester = clientIp == null ? RELAY : Sha256.hex(clientIp);
    countRequester(emailHash, requester);
    perEmailAndIp.count(
        emailHash + ":" + requester, "too many sign-in attempts for this email from here");
  }

  /** Adds {@code requester} to the email's requesters in this window, unless they are too many. */
  private void countRequester(String emailHash, String requester) {
    String set = redis.key("auth", "login", "requesters", emailHash);
    var client = redis.client();
    if (client.sadd(set, requester) == 0) {
      return;
    }
    // The window starts with the first requester (EXPIRE ... NX needs Redis 7; this works on 6).
    if (client.ttl(set) < 0) {
      client.expire(set, window.toSeconds());
    }
    if (client.scard(set) > requestersPerEmail) {
      client.srem(set, requester);
      long ttl = client.ttl(set);
      throw new TooManyRequestsException(
          "too many sign-in attempts for this email",
          Duration.ofSeconds(ttl > 0 ? ttl : window.toSeconds()));
    }
  }
}
