package cloud.openclaw.platform.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.CryptoSettings;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  static final byte[] KEY_A = Base64.getDecoder().decode(SecretBox.newKey());
  static final byte[] KEY_B = Base64.getDecoder().decode(SecretBox.newKey());
  static final String TOKEN = "123456789:AAHfake-bot-token_with-some-length";
  static final String AAD = "box:1:bot-token";

  static SecretBox box(String active, Map<String, byte[]> keys) {
    return new SecretBox(new CryptoSettings(active, keys));
  }

  final SecretBox onlyA = box("a", Map.of("a", KEY_A));

  @Test
  void newKeysAreRandom256BitKeys() {
    assertThat(KEY_A).hasSize(32);
    assertThat(KEY_A).isNotEqualTo(KEY_B);
  }

  @Test
  void sealsUnderTheActiveKeyAndOpensBack() {
    SecretBox.Sealed sealed = onlyA.seal(TOKEN, AAD);

    assertThat(sealed.keyId()).isEqualTo("a");
    assertThat(new String(sealed.ciphertext(), StandardCharsets.ISO_8859_1)).doesNotContain(TOKEN);
    // Nonce, ciphertext of the same length, 16-byte tag.
    assertThat(sealed.ciphertext())
        .hasSize(12 + TOKEN.getBytes(StandardCharsets.UTF_8).length + 16);
    assertThat(onlyA.open(sealed, AAD)).isEqualTo(TOKEN);
  }

  @Test
  void sealingTwiceGivesDifferentCiphertexts() {
    assertThat(onlyA.seal(TOKEN, AAD).ciphertext())
        .isNotEqualTo(onlyA.seal(TOKEN, AAD).ciphertext());
  }

  @Test
  void aSealedValueDoesNotOpenUnderOtherAssociatedData() {
    SecretBox.Sealed sealed = onlyA.seal(TOKEN, AAD);

    assertThatThrownBy(() -> onlyA.open(sealed, "box:2:bot-token"))
        .isInstanceOf(SecretBox.SecretException.class);
  }

  @Test
  void aTamperedValueDoesNotOpen() {
    SecretBox.Sealed sealed = onlyA.seal(TOKEN, AAD);
    byte[] bytes = sealed.ciphertext().clone();
    bytes[bytes.length / 2] ^= 1;

    assertThatThrownBy(() -> onlyA.open(new SecretBox.Sealed("a", bytes), AAD))
        .isInstanceOf(SecretBox.SecretException.class);
    assertThatThrownBy(() -> onlyA.open(new SecretBox.Sealed("a", new byte[12]), AAD))
        .isInstanceOf(SecretBox.SecretException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void aValueUnderAnUnknownKeyDoesNotOpen() {
    SecretBox.Sealed underA = onlyA.seal(TOKEN, AAD);
    SecretBox onlyB = box("b", Map.of("b", KEY_B));

    assertThatThrownBy(() -> onlyB.open(underA, AAD))
        .isInstanceOf(SecretBox.SecretException.class)
        .hasMessageContaining("'a'");
    // The right id with the wrong key material fails too.
    SecretBox impostor = box("a", Map.of("a", KEY_B));
    assertThatThrownBy(() -> impostor.open(underA, AAD))
        .isInstanceOf(SecretBox.SecretException.class);
  }

  @Test
  void afterRotationOldValuesOpenAndNewOnesTakeTheNewKey() {
    SecretBox.Sealed underA = onlyA.seal(TOKEN, AAD);
    SecretBox rotated = box("b", Map.of("a", KEY_A, "b", KEY_B));

    assertThat(rotated.open(underA, AAD)).isEqualTo(TOKEN);
    assertThat(rotated.needsRotation(underA)).isTrue();
    SecretBox.Sealed underB = rotated.seal(rotated.open(underA, AAD), AAD);
    assertThat(underB.keyId()).isEqualTo("b");
    assertThat(rotated.needsRotation(underB)).isFalse();
    assertThat(onlyA.needsRotation(underA)).isFalse();
  }

  @Test
  void sealsUnicodeAndEmptyValues() {
    assertThat(onlyA.open(onlyA.seal("", AAD), AAD)).isEmpty();
    assertThat(onlyA.open(onlyA.seal("ключ🔑", AAD), AAD)).isEqualTo("ключ🔑");
  }
}
