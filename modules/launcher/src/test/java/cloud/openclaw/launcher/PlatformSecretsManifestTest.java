package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Secrets of openclaw-system as the control plane renders them (nixos/platform/secrets.nix, run
 * by module.nix from sops-nix's decrypted files): whatever a value holds, the manifest parses and
 * each Secret carries the value exactly. The former template pasted values into JSON text, where a
 * quote or backslash broke the manifest.
 */
class PlatformSecretsManifestTest {
  private static final List<String> AWKWARD =
      List.of(
          "plain-token-0123456789",
          "a \"quoted\" value",
          "back\\slash\\",
          "two\nlines\n",
          "it's $(touch pwned) `id` ${HOME} %s",
          "\"},\"kind\":\"Secret\",\"metadata\":{\"name\":\"injected\"",
          "ünïcødé ✓",
          "");

  @TempDir Path dir;

  @Test
  void everyValueArrivesIntactHoweverAwkward() throws Exception {
    JsonNode secrets = PlatformRender.render(List.of("nixos/platform/render.nix")).get("secrets");
    Map<String, String> values = new HashMap<>();
    int i = 0;
    for (JsonNode keys : secrets) {
      for (JsonNode sopsKey : keys) {
        String value = AWKWARD.get(i++ % AWKWARD.size());
        values.put(sopsKey.asText(), value);
        Files.writeString(dir.resolve(sopsKey.asText()), value, StandardCharsets.UTF_8);
      }
    }
    assertThat(i).isGreaterThanOrEqualTo(AWKWARD.size());

    List<JsonNode> documents =
        RenderedSecrets.render(dir, "{ inherit (import ./nixos/platform/render.nix) secrets; }");
    assertThat(dir.resolve("pwned")).doesNotExist();

    assertThat(documents).hasSize(secrets.size());
    for (JsonNode secret : documents) {
      assertThat(secret.get("kind").asText()).isEqualTo("Secret");
      assertThat(secret.at("/metadata/namespace").asText()).isEqualTo("openclaw-system");
      String name = secret.at("/metadata/name").asText();
      JsonNode keys = secrets.get(name);
      assertThat(keys).as("rendered Secret " + name).isNotNull();
      assertThat(secret.get("data").size()).isEqualTo(keys.size());
      keys.properties()
          .forEach(
              key ->
                  assertThat(RenderedSecrets.value(secret, key.getKey()))
                      .as(name + "/" + key.getKey())
                      .isEqualTo(values.get(key.getValue().asText())));
    }
  }
}
