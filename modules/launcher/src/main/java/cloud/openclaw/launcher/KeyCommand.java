package cloud.openclaw.launcher;

import cloud.openclaw.api.admin.AuditLog;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Connections;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.KeyRotation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ./openclaw-cloud keys} (sealed values by key id) and {@code ./openclaw-cloud reseal}
 * (re-seal everything under the active key, audited as the admin API's reseal is), with the api's
 * configuration: OPENCLAW_* variables and OPENCLAW_CONFIG_FILE, as the services read them.
 */
final class KeyCommand {
  static final String KEYS = "keys";
  static final String RESEAL = "reseal";

  private KeyCommand() {}

  static boolean handles(String command) {
    return KEYS.equals(command) || RESEAL.equals(command);
  }

  /**
   * Runs {@code command} and prints its JSON to {@code out}.
   *
   * @return the exit status: 0, or 1 when values are sealed under keys that are not configured or
   *     did not open
   */
  static int run(String command, Map<String, String> environment, PrintStream out) {
    Settings settings = new Settings(ConfigLoader.load("api", environment, Map.of()));
    PlatformSettings platform = PlatformSettings.from(settings);
    SecretBox secrets = new SecretBox(CryptoSettings.from(settings));
    try (Connections connections = Connections.open(platform)) {
      KeyRotation rotation = new KeyRotation(connections.database(), connections.redis(), secrets);
      if (KEYS.equals(command)) {
        KeyRotation.KeyCounts counts = rotation.counts();
        out.println(pretty(counts.view()));
        return counts.missingKeys().isEmpty() ? 0 : 1;
      }
      KeyRotation.Report report = rotation.resealAll();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("before", report.before().total());
      details.put("after", report.after().total());
      details.put("botTokensMoved", report.botTokensMoved());
      details.put("conversationsMoved", report.conversationsMoved());
      int unopenable = report.unopenableBoxes().size() + report.unopenableConversations().size();
      details.put("unopenable", unopenable);
      new AuditLog(connections.database())
          .record(
              connections.database().execute(),
              "cli:" + System.getProperty("user.name", "unknown"),
              "crypto.reseal",
              "crypto-key",
              report.after().activeKey(),
              details);
      out.println(pretty(report.view()));
      return unopenable == 0 && report.after().missingKeys().isEmpty() ? 0 : 1;
    }
  }

  private static String pretty(Object value) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
