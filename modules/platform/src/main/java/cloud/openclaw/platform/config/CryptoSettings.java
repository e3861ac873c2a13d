package cloud.openclaw.platform.config;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The AES-256 keys that seal secrets at rest (bot tokens), by key id. New secrets are sealed with
 * the active key; older keys stay listed so that what they sealed can still be opened (rotation).
 */
public record CryptoSettings(String activeKeyId, Map<String, byte[]> keys) {

  public static CryptoSettings from(Settings settings) {
    String raw = settings.string("crypto.keys");
    Map<String, byte[]> keys = new LinkedHashMap<>();
    for (String entry : raw.split("\\s*,\\s*")) {
      String[] parts = entry.split(":", 2);
      if (parts.length != 2 || !parts[0].matches("[A-Za-z0-9_-]{1,32}")) {
        throw new ConfigurationException(
            "crypto.keys", "entries must look like <key id>:<base64 key>");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(parts[1]);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("crypto.keys", "key " + parts[0] + " is not base64");
      }
      if (key.length != 32) {
        throw new ConfigurationException(
            "crypto.keys", "key " + parts[0] + " must be 32 bytes (AES-256)");
      }
      keys.put(parts[0], key);
    }
    String active = settings.string("crypto.active-key");
    if (!keys.containsKey(active)) {
      throw new ConfigurationException(
          "crypto.active-key", "'" + active + "' is not among crypto.keys");
    }
    return new CryptoSettings(active, Map.copyOf(keys));
  }
}
