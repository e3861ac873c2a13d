package cloud.openclaw.platform.crypto;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Proxy tokens: 256 random bits, shown once to whoever creates them, stored only as SHA-256. The
 * visible prefix lets a person tell tokens apart in a list without the token being recoverable.
 */
public final class ProxyTokens {
  public static final String SCHEME = "ocp_";
  private static final int PREFIX_LENGTH = SCHEME.length() + 8;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");

  private ProxyTokens() {}

  /** A new token: {@code ocp_} and 43 base64url characters. */
  public static String generate() {
    byte[] bits = new byte[32];
    RANDOM.nextBytes(bits);
    return SCHEME + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  public static byte[] hash(String token) {
    return Sha256.of(token);
  }

  /** The part of a token that may be shown again: the scheme and its first characters. */
  public static String visiblePrefix(String token) {
    return token.substring(0, Math.min(PREFIX_LENGTH, token.length()));
  }

  /** True when {@code candidate} has the shape of a token (cheap check before any lookup). */
  public static boolean looksLikeToken(String candidate) {
    return candidate != null
        && candidate.length() == SCHEME.length() + 43
        && candidate.startsWith(SCHEME)
        && BASE64URL.matcher(candidate).region(SCHEME.length(), candidate.length()).matches();
  }
}
