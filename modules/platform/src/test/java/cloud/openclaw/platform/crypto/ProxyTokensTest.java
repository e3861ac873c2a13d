package cloud.openclaw.platform.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProxyTokensTest {

  @Test
  void generatesWellFormedDistinctTokens() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String token = ProxyTokens.generate();
      assertThat(token).startsWith("ocp_").hasSize(4 + 43);
      assertThat(ProxyTokens.looksLikeToken(token)).isTrue();
      seen.add(token);
    }
    assertThat(seen).hasSize(1000);
  }

  @Test
  void hashesWithSha256() {
    assertThat(HexFormat.of().formatHex(ProxyTokens.hash("abc")))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    String token = ProxyTokens.generate();
    assertThat(ProxyTokens.hash(token)).hasSize(32).isEqualTo(ProxyTokens.hash(token));
    assertThat(ProxyTokens.hash(token)).isNotEqualTo(ProxyTokens.hash(ProxyTokens.generate()));
  }

  @Test
  void theVisiblePrefixIsTheSchemeAndEightCharacters() {
    String token = ProxyTokens.generate();

    assertThat(ProxyTokens.visiblePrefix(token)).isEqualTo(token.substring(0, 12));
    assertThat(ProxyTokens.visiblePrefix("ocp_ab")).isEqualTo("ocp_ab");
  }

  @Test
  void recognisesOnlyTheShapeOfAToken() {
    String token = ProxyTokens.generate();

    assertThat(ProxyTokens.looksLikeToken(null)).isFalse();
    assertThat(ProxyTokens.looksLikeToken("")).isFalse();
    assertThat(ProxyTokens.looksLikeToken(token.substring(1))).isFalse();
    assertThat(ProxyTokens.looksLikeToken(token + "x")).isFalse();
    assertThat(ProxyTokens.looksLikeToken("sk_" + token.substring(3))).isFalse();
    assertThat(ProxyTokens.looksLikeToken("ocp_" + "+".repeat(43))).isFalse();
    assertThat(ProxyTokens.looksLikeToken("ocp_" + "a".repeat(42) + "=")).isFalse();
  }
}
