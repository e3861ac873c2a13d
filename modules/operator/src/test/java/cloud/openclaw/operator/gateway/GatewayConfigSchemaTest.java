package cloud.openclaw.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rendered openclaw.json files against the schema that {@code openclaw config schema} prints for
 * the pinned OpenClaw (a fixture: see src/test/resources/README.md). The gateway refuses a config
 * with an unknown key, so a key the schema does not know would stop every box.
 */
class GatewayConfigSchemaTest {
  static tools.jackson.databind.JsonNode schemaJson;

  @BeforeAll
  static void loadSchema() {
    schemaJson = tools.jackson.databind.json.JsonMapper.shared().readTree(OpenClawSchema.text());
  }

  static GatewayInputs inputs(
      GatewayInputs.Bind bind,
      GatewayModel model,
      ThinkingLevel thinking,
      Optional<String> apiRoot,
      List<Long> users) {
    boolean pod = bind == GatewayInputs.Bind.LAN;
    String state = pod ? "/home/node/.openclaw" : "/var/lib/openclaw-cloud/boxes/b1/state";
    return new GatewayInputs(
        pod ? 18789 : 40123,
        bind,
        "gw-token-0123456789abcdef",
        state,
        state + "/workspace",
        state + "/logs/openclaw.log",
        pod
            ? "http://token-proxy.openclaw-system.svc.cluster.local:8081/v1"
            : "http://127.0.0.1:8081/v1",
        "oc_pt_live_abcdef0123456789",
        GatewayConfig.DEFAULT_PROVIDER_ID,
        model,
        thinking,
        pod ? "/run/secrets/openclaw/bot-token" : state + "/../bot-token",
        apiRoot,
        users);
  }

  static List<String> errors(ObjectNode config) {
    return OpenClawSchema.errors(Json.write(config));
  }

  @Test
  void podAndLocalVariantsAreValid() {
    List<Optional<String>> roots = List.of(Optional.empty(), Optional.of("http://127.0.0.1:39001"));
    List<List<Long>> users = List.of(List.of(111L), List.of(111L, 222L, 7_000_000_001L));
    int rendered = 0;
    for (GatewayInputs.Bind bind : GatewayInputs.Bind.values()) {
      for (GatewayModel model : GatewayModel.KIMI) {
        for (Optional<String> root : roots) {
          for (List<Long> ids : users) {
            ObjectNode config =
                GatewayConfig.render(inputs(bind, model, ThinkingLevel.OFF, root, ids));
            assertThat(errors(config)).as("%s %s %s %s", bind, model.id(), root, ids).isEmpty();
            dump(config, "config-" + rendered + ".json");
            rendered++;
          }
        }
      }
    }
    assertThat(rendered).isEqualTo(2 * 4 * 2 * 2);
  }

  @ParameterizedTest
  @EnumSource(ThinkingLevel.class)
  void everyThinkingLevelIsValid(ThinkingLevel level) {
    ObjectNode config =
        GatewayConfig.render(
            inputs(
                GatewayInputs.Bind.LAN,
                GatewayModel.kimi("kimi-k3"),
                level,
                Optional.empty(),
                List.of(42L)));
    assertThat(errors(config)).isEmpty();
    assertThat(config.at("/agents/defaults/thinkingDefault").asText()).isEqualTo(level.dbValue());
  }

  @Test
  void theSchemaAllowsExactlyThePlatformsThinkingLevels() {
    List<String> allowed = new ArrayList<>();
    schemaJson
        .at("/properties/agents/properties/defaults/properties/thinkingDefault/enum")
        .forEach(n -> allowed.add(n.asString()));
    assertThat(allowed)
        .containsExactlyInAnyOrderElementsOf(
            java.util.Arrays.stream(ThinkingLevel.values()).map(ThinkingLevel::dbValue).toList());
  }

  @Test
  void theValidatorRejectsAnUnknownKey() {
    ObjectNode config = validPodConfig();
    ((ObjectNode) config.get("channels").get("telegram")).put("botTokne", "typo");
    assertThat(errors(config)).anyMatch(e -> e.contains("botTokne"));

    ObjectNode topLevel = validPodConfig();
    topLevel.putObject("kimi").put("apiKey", "sk-upstream");
    assertThat(errors(topLevel)).isNotEmpty();
  }

  @Test
  void theValidatorRejectsBadValues() {
    ObjectNode badPolicy = validPodConfig();
    ((ObjectNode) badPolicy.at("/channels/telegram")).put("dmPolicy", "everyone");
    assertThat(errors(badPolicy)).isNotEmpty();

    ObjectNode badBind = validPodConfig();
    ((ObjectNode) badBind.get("gateway")).put("bind", "0.0.0.0");
    assertThat(errors(badBind)).isNotEmpty();

    ObjectNode noPolicy = validPodConfig();
    ((ObjectNode) noPolicy.at("/channels/telegram")).remove("dmPolicy");
    assertThat(errors(noPolicy)).isNotEmpty();
  }

