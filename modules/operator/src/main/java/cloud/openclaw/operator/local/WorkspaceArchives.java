package cloud.openclaw.operator.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A customer's agent memory past the box that held it: the box's OpenClaw workspace (MEMORY.md,
 * memory/, USER.md and whatever files the agent keeps) is archived when the box is destroyed, and
 * restored into the next box of the same customer before its gateway first starts. One archive per
 * customer ({@code <dir>/<customerId>.zip}), replaced by each newer one; written to a temporary
 * file and moved into place, so a crash leaves the old archive or the new one, never half of one.
 * Regular files and directories only (no links).
 */
public final class WorkspaceArchives {
  private static final Logger LOG = Logger.getLogger(WorkspaceArchives.class.getName());

  private final Path dir;

  public WorkspaceArchives(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
  }

  /** The customer's archive (it may not exist). */
  public Path archiveOf(UUID customerId) {
    return dir.resolve(customerId + ".zip");
  }

  /**
   * Archives the workspace; nothing when it does not exist (a box never started, or one whose
   * directory is already gone: its archive, if any, stays).
   */
  public void save(UUID customerId, Path workspace) {
    if (!Files.isDirectory(workspace)) {
      return;
    }
    Path archive = archiveOf(customerId);
    try {
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, customerId + ".", ".zip.tmp");
      try (OutputStream out = Files.newOutputStream(temp);
          ZipOutputStream zip = new ZipOutputStream(out);
          Stream<Path> walk = Files.walk(workspace)) {
        for (Path path : walk.sorted().toList()) {
          String name = workspace.relativize(path).toString();
          if (name.isEmpty() || Files.isSymbolicLink(path)) {
            continue;
          }
          if (Files.isDirectory(path)) {
            zip.putNextEntry(new ZipEntry(name + "/"));
          } else {
            zip.putNextEntry(new ZipEntry(name));
            Files.copy(path, zip);
          }
          zip.closeEntry();
        }
      }
      Files.move(
          temp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot archive the workspace " + workspace, e);
    }
    LOG.info(() -> "workspace of customer " + customerId + " archived to " + archive);
  }

  /**
   * Restores the customer's archive into {@code workspace} when there is one and the workspace does
   * not exist yet (a new box); never over a workspace that exists.
   *
   * @return whether it restored
   */
  public boolean restoreInto(UUID customerId, Path workspace) {
    Path archive = archiveOf(customerId);
    if (!Files.isRegularFile(archive) || Files.exists(workspace)) {
      return false;
    }
    Path target = workspace.toAbsolutePath().normalize();
    Path temp = target.resolveSibling(target.getFileName() + ".restoring");
    try {
      if (Files.exists(temp)) {
        OpenClawInstall.deleteTree(temp);
      }
      Files.createDirectories(temp);
      try (InputStream in = Files.newInputStream(archive);
          ZipInputStream zip = new ZipInputStream(in)) {
        for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
          Path path = temp.resolve(entry.getName()).normalize();
          if (!path.startsWith(temp)) {
            throw new IOException("entry outside the workspace: " + entry.getName());
          }
          if (entry.isDirectory()) {
            Files.createDirectories(path);
          } else {
            Files.createDirectories(path.getParent());
            Files.copy(zip, path);
          }
        }
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore " + archive + " into " + workspace, e);
    }
    LOG.info(() -> "workspace of customer " + customerId + " restored from " + archive);
    return true;
  }
}
