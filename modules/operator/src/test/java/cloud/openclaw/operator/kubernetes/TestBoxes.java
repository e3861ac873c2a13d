package cloud.openclaw.operator.kubernetes;

import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.ThinkingLevel;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Boxes, secrets and settings for the Kubernetes tests. */
public final class TestBoxes {
  static final String KEYS_DOC = "/operator/kubernetes-keys.md";

  private TestBoxes() {}

  /** The YAML block of operator/kubernetes-keys.md: the defaults the lead merges. */
  static String documentedYaml() {
    try (InputStream in = TestBoxes.class.getResourceAsStream(KEYS_DOC)) {
      String doc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int start = doc.indexOf("```yaml\n");
      int end = doc.indexOf("```", start + 8);
      return doc.substring(start + 8, end);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Settings from the documented defaults, with these keys (full names) overridden. */
  static Settings settings(Map<String, String> overrides) {
    Config config =
        Config.builder()
            .disableEnvironmentVariablesSource()
            .disableSystemPropertiesSource()
            .addSource(ConfigSources.create(overrides))
            .addSource(ConfigSources.create(documentedYaml(), MediaTypes.APPLICATION_YAML))
            .build();
    return new Settings(config);
  }

  /** The Kubernetes settings of the documented defaults. */
  public static KubernetesSettings kubernetes() {
    return KubernetesSettings.from(settings(Map.of()));
  }

  static Box box() {
    return box(UUID.randomUUID(), BoxDesiredState.RUNNING);
  }

  /** One box of fixed ids, for tests that compare rendered names and URLs. */
  static Box fixed() {
    return box(
        UUID.fromString("0a1b2c3d-4e5f-4789-9abc-def012345678"),
        UUID.fromString("11111111-2222-4333-8444-555555555555"),
        BoxDesiredState.RUNNING,
        "kimi-k2.7-code",
        ThinkingLevel.HIGH,
        List.of(111L, 222L));
  }

  public static Box box(UUID id, BoxDesiredState state) {
    return box(id, UUID.randomUUID(), state, "kimi-k3", ThinkingLevel.LOW, List.of(111L, 222L));
  }

  static Box box(
      UUID id,
      UUID customerId,
      BoxDesiredState state,
      String model,
      ThinkingLevel thinking,
      List<Long> users) {
    Instant now = Instant.parse("2026-11-26T12:00:00Z");
    return new Box(
        id,
        customerId,
        777_000_111L,
        "test_bot",
        new SecretBox.Sealed("k1", new byte[] {1, 2, 3}),
        users,
        model,
        thinking,
        BoxRuntime.KUBERNETES,
        null,
        state,
        BoxObservedState.PENDING,
        null,
        now,
        now,
        null,
        null,
        null);
  }

  /** The box with what its owner said it is for. */
  public static Box withUseCase(Box box, String useCase) {
    return new Box(
        box.id(),
        box.customerId(),
        box.botId(),
        box.botUsername(),
        box.botToken(),
        box.allowedTelegramUserIds(),
        box.model(),
        box.thinkingLevel(),
        box.runtime(),
        box.namespace(),
        box.desiredState(),
        box.observedState(),
        box.lastError(),
        box.createdAt(),
        box.updatedAt(),
        box.readyAt(),
        box.destroyedAt(),
        useCase);
  }

  static BoxResources.Secrets secrets() {
    return new BoxResources.Secrets(
        "7000000001:AAH-bot-token-secret", "oc_pt_proxy-token-secret", "gateway-token-secret");
  }
}
