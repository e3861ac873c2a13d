package cloud.openclaw.sandbox;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a stand-in keeps its state between runs ({@code sandbox.state-dir}; dev mode:
 * .openclaw-dev/sandbox): one file per thing, each written whole to a temporary file and renamed
 * over the old one, so a process killed mid-write (kill -9) leaves the old file or the new one,
 * never half of one. Nothing is synced to the disk: a killed process loses nothing the kernel has,
 * only a machine that loses power may lose the last writes.
 */
public final class StateDir {
  private static final String TEMPORARY = ".tmp-";

  /**
   * Lenient where the platform's mapper is strict: state written by a later version still reads.
   */
  private static final ObjectMapper MAPPER =
      Json.MAPPER.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path root;

  /** The directory {@code root}, made if missing; temporary files of a killed writer removed. */
  public StateDir(Path root) {
    this.root = root;
    try {
      Files.createDirectories(root);
      for (Path file : files("")) {
        if (file.getFileName().toString().startsWith(TEMPORARY)) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the sandbox's state in " + root, e);
    }
  }

  /** A subdirectory (made if missing) for a stand-in of its own. */
  public StateDir child(String name) {
    return new StateDir(root.resolve(name));
  }

  /** Writes {@code value} as JSON to {@code name}, replacing what was there in one step. */
  public void writeJson(String name, Object value) {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + name + " as JSON", e);
    }
    write(name, bytes);
  }

  /** Writes {@code bytes} to {@code name}, replacing what was there in one step. */
  public void write(String name, byte[] bytes) {
    Path target = root.resolve(name);
    Path temporary = root.resolve(TEMPORARY + UUID.randomUUID());
    try {
      Files.write(temporary, bytes);
      try {
        Files.move(
            temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // the next start removes it
      }
      throw new UncheckedIOException("cannot write the sandbox's state to " + target, e);
    }
  }

  /** The JSON in {@code name} as {@code type}; empty when there is no such file. */
  public <T> Optional<T> readJson(String name, Class<T> type) {
    return read(root.resolve(name)).map(bytes -> parse(name, bytes, type));
  }

  /** The contents of {@code file} (one of {@link #files}); empty when it is gone. */
  public Optional<byte[]> read(Path file) {
    try {
      return Optional.of(Files.readAllBytes(file));
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the sandbox's state in " + file, e);
    }
  }

  /** The files whose names start with {@code prefix}, by name. */
  public List<Path> files(String prefix) {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, prefix + "*")) {
      entries.forEach(
          path -> {
            if (Files.isRegularFile(path)) {
              found.add(path);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the sandbox's state in " + root, e);
    }
    found.sort(Path::compareTo);
    return found;
  }

  private static <T> T parse(String name, byte[] bytes, Class<T> type) {
    try {
      return MAPPER.readValue(bytes, type);
    } catch (IOException e) {
      throw new IllegalStateException(
          "the sandbox's state in " + name + " is not readable (" + e.getMessage() + ")", e);
    }
  }
}
