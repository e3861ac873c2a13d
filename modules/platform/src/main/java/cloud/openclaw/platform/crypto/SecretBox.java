package cloud.openclaw.platform.crypto;

import cloud.openclaw.platform.config.CryptoSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets at rest with AES-256-GCM. Each sealed value carries the id of its key (stored
 * beside the ciphertext) so keys can rotate: new values take the active key, old ones open with
 * theirs. The associated data binds a ciphertext to its row: a token copied onto another box will
 * not open.
 */
public final class SecretBox {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final String activeKeyId;
  private final Map<String, SecretKeySpec> keys;
  private final SecureRandom random = new SecureRandom();

  public SecretBox(CryptoSettings settings) {
    this.activeKeyId = settings.activeKeyId();
    this.keys =
        settings.keys().entrySet().stream()
            .collect(
                java.util.stream.Collectors.toUnmodifiableMap(
                    Map.Entry::getKey, e -> new SecretKeySpec(e.getValue(), "AES")));
  }

  /** A freshly generated key, base64, for {@code crypto.keys}. */
  public static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  public Sealed seal(String plaintext, String associatedData) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      byte[] ciphertext = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = Arrays.copyOf(nonce, NONCE_BYTES + ciphertext.length);
      System.arraycopy(ciphertext, 0, sealed, NONCE_BYTES, ciphertext.length);
      return new Sealed(activeKeyId, sealed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable", e);
    }
  }

  public String open(Sealed sealed, String associatedData) {
    SecretKeySpec key = keys.get(sealed.keyId());
    if (key == null) {
      throw new SecretException("no key with id '" + sealed.keyId() + "' is configured");
    }
    byte[] bytes = sealed.ciphertext();
    if (bytes.length <= NONCE_BYTES) {
      throw new SecretException("sealed value is truncated");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new SecretException("sealed value was tampered with or belongs elsewhere");
    } catch (GeneralSecurityException e) {
      throw new SecretException("cannot open sealed value: " + e.getMessage());
    }
  }

  /** The id of the key that seals new values. */
  public String activeKeyId() {
    return activeKeyId;
  }

  /** The ids of every configured key (what can be opened), sorted. */
  public java.util.SortedSet<String> keyIds() {
    return new java.util.TreeSet<>(keys.keySet());
  }

  /** True when {@code sealed} is under a key other than the active one and should be re-sealed. */
  public boolean needsRotation(Sealed sealed) {
    return !sealed.keyId().equals(activeKeyId);
  }

  /** A sealed secret: the id of the key, and nonce followed by ciphertext and tag. */
  public record Sealed(String keyId, byte[] ciphertext) {}

  /** A sealed value could not be opened. */
  public static final class SecretException extends RuntimeException {
    SecretException(String message) {
      super(message);
    }
  }
}
