package cloud.openclaw.billing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The billing worker refuses to start on missing or bad keys, naming them, before connecting. */
class MainTest {
  private static final Map<String, String> VALID =
      Map.of(
          "db.url", "jdbc:postgresql://127.0.0.1:1/never-reached",
          "redis.url", "redis://127.0.0.1:1",
          "billing.token-proxy.internal-token", "0123456789abcdef0123",
          "stripe.secret-key", "sk_test_x",
          "crypto.keys", "k:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
          "crypto.active-key", "k");

  private static Map<String, String> with(String key, String value) {
    Map<String, String> overrides = new HashMap<>(VALID);
    overrides.put(key, value);
    return overrides;
  }

  private static void refused(Map<String, String> overrides, String key) {
    assertThatThrownBy(() -> Main.start(ConfigLoader.load("billing-worker", Map.of(), overrides)))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(key);
  }

  @Test
  void aMissingProxyTokenStopsStart() {
    refused(with("billing.token-proxy.internal-token", ""), "billing.token-proxy.internal-token");
  }

  @Test
  void aMissingStripeKeyStopsStart() {
    refused(with("stripe.secret-key", ""), "stripe.secret-key");
  }

  @Test
  void aBadGracePeriodStopsStart() {
    refused(with("billing.grace-period", "three days"), "billing.grace-period");
  }

  @Test
  void aBadSenderStopsStart() {
    refused(with("billing.mail.from", "nobody"), "billing.mail.from");
  }
}
