package cloud.openclaw.api.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPOutputStream;

/**
 * The built site (web/dist): from a directory ({@code api.web.dir}, read on every request so a
 * rebuild shows at once) or from the class path under {@code web/} (the jar, read once and kept).
 * Paths are relative ({@code assets/index-abc.js}); anything that would leave the root is absent.
 */
public abstract sealed class WebFiles {
  /** A file's bytes and, for text, its gzip form (null when compressing does not pay). */
  public record WebFile(String path, byte[] bytes, byte[] gzipped) {}

  public abstract Optional<WebFile> find(String path);

  public static WebFiles directory(Path root) {
    return new Directory(root.toAbsolutePath().normalize());
  }

  public static WebFiles classpath(ClassLoader loader) {
    return new Classpath(loader);
  }

  static boolean safe(String path) {
    return !path.isEmpty()
        && path.length() <= 200
        && path.matches("[A-Za-z0-9._/-]+")
        && !path.startsWith("/")
        && !path.contains("..")
        && !path.contains("//");
  }

  static WebFile file(String path, byte[] bytes) {
    return new WebFile(path, bytes, ContentTypes.compressible(path) ? gzip(bytes) : null);
  }

  private static byte[] gzip(byte[] bytes) {
    if (bytes.length < 1024) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3);
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static final class Directory extends WebFiles {
    private final Path root;

    Directory(Path root) {
      this.root = root;
    }

    @Override
    public Optional<WebFile> find(String path) {
      if (!safe(path)) {
        return Optional.empty();
      }
      Path file = root.resolve(path).normalize();
      if (!file.startsWith(root) || !Files.isRegularFile(file)) {
        return Optional.empty();
      }
      try {
        return Optional.of(file(path, Files.readAllBytes(file)));
      } catch (IOException e) {
        return Optional.empty();
      }
    }
  }

  private static final class Classpath extends WebFiles {
    private final ClassLoader loader;
    // Built files never change inside a jar; absent ones are remembered too (Optional.empty()).
    private final Map<String, Optional<WebFile>> cache = new ConcurrentHashMap<>();

    Classpath(ClassLoader loader) {
      this.loader = loader;
    }

    @Override
    public Optional<WebFile> find(String path) {
      if (!safe(path)) {
        return Optional.empty();
      }
      return cache.computeIfAbsent(path, this::load);
    }

    private Optional<WebFile> load(String path) {
      try (InputStream in = loader.getResourceAsStream("web/" + path)) {
        return in == null ? Optional.empty() : Optional.of(file(path, in.readAllBytes()));
      } catch (IOException e) {
        return Optional.empty();
      }
    }
  }
}
