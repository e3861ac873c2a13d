package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kubernetes Secrets as the control plane renders them: the script of nixos/platform/secrets.nix,
 * run on sops-nix's decrypted files (here: files in a test's folder named by their sops key).
 */
final class RenderedSecrets {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RenderedSecrets() {}

  /**
   * The Secrets the script prints, {@code secrets} being the Nix expression secrets.nix is applied
   * to, each sops key read from the file of that name in {@code dir}.
   */
  static List<JsonNode> render(Path dir, String secrets) throws Exception {
    String script =
        PlatformRender.render(
                List.of(
                    "--argstr",
                    "dir",
                    dir.toString(),
                    "-E",
                    "{ dir }: (import ./nixos/platform/secrets.nix "
                        + secrets
                        + ").script { pathOf = key: \"${dir}/${key}\"; }"))
            .asText();
    Process process =
        new ProcessBuilder("sh", "-c", script)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String manifest = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("secrets manifest script").isZero();
    List<JsonNode> documents = new ArrayList<>();
    for (String document : manifest.strip().split("\n---\n")) {
      documents.add(JSON.readTree(document));
    }
    return documents;
  }

  /** The value of {@code key} in {@code secret}, decoded from base64. */
  static String value(JsonNode secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.at("/data/" + key).asText()), StandardCharsets.UTF_8);
  }
}
