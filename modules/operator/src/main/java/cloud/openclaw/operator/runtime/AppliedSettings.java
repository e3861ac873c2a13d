package cloud.openclaw.operator.runtime;

import cloud.openclaw.platform.domain.Box;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A fingerprint of what a customer may change on their box (allowed users, model, thinking level,
 * what the agent is for), recorded by the runtime with the gateway it applies (a Deployment
 * annotation, a file in the box's directory), so that the reconciler can tell a gateway still
 * running with older settings from the runtime's listing alone, without its secrets.
 */
public final class AppliedSettings {
  private AppliedSettings() {}

  /** sha256 (hex, 32 digits) of the box's settings. */
  public static String of(Box box) {
    String settings =
        "users="
            + box.allowedTelegramUserIds()
            + ";model="
            + box.model()
            + ";thinking="
            + box.thinkingLevel().dbValue()
            // Only when there is one: boxes without a use case keep the fingerprint they had.
            + (box.useCase() == null ? "" : ";useCase=" + box.useCase());
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(settings.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has SHA-256", e);
    }
  }
}
