package cloud.openclaw.operator.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceArchivesTest {
  @TempDir Path dir;

  @Test
  void aSavedWorkspaceComesBackWholeIntoANewBox() throws Exception {
    WorkspaceArchives archives = new WorkspaceArchives(dir.resolve("archives"));
    UUID customer = UUID.randomUUID();
    Path old = dir.resolve("old/workspace");
    Files.createDirectories(old.resolve("memory/deep"));
    Files.createDirectories(old.resolve("empty"));
    Files.writeString(old.resolve("MEMORY.md"), "tea\n");
    Files.writeString(old.resolve("memory/deep/note.md"), "Lisbon\n");

    archives.save(customer, old);
    Path fresh = dir.resolve("new/workspace");
    assertThat(archives.restoreInto(customer, fresh)).isTrue();

    assertThat(fresh.resolve("MEMORY.md")).hasContent("tea\n");
    assertThat(fresh.resolve("memory/deep/note.md")).hasContent("Lisbon\n");
    assertThat(fresh.resolve("empty")).isEmptyDirectory();
    assertThat(dir.resolve("new/workspace.restoring")).doesNotExist();
  }

  @Test
  void neverOverAWorkspaceThatExistsNorForAnotherCustomer() throws Exception {
    WorkspaceArchives archives = new WorkspaceArchives(dir.resolve("archives"));
    UUID customer = UUID.randomUUID();
    Path old = Files.createDirectories(dir.resolve("old"));
    Files.writeString(old.resolve("MEMORY.md"), "old\n");
    archives.save(customer, old);

    Path live = Files.createDirectories(dir.resolve("live"));
    Files.writeString(live.resolve("MEMORY.md"), "current\n");
    assertThat(archives.restoreInto(customer, live)).isFalse();
    assertThat(live.resolve("MEMORY.md")).hasContent("current\n");
    assertThat(archives.restoreInto(UUID.randomUUID(), dir.resolve("other"))).isFalse();
    assertThat(dir.resolve("other")).doesNotExist();
  }

  @Test
  void aMissingWorkspaceKeepsTheArchiveThereIs() throws Exception {
    WorkspaceArchives archives = new WorkspaceArchives(dir.resolve("archives"));
    UUID customer = UUID.randomUUID();
    Path old = Files.createDirectories(dir.resolve("old"));
    Files.writeString(old.resolve("MEMORY.md"), "kept\n");
    archives.save(customer, old);

    archives.save(customer, dir.resolve("gone")); // a destroy retried after the box was removed

    Path fresh = dir.resolve("fresh");
    assertThat(archives.restoreInto(customer, fresh)).isTrue();
    assertThat(fresh.resolve("MEMORY.md")).hasContent("kept\n");
  }

  @Test
  void anEntryOutsideTheWorkspaceIsRefused() throws Exception {
    WorkspaceArchives archives = new WorkspaceArchives(dir.resolve("archives"));
    UUID customer = UUID.randomUUID();
    Files.createDirectories(dir.resolve("archives"));
    try (ZipOutputStream zip =
        new ZipOutputStream(Files.newOutputStream(archives.archiveOf(customer)))) {
      zip.putNextEntry(new ZipEntry("../escaped.md"));
      zip.write("no".getBytes());
      zip.closeEntry();
    }
    assertThatThrownBy(() -> archives.restoreInto(customer, dir.resolve("ws")))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(dir.resolve("escaped.md")).doesNotExist();
    assertThat(dir.resolve("ws")).doesNotExist();
  }
}
