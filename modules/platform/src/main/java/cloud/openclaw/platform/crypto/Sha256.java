package cloud.openclaw.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a string's UTF-8 bytes: stored token hashes, link keys, change fingerprints. */
public final class Sha256 {
  // Cloned for each digest: looking the algorithm up among the providers every time costs more
  // than hashing a token (the token proxy does it on every request).
  private static final MessageDigest PROTOTYPE = digest();

  private Sha256() {}

  public static byte[] of(String text) {
    try {
      return ((MessageDigest) PROTOTYPE.clone()).digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (CloneNotSupportedException e) {
      return digest().digest(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }

  /** The digest in lower-case hex. */
  public static String hex(String text) {
    return HexFormat.of().formatHex(of(text));
  }
}
