package cloud.openclaw.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.operator.kubernetes.TestBoxes;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The fingerprint the reconciler compares: a new use case is a change to apply. */
class AppliedSettingsTest {
  final Box box = TestBoxes.box(UUID.randomUUID(), BoxDesiredState.RUNNING);

  @Test
  void aUseCaseIsPartOfTheSettingsAndItsAbsenceKeepsTheOldFingerprint() {
    String without = AppliedSettings.of(box);
    String tutor = AppliedSettings.of(TestBoxes.withUseCase(box, "A tutor"));

    assertThat(tutor).isNotEqualTo(without).hasSize(32);
    assertThat(AppliedSettings.of(TestBoxes.withUseCase(box, "A chess coach"))).isNotEqualTo(tutor);
    assertThat(AppliedSettings.of(TestBoxes.withUseCase(box, "A tutor"))).isEqualTo(tutor);
    // The fingerprint of boxes made before use cases, as it was: they are not re-applied for it.
    assertThat(without)
        .isEqualTo(
            sha256Prefix(
                "users="
                    + box.allowedTelegramUserIds()
                    + ";model="
                    + box.model()
                    + ";thinking="
                    + box.thinkingLevel().dbValue()));
  }

  private static String sha256Prefix(String text) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
