package cloud.openclaw.api.auth;

import io.helidon.common.Errors;
import io.helidon.http.UnauthorizedException;
import io.helidon.security.jwt.Jwt;
import io.helidon.security.jwt.JwtValidator;
import io.helidon.security.jwt.SignedJwt;
import io.helidon.security.jwt.jwk.JwkKeys;
import io.helidon.security.jwt.jwk.JwkRSA;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Session JWTs (RS256, helidon-security-jwt): a short-lived access token and a longer refresh
 * token, told apart by the {@code use} claim so that one can never stand in for the other.
 */
public final class SessionTokens {
  static final String AUDIENCE = "openclaw-api";
  static final String USE = "use";
  static final String ROLES = "roles";
  static final String CUSTOMER = "cid";

  /** What a token is for. */
  public enum Use {
    ACCESS,
    REFRESH;

    String claim() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A signed token and when it ends. */
  public record Issued(String token, String tokenId, Instant expiresAt) {}

  private final SigningKeys keys;
  private final String issuer;
  private final Clock clock;
  private final JwtValidator validator;
  private final JwkKeys verificationKeys;

  public SessionTokens(SigningKeys keys, String issuer, Clock clock) {
    this.keys = keys;
    this.issuer = issuer;
    this.clock = clock;
    this.validator =
        JwtValidator.builder()
            .addIssuerValidator(issuer, true)
            .addAudienceValidator(AUDIENCE)
            .addCriticalValidator()
            .build();
    this.verificationKeys = keys.all();
  }

  public Issued issue(Use use, String email, UUID customerId, Set<String> roles, Duration ttl) {
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    String id = UUID.randomUUID().toString();
    JwkRSA key = keys.active();
    Jwt.Builder jwt =
        Jwt.builder()
            .type("JWT")
            .algorithm(JwkRSA.ALG_RS256)
            .keyId(key.keyId())
            .issuer(issuer)
            .audience(List.of(AUDIENCE))
            .subject(customerId == null ? email : customerId.toString())
            .email(email)
            .jwtId(id)
            .issueTime(now)
            .notBefore(now)
            .expirationTime(expires)
            .addPayloadClaim(USE, use.claim())
            .addPayloadClaim(ROLES, List.copyOf(roles));
    if (customerId != null) {
      jwt.addPayloadClaim(CUSTOMER, customerId.toString());
    }
    return new Issued(SignedJwt.sign(jwt.build(), key).tokenContent(), id, expires);
  }

  /**
   * The session a token carries, or 401: bad shape, an algorithm or key that is not ours, a bad
   * signature, another issuer or audience, another use, not yet valid or expired.
   */
  public Session verify(String token, Use use) {
    Jwt jwt;
    try {
      SignedJwt signed = SignedJwt.parseToken(token);
      jwt = signed.getJwt();
      // Only our algorithm and our keys: never "none", never a key the token brings along.
      if (!JwkRSA.ALG_RS256.equals(jwt.algorithm().orElse(""))
          || jwt.keyId().map(keys::find).isEmpty()) {
        throw invalid();
      }
      Errors signature = signed.verifySignature(verificationKeys);
      if (!signature.isValid()) {
        throw invalid();
      }
    } catch (RuntimeException e) {
      // Helidon reports a malformed token in several exception types (JwtException, Errors'...).
      throw invalid();
    }
    if (!validator.validate(jwt).isValid()
        || !jwt.audience().orElse(List.of()).contains(AUDIENCE)) {
      throw invalid();
    }
    Instant now = clock.instant();
    Instant expires = jwt.expirationTime().orElseThrow(SessionTokens::invalid);
    if (!now.isBefore(expires) || jwt.notBefore().map(now::isBefore).orElse(false)) {
      throw new UnauthorizedException("the session has expired: sign in again");
    }
    if (!use.claim().equals(string(jwt, USE))) {
      throw invalid();
    }
    String email = jwt.email().orElseThrow(SessionTokens::invalid);
    String tokenId = jwt.jwtId().orElseThrow(SessionTokens::invalid);
    String customer = string(jwt, CUSTOMER);
    Set<String> roles =
        jwt.payloadClaim(ROLES)
            .filter(value -> value.getValueType() == JsonValue.ValueType.ARRAY)
            .map(
                value ->
                    value.asJsonArray().stream()
                        .filter(JsonString.class::isInstance)
                        .map(v -> ((JsonString) v).getString())
                        .collect(Collectors.toSet()))
            .orElseThrow(SessionTokens::invalid);
    try {
      return new Session(
          email, customer == null ? null : UUID.fromString(customer), roles, tokenId, expires);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
  }

  private static String string(Jwt jwt, String claim) {
    return jwt.payloadClaim(claim)
        .filter(JsonString.class::isInstance)
        .map(value -> ((JsonString) value).getString())
        .orElse(null);
  }

  static UnauthorizedException invalid() {
    return new UnauthorizedException("the session token is not valid: sign in again");
  }
}
