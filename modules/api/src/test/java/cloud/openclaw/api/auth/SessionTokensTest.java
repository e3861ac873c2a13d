package cloud.openclaw.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.http.UnauthorizedException;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Session JWTs: what verifies, and the many ways a token must not. */
class SessionTokensTest {
  private static final RSAPrivateCrtKey KEY_1 = SigningKeys.generate();
  private static final RSAPrivateCrtKey KEY_2 = SigningKeys.generate();
  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  private static final UUID CUSTOMER = UUID.randomUUID();

  private static SessionTokens tokens(
      String active, Map<String, RSAPrivateCrtKey> keys, Instant at) {
    return new SessionTokens(
        new SigningKeys(active, keys), "openclaw-cloud", Clock.fixed(at, ZoneOffset.UTC));
  }

  private static final SessionTokens TOKENS = tokens("k1", Map.of("k1", KEY_1), NOW);

  private static String access(SessionTokens tokens) {
    return tokens
        .issue(
            SessionTokens.Use.ACCESS,
            "a@example.com",
            CUSTOMER,
            Set.of(Session.CUSTOMER),
            Duration.ofMinutes(15))
        .token();
  }

  private static String base64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aTokenItIssuedVerifiesWithItsClaims() {
    Session session = TOKENS.verify(access(TOKENS), SessionTokens.Use.ACCESS);

    assertThat(session.customerId()).isEqualTo(CUSTOMER);
    assertThat(session.email()).isEqualTo("a@example.com");
    assertThat(session.roles()).containsExactly(Session.CUSTOMER);
    assertThat(session.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
  }

  @Test
  void anExpiredTokenIsRefused() {
    String token = access(TOKENS);
    SessionTokens later = tokens("k1", Map.of("k1", KEY_1), NOW.plus(Duration.ofMinutes(15)));

    assertThatThrownBy(() -> later.verify(token, SessionTokens.Use.ACCESS))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("expired");
  }

  @Test
  void aTamperedPayloadIsRefused() {
    String[] parts = access(TOKENS).split("\\.");
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace(CUSTOMER.toString(), UUID.randomUUID().toString());
    String tampered = parts[0] + "." + base64(payload) + "." + parts[2];

    assertThatThrownBy(() -> TOKENS.verify(tampered, SessionTokens.Use.ACCESS))
        .isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void anUnsignedTokenIsRefused() {
    String[] parts = access(TOKENS).split("\\.");
    String none =
        base64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"k1\"}") + "." + parts[1] + ".";

    assertThatThrownBy(() -> TOKENS.verify(none, SessionTokens.Use.ACCESS))
        .isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void aTokenSignedWithAKeyThatIsNotOursIsRefused() {
    String foreign = access(tokens("k1", Map.of("k1", KEY_2), NOW));

    assertThatThrownBy(() -> TOKENS.verify(foreign, SessionTokens.Use.ACCESS))
        .isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void garbageIsRefused() {
    for (String garbage : new String[] {"", "abc", "a.b.c", "x.y", "..."}) {
      assertThatThrownBy(() -> TOKENS.verify(garbage, SessionTokens.Use.ACCESS))
          .as(garbage)
          .isInstanceOf(UnauthorizedException.class);
    }
  }

  @Test
  void aRefreshTokenIsNoAccessTokenAndTheOtherWayRound() {
    String refresh =
        TOKENS
            .issue(
                SessionTokens.Use.REFRESH,
                "a@example.com",
                CUSTOMER,
                Set.of("customer"),
                Duration.ofDays(1))
            .token();

    assertThatThrownBy(() -> TOKENS.verify(refresh, SessionTokens.Use.ACCESS))
        .isInstanceOf(UnauthorizedException.class);
    assertThatThrownBy(() -> TOKENS.verify(access(TOKENS), SessionTokens.Use.REFRESH))
        .isInstanceOf(UnauthorizedException.class);
  }

  @Test
  void afterRotationOldTokensStillVerifyAndNewOnesUseTheNewKey() {
    String old = access(TOKENS);
    SessionTokens rotated = tokens("k2", Map.of("k1", KEY_1, "k2", KEY_2), NOW);

    assertThat(rotated.verify(old, SessionTokens.Use.ACCESS).customerId()).isEqualTo(CUSTOMER);
    String fresh = access(rotated);
    String header =
        new String(Base64.getUrlDecoder().decode(fresh.split("\\.")[0]), StandardCharsets.UTF_8);
    assertThat(header).contains("\"kid\":\"k2\"").contains("\"alg\":\"RS256\"");
    // Once k1 is dropped, what it signed stops working.
    SessionTokens retired = tokens("k2", Map.of("k2", KEY_2), NOW);
    assertThatThrownBy(() -> retired.verify(old, SessionTokens.Use.ACCESS))
        .isInstanceOf(UnauthorizedException.class);
    assertThat(retired.verify(fresh, SessionTokens.Use.ACCESS).customerId()).isEqualTo(CUSTOMER);
  }

  @Test
  void anotherIssuerIsRefused() {
    SessionTokens other =
        new SessionTokens(
            new SigningKeys("k1", Map.of("k1", KEY_1)),
            "someone-else",
            Clock.fixed(NOW, ZoneOffset.UTC));

    assertThatThrownBy(() -> TOKENS.verify(access(other), SessionTokens.Use.ACCESS))
        .isInstanceOf(UnauthorizedException.class);
  }
}
