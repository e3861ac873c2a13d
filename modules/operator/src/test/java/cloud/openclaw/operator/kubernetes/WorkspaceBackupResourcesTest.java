package cloud.openclaw.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.sandbox.s3.S3Server;
import cloud.openclaw.sandbox.s3.S3Settings;
import cloud.openclaw.sandbox.s3.S3StandIn;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceBackupResourcesTest {
  static final URI GET_URL =
      URI.create(
          "https://s3.example.test/backups/workspaces/11111111-2222-4333-8444-555555555555.tar.gz?X-Amz-Signature=abc");
  static final URI PUT_URL =
      URI.create(
          "https://s3.example.test/backups/workspaces/11111111-2222-4333-8444-555555555555.tar.gz?X-Amz-Signature=def");

  final KubernetesSettings settings = TestBoxes.kubernetes();
  final Box box = TestBoxes.fixed();

  BoxResources.Desired withRestore(List<String> egressCidrs) {
    return BoxResources.desired(
        box,
        settings,
        TestBoxes.secrets(),
        Optional.of(new WorkspaceBackupResources.Restore(GET_URL, egressCidrs, 443)));
  }

  @Test
  void theArchiveJobTarsTheVolumeReadOnlyAsAHardenedBoundedPod() {
    Job job = WorkspaceBackupResources.archiveJob(box, settings, PUT_URL, Duration.ofMinutes(5));

    assertThat(job.getMetadata().getNamespace()).isEqualTo("box-0a1b2c3d4e5f");
    assertThat(job.getMetadata().getName()).isEqualTo("workspace-archive");
    assertThat(job.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "openclaw-operator")
        .containsEntry("openclaw.cloud/box", box.id().toString())
        .containsEntry("app.kubernetes.io/name", "workspace-archive");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(300L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isPositive();

    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container archive = pod.getContainers().getFirst();
    assertHardened(archive);
    assertThat(archive.getCommand())
        .startsWith("node", "-e", WorkspaceBackupResources.ARCHIVE_SCRIPT)
        .endsWith("/home/node/.openclaw/workspace", "/tmp/workspace.tar.gz", PUT_URL.toString());
    Map<String, VolumeMount> mounts = mounts(archive);
    assertThat(mounts.get("/home/node/.openclaw").getName()).isEqualTo("state");
    assertThat(mounts.get("/home/node/.openclaw").getReadOnly()).isTrue();
    assertThat(mounts.get("/tmp").getReadOnly()).isFalse();
    var volumes = pod.getVolumes().stream().collect(Collectors.toMap(v -> v.getName(), v -> v));
    assertThat(volumes.get("state").getPersistentVolumeClaim().getClaimName()).isEqualTo("state");
    assertThat(volumes.get("state").getPersistentVolumeClaim().getReadOnly()).isTrue();
    assertThat(volumes.get("tmp").getEmptyDir().getSizeLimit()).isEqualTo(settings.stateSize());
  }

  @Test
  void withTheStoreTheRestoreRunsFirstWithItsUrlInTheConfigSecret() {
    BoxResources.Desired desired = withRestore(List.of());
    List<Container> init =
        desired.deployment().getSpec().getTemplate().getSpec().getInitContainers();

    assertThat(init)
        .extracting(Container::getName)
        .containsExactly("restore-workspace", "prepare-state");
    Container restore = init.getFirst();
    assertHardened(restore);
    assertThat(restore.getCommand())
        .startsWith("node", "-e", WorkspaceBackupResources.RESTORE_SCRIPT)
        .endsWith("/home/node/.openclaw/workspace", "/etc/openclaw/workspace-restore-url");
    assertThat(mounts(restore).get("/home/node/.openclaw").getReadOnly()).isFalse();
    assertThat(mounts(restore).get("/etc/openclaw").getName()).isEqualTo("config");
    String url =
        new String(
            Base64.getDecoder()
                .decode(desired.config().getData().get(WorkspaceBackupResources.RESTORE_URL_KEY)),
            StandardCharsets.UTF_8);
    assertThat(url).isEqualTo(GET_URL.toString());
    // No URL in the pod template: re-signing it must not restart the gateway.
    assertThat(desired.deployment().toString()).doesNotContain("X-Amz-Signature");
    assertThat(desired.deployment().getSpec().getTemplate().getMetadata().getAnnotations())
        .isEqualTo(
            BoxResources.desired(box, settings, TestBoxes.secrets())
                .deployment()
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations());
  }

  @Test
  void withoutTheStoreTheBoxIsAsBefore() {
    BoxResources.Desired desired = BoxResources.desired(box, settings, TestBoxes.secrets());
    assertThat(desired.deployment().getSpec().getTemplate().getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("prepare-state");
    assertThat(desired.config().getData()).doesNotContainKey("workspace-restore-url");
    assertThat(withRestore(List.of()).networkPolicy()).isEqualTo(desired.networkPolicy());
  }

  @Test
  void aStoreOnAPrivateAddressIsOpenedOnItsPortOnly() {
    var policy =
        BoxResources.desired(
                box,
                settings,
                TestBoxes.secrets(),
                Optional.of(
                    new WorkspaceBackupResources.Restore(GET_URL, List.of("10.0.5.7/32"), 9000)))
            .networkPolicy();
    var last = policy.getSpec().getEgress().getLast();
    assertThat(policy.getSpec().getEgress()).hasSize(4);
    assertThat(last.getTo())
        .singleElement()
        .satisfies(p -> assertThat(p.getIpBlock().getCidr()).isEqualTo("10.0.5.7/32"));
    assertThat(last.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getProtocol()).isEqualTo("TCP");
              assertThat(p.getPort().getIntVal()).isEqualTo(9000);
            });
  }

  /**
   * The two scripts with the real node against a stand-in store: the archive PUT with a length, the
   * next box restores the same files (nested, long names, a symlink, modes); 404 and an existing
   * workspace leave things alone; a store that stays down gives up and the box starts.
   */
  @Test
  void theScriptsCarryAWorkspaceThroughTheStoreAndBack(@TempDir Path dir) throws Exception {
    assumeTrue(nodeWorks(), "node is not on PATH here");
    Path workspace = Files.createDirectories(dir.resolve("old/.openclaw/workspace"));
    Files.writeString(workspace.resolve("MEMORY.md"), "# Memory\nlikes tea\n");
    Path deep =
        Files.createDirectories(
            workspace.resolve("memory/" + "d".repeat(70) + "/" + "é".repeat(30)));
    Files.writeString(deep.resolve("2026-12-01.md"), "a day");
    Files.write(workspace.resolve("memory/blob.bin"), new byte[70_000]);
    Files.createSymbolicLink(workspace.resolve("link"), Path.of("MEMORY.md"));

    // The sandbox's S3 stand-in checks the presigned URLs as S3 does (SigV4 over method, path,
    // query and Host; expiry), refuses a PUT without Content-Length, and throttles on request.
    S3Server server =
        S3Server.start(
            new S3StandIn(
                new S3Settings(
                    STORE_ACCESS_KEY,
                    STORE_SECRET_KEY,
                    "eu-central-1",
                    List.of("backups"),
                    S3Settings.AWS_MIN_PART_SIZE)),
            "127.0.0.1",
            0,
            null);
    try {
      // Real presigned URLs, as the operator makes them.
      cloud.openclaw.operator.workspaces.WorkspaceStore store =
          new cloud.openclaw.operator.workspaces.WorkspaceStore(
              URI.create("http://127.0.0.1:" + server.port()),
              "eu-central-1",
              "backups",
              STORE_ACCESS_KEY,
              STORE_SECRET_KEY,
              Duration.ofDays(7),
              Duration.ofMinutes(5),
              List.of());
      UUID customer = UUID.randomUUID();
      String url = store.archiveUrl(customer, java.time.Clock.systemUTC()).toString();
      Path urlFile =
          Files.writeString(
              dir.resolve("url"),
              store.restoreUrl(customer, java.time.Clock.systemUTC()).toString() + "\n");
      assertThat(
              node(
                  WorkspaceBackupResources.RESTORE_SCRIPT,
                  dir.resolve("forged/.openclaw/workspace").toString(),
                  Files.writeString(dir.resolve("forged-url"), url).toString()))
          .as("the PUT URL used for a GET: the signature does not hold")
          .contains("403");
      Path fresh = dir.resolve("new/.openclaw/workspace");

      assertThat(
              node(WorkspaceBackupResources.RESTORE_SCRIPT, fresh.toString(), urlFile.toString()))
          .contains("no archive of this customer");
      assertThat(fresh).doesNotExist();

      assertThat(
              node(
                  WorkspaceBackupResources.ARCHIVE_SCRIPT,
                  workspace.toString(),
                  dir.resolve("a.tar.gz").toString(),
                  url))
          .contains("uploaded");
      assertThat(server.standIn().object("backups", "workspaces/" + customer + ".tar.gz"))
          .as("the archive, PUT with a Content-Length (S3 refuses one without: 411)")
          .isNotEmpty();

      server.standIn().slowDown(1);
      assertThat(
              node(WorkspaceBackupResources.RESTORE_SCRIPT, fresh.toString(), urlFile.toString()))
          .contains("retrying")
          .contains("restored the workspace");
      assertThat(tree(fresh)).isEqualTo(tree(workspace));
      assertThat(Files.readSymbolicLink(fresh.resolve("link"))).isEqualTo(Path.of("MEMORY.md"));
      assertThat(fresh.resolveSibling(".workspace-restore")).doesNotExist();

      Files.writeString(fresh.resolve("MEMORY.md"), "newer");
      assertThat(
              node(WorkspaceBackupResources.RESTORE_SCRIPT, fresh.toString(), urlFile.toString()))
          .contains("nothing to restore");
      assertThat(Files.readString(fresh.resolve("MEMORY.md"))).isEqualTo("newer");

      assertThat(
              node(
                  WorkspaceBackupResources.ARCHIVE_SCRIPT,
                  dir.resolve("none").toString(),
                  dir.resolve("b.tar.gz").toString(),
                  url))
          .contains("nothing to archive");
      assertThat(dir.resolve("b.tar.gz")).doesNotExist();
    } finally {
      server.close();
    }
  }

  static final String STORE_ACCESS_KEY = "AKIDSTANDIN";
  static final String STORE_SECRET_KEY = "stand-in-secret";

  private static Map<String, String> tree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      Map<String, String> files = new java.util.TreeMap<>();
      for (Path p : paths.toList()) {
        String content =
            Files.isSymbolicLink(p)
                ? "-> " + Files.readSymbolicLink(p)
                : Files.isDirectory(p)
                    ? "dir"
                    : Integer.toString(java.util.Arrays.hashCode(Files.readAllBytes(p)));
        files.put(root.relativize(p).toString(), content);
      }
      return files;
    }
  }

  private static boolean nodeWorks() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static String node(String script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", "-e", script));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static Map<String, VolumeMount> mounts(Container c) {
    return c.getVolumeMounts().stream()
        .collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
  }

  private static void assertHardened(Container c) {
    var sc = c.getSecurityContext();
    assertThat(sc.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
    assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
    assertThat(sc.getRunAsNonRoot()).as(c.getName()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKey("memory");
  }
}
