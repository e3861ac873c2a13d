package cloud.openclaw.api.auth;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import io.helidon.security.jwt.jwk.Jwk;
import io.helidon.security.jwt.jwk.JwkKeys;
import io.helidon.security.jwt.jwk.JwkRSA;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The RS256 keys sessions are signed with, by key id: new tokens are signed with the active key,
 * tokens signed with any listed key verify (rotation: add a key, make it active, drop the old one
 * once the longest session signed with it has expired).
 */
public final class SigningKeys {
  private static final Logger LOG = Logger.getLogger(SigningKeys.class.getName());
  static final String KEYS = "api.auth.jwt.keys";
  static final String ACTIVE = "api.auth.jwt.active-key";

  private final JwkRSA active;
  private final Map<String, JwkRSA> byId;

  public SigningKeys(String activeKeyId, Map<String, RSAPrivateCrtKey> keys) {
    Map<String, JwkRSA> jwks = new LinkedHashMap<>();
    keys.forEach((id, key) -> jwks.put(id, jwk(id, key)));
    this.byId = Map.copyOf(jwks);
    this.active = byId.get(activeKeyId);
    if (active == null) {
      throw new IllegalArgumentException("no key " + activeKeyId);
    }
  }

  /**
   * Reads {@code api.auth.jwt.keys}; when it is empty and {@code devMode} is on, makes up a key
   * that lives as long as the process (every session ends at restart) and says so.
   */
  public static SigningKeys from(Settings settings, boolean devMode) {
    String raw = settings.optionalString(KEYS);
    if (raw.isEmpty()) {
      if (!devMode) {
        throw new ConfigurationException(
            KEYS, "missing (<key id>:<base64 PKCS#8 RSA private key>, see docs/api.md)");
      }
      LOG.warning(
          KEYS
              + " is empty: dev mode signs sessions with an ephemeral key (id 'ephemeral');"
              + " every session ends when the api restarts");
      return new SigningKeys("ephemeral", Map.of("ephemeral", generate()));
    }
    Map<String, RSAPrivateCrtKey> keys = new LinkedHashMap<>();
    for (String entry : raw.split("\\s*,\\s*")) {
      String[] parts = entry.split(":", 2);
      if (parts.length != 2 || !parts[0].matches("[A-Za-z0-9_-]{1,32}")) {
        throw new ConfigurationException(KEYS, "entries must look like <key id>:<base64 key>");
      }
      keys.put(parts[0], parse(parts[0], parts[1]));
    }
    String active = settings.optionalString(ACTIVE);
    if (!keys.containsKey(active)) {
      throw new ConfigurationException(ACTIVE, "'" + active + "' is not among " + KEYS);
    }
    return new SigningKeys(active, keys);
  }

  /** A fresh 2048-bit RSA key. */
  public static RSAPrivateCrtKey generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      return (RSAPrivateCrtKey) pair.getPrivate();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an RSA key", e);
    }
  }

  /** How a key is written in {@code api.auth.jwt.keys}. */
  public static String encode(RSAPrivateCrtKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  private static RSAPrivateCrtKey parse(String id, String base64) {
    try {
      byte[] der = Base64.getDecoder().decode(base64);
      if (KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der))
          instanceof RSAPrivateCrtKey key) {
        if (key.getModulus().bitLength() < 2048) {
          throw new ConfigurationException(KEYS, "key " + id + " is shorter than 2048 bits");
        }
        return key;
      }
      throw new ConfigurationException(KEYS, "key " + id + " is not an RSA private key");
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new ConfigurationException(
          KEYS, "key " + id + " is not a base64 PKCS#8 RSA private key");
    }
  }

  private static JwkRSA jwk(String id, RSAPrivateCrtKey key) {
    try {
      RSAPublicKey publicKey =
          (RSAPublicKey)
              KeyFactory.getInstance("RSA")
                  .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
      return JwkRSA.builder()
          .privateKey(key)
          .publicKey(publicKey)
          .keyId(id)
          .algorithm(JwkRSA.ALG_RS256)
          .usage(Jwk.USE_SIGNATURE)
          .build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the public key of " + id, e);
    }
  }

  JwkRSA active() {
    return active;
  }

  /** The key a token names, if it is one of ours. */
  JwkRSA find(String keyId) {
    return byId.get(keyId);
  }

  JwkKeys all() {
    JwkKeys.Builder keys = JwkKeys.builder();
    byId.values().forEach(keys::addKey);
    return keys.build();
  }
}
