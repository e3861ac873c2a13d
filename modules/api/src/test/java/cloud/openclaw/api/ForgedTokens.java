package cloud.openclaw.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Session JWTs an attacker could make from a real one: the api must refuse both. */
final class ForgedTokens {
  private ForgedTokens() {}

  /** The customer's token with its role changed to admin and its signature kept. */
  static String promotedToAdmin(String token) {
    String[] parts = token.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    return parts[0] + "." + base64(payload.replace("\"customer\"", "\"admin\"")) + "." + parts[2];
  }

  /** The token's claims under {@code alg: none}, with no signature. */
  static String unsigned(String token) {
    return base64("{\"alg\":\"none\",\"kid\":\"test1\"}") + "." + token.split("\\.")[1] + ".";
  }

  private static String base64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
