package cloud.openclaw.api.onboarding;

import cloud.openclaw.platform.crypto.Sha256;
import cloud.openclaw.platform.redis.Redis;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import redis.clients.jedis.params.SetParams;

/**
 * Web chat sessions: a random session id (it names the conversation {@code web:<id>} and appears in
 * the socket's URL) and a random secret that only the browser's HttpOnly cookie carries, as {@code
 * <id>.<secret>}. Redis keeps the secret's SHA-256 under the id, for the session's TTL (renewed on
 * use). Knowing a session id (from a URL, a log) is not enough to read or write its chat: the
 * cookie must carry the secret too.
 */
public final class WebSessions {
  public static final String COOKIE = "oc_onboarding";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private final Redis redis;
  private final Duration ttl;

  public WebSessions(Redis redis, Duration ttl) {
    this.redis = redis;
    this.ttl = ttl;
  }

  /** A new session: its id, and the cookie value that proves it. */
  public record Started(String sessionId, String cookie) {}

  public Started start() {
    String id = random(18);
    String secret = random(32);
    redis.client().set(key(id), Sha256.hex(secret), SetParams.setParams().px(ttl.toMillis()));
    return new Started(id, id + "." + secret);
  }

  /**
   * The session the cookie proves, renewing its TTL; empty when the cookie is malformed, the
   * session expired, or the secret is not its own.
   */
  public Optional<String> proven(String cookie) {
    if (cookie == null) {
      return Optional.empty();
    }
    int dot = cookie.indexOf('.');
    if (dot <= 0 || dot != cookie.lastIndexOf('.') || cookie.length() > 200) {
      return Optional.empty();
    }
    String id = cookie.substring(0, dot);
    String stored = redis.client().get(key(id));
    if (stored == null
        || !MessageDigest.isEqual(
            stored.getBytes(StandardCharsets.US_ASCII),
            Sha256.hex(cookie.substring(dot + 1)).getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    redis.client().pexpire(key(id), ttl.toMillis());
    return Optional.of(id);
  }

  /** True when the cookie proves exactly this session. */
  public boolean proves(String cookie, String sessionId) {
    return proven(cookie).filter(sessionId::equals).isPresent();
  }

  /** The Set-Cookie value: HttpOnly, SameSite=Lax, Secure when the api is served over https. */
  public String setCookie(String cookie, boolean secure) {
    return COOKIE
        + "="
        + cookie
        + "; Path=/onboarding; Max-Age="
        + ttl.toSeconds()
        + "; HttpOnly; SameSite=Lax"
        + (secure ? "; Secure" : "");
  }

  /** The conversation a web session's chat is (the onboarding agent's key). */
  public static String conversation(String sessionId) {
    return "web:" + sessionId;
  }

  /** The value of cookie {@code name} in a Cookie header (null when absent). */
  public static String cookieValue(String header, String name) {
    if (header == null) {
      return null;
    }
    for (String pair : header.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
        return pair.substring(eq + 1).strip();
      }
    }
    return null;
  }

  private static String random(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return ENCODER.encodeToString(value);
  }

  private String key(String sessionId) {
    return redis.key("onboarding", "web-session", sessionId);
  }
}