  @Test
  void theConfigIsTheDocumentedShape() {
    ObjectNode config =
        GatewayConfig.render(
            inputs(
                GatewayInputs.Bind.LAN,
                GatewayModel.kimi("kimi-k2.6"),
                ThinkingLevel.MEDIUM,
                Optional.empty(),
                List.of(111L, 222L)));
    assertThat(config.at("/gateway/mode").asText()).isEqualTo("local");
    assertThat(config.at("/gateway/bind").asText()).isEqualTo("lan");
    assertThat(config.at("/gateway/auth/mode").asText()).isEqualTo("token");
    assertThat(config.at("/gateway/auth/token").asText()).isEqualTo("gw-token-0123456789abcdef");
    assertThat(config.at("/update/checkOnStart").asBoolean(true)).isFalse();
    assertThat(config.at("/update/auto/enabled").asBoolean(true)).isFalse();
    assertThat(config.at("/telemetry/enabled").asBoolean(true)).isFalse();
    assertThat(config.at("/discovery/mdns/mode").asText()).isEqualTo("off");
    assertThat(config.at("/browser/enabled").asBoolean(true)).isFalse();
    assertThat(config.at("/models/catalogRefresh/enabled").asBoolean(true)).isFalse();
    assertThat(config.at("/models/mode").asText()).isEqualTo("replace");
    var provider = config.at("/models/providers/openclaw-cloud");
    assertThat(provider.get("baseUrl").asText()).endsWith("/v1");
    assertThat(provider.get("apiKey").asText()).isEqualTo("oc_pt_live_abcdef0123456789");
    assertThat(provider.get("api").asText()).isEqualTo("openai-completions");
    var model = provider.at("/models/0");
    assertThat(model.get("id").asText()).isEqualTo("kimi-k2.6");
    assertThat(model.at("/compat/supportsUsageInStreaming").asBoolean()).isTrue();
    assertThat(config.at("/agents/defaults/model/primary").asText())
        .isEqualTo("openclaw-cloud/kimi-k2.6");
    assertThat(config.at("/agents/defaults/thinkingDefault").asText()).isEqualTo("medium");
    var telegram = config.at("/channels/telegram");
    assertThat(telegram.has("botToken")).isFalse();
    assertThat(telegram.has("apiRoot")).isFalse();
    assertThat(telegram.get("tokenFile").asText()).isEqualTo("/run/secrets/openclaw/bot-token");
    assertThat(telegram.get("dmPolicy").asText()).isEqualTo("allowlist");
    assertThat(telegram.get("allowFrom").get(0).isTextual()).isTrue();
    assertThat(telegram.get("allowFrom").toString()).isEqualTo("[\"111\",\"222\"]");
  }

  @Test
  void renderingIsPure() {
    GatewayInputs in =
        inputs(
            GatewayInputs.Bind.LOOPBACK,
            GatewayModel.kimi("kimi-k3"),
            ThinkingLevel.HIGH,
            Optional.of("http://127.0.0.1:1/"),
            List.of(5L));
    assertThat(GatewayConfig.renderJson(in)).isEqualTo(GatewayConfig.renderJson(in));
    assertThat(GatewayConfig.render(in)).isNotSameAs(GatewayConfig.render(in));
    assertThat(in.toString()).doesNotContain("gw-token").doesNotContain("oc_pt_live");
  }

  @Test
  void inputsRefuseAnEmptyAllowlist() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                inputs(
                    GatewayInputs.Bind.LAN,
                    GatewayModel.kimi("kimi-k3"),
                    ThinkingLevel.OFF,
                    Optional.empty(),
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowlist");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayModel.kimi("gpt-4o"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * With -Dopenclaw.dump-configs=DIR the rendered variants are also written there, to check them
   * once by hand with the real gateway: {@code OPENCLAW_CONFIG_PATH=DIR/config-0.json openclaw
   * config validate}.
   */
  static void dump(ObjectNode config, String name) {
    String dir = System.getProperty("openclaw.dump-configs", "");
    if (dir.isEmpty()) {
      return;
    }
    try {
      java.nio.file.Path path = java.nio.file.Path.of(dir, name);
      java.nio.file.Files.createDirectories(path.getParent());
      java.nio.file.Files.writeString(path, Json.write(config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode validPodConfig() {
    ObjectNode config =
        GatewayConfig.render(
            inputs(
                GatewayInputs.Bind.LAN,
                GatewayModel.kimi("kimi-k3"),
                ThinkingLevel.LOW,
                Optional.empty(),
                List.of(1L)));
    assertThat(errors(config)).isEmpty();
    return config;
  }
}
