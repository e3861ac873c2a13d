package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

    String script =
        PlatformRender.render(
                List.of(
                    "--argstr",
                    "dir",
                    dir.toString(),
                    "-E",
                    "{ dir }: (import ./nixos/platform/secrets.nix {"
                        + " inherit (import ./nixos/platform/render.nix) secrets; }).script"
                        + " { pathOf = key: \"${dir}/${key}\"; }"))
            .asText();
    Process process =
        new ProcessBuilder("sh", "-c", script)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String manifest = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("secrets manifest script").isZero();
    assertThat(dir.resolve("pwned")).doesNotExist();

    ObjectMapper json = new ObjectMapper();
    String[] documents = manifest.split("\n---\n");
    assertThat(documents).hasSize(secrets.size());
    for (String document : documents) {
      JsonNode secret = json.readTree(document);
      assertThat(secret.get("kind").asText()).isEqualTo("Secret");
      assertThat(secret.at("/metadata/namespace").asText()).isEqualTo("openclaw-system");
      String name = secret.at("/metadata/name").asText();
      JsonNode keys = secrets.get(name);
      assertThat(keys).as("rendered Secret " + name).isNotNull();
      assertThat(secret.get("data").size()).isEqualTo(keys.size());
      keys.properties()
          .forEach(
              key ->
                  assertThat(
                          new String(
                              Base64.getDecoder()
                                  .decode(secret.at("/data/" + key.getKey()).asText()),
                              StandardCharsets.UTF_8))
                      .as(name + "/" + key.getKey())
                      .isEqualTo(values.get(key.getValue().asText())));
    }
  }
}
