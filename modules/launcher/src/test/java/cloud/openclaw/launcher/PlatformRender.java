package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The rendered platform (nix-instantiate on nixos/platform/render.nix), as CI renders it. */
final class PlatformRender {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonNode rendered;

  static synchronized JsonNode manifests() throws Exception {
    if (rendered == null) {
      rendered = render(List.of("nixos/platform/render.nix"));
    }
    return rendered.get("manifests");
  }

  static Path repositoryRoot() {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("nixos/platform/render.nix"))) {
      root = root.getParent();
    }
    assertThat(root).as("repository root").isNotNull();
    return root;
  }

  static JsonNode render(List<String> arguments) throws Exception {
    Path root = repositoryRoot();
    Path nix = null;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "nix-instantiate"))) {
        nix = Path.of(dir, "nix-instantiate");
        break;
      }
    }
    if (nix == null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("nix-instantiate is missing: CI must render nixos/platform (apt-get install nix-bin)");
      }
      assumeTrue(false, "nix-instantiate is not installed: platform manifests not rendered");
    }
    List<String> command =
        new ArrayList<>(
            List.of(nix.toString(), "--store", "dummy://", "--eval", "--strict", "--json"));
    for (String argument : arguments) {
      command.add(argument.startsWith("nixos/") ? root.resolve(argument).toString() : argument);
    }
    Process process =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    byte[] json = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("nix-instantiate " + arguments).isZero();
    return JSON.readTree(json);
  }
}
