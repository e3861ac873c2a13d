package cloud.openclaw.launcher;

import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.platform.crypto.SecretBox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What dev mode needs besides the services: PostgreSQL, Redis and a key to seal secrets. Whatever
 * the configuration names is used as it is; whatever it leaves empty is made up under the dev
 * directory (embedded PostgreSQL and Redis, a generated key) and handed to the services as
 * overrides. {@link #start} and {@link #close} exclude each other, so a Ctrl-C during start stops
 * what start was bringing up instead of leaving it running.
 */
final class DevInfrastructure implements AutoCloseable {
  static final String DEV_KEY_ID = "dev";

  private final Path home;
  private final Map<String, String> overrides = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private DevPostgres postgres;
  private DevRedis redis;
  private boolean closed;

  DevInfrastructure(Path home) {
    this.home = home;
  }

  /** Starts what {@code settings} leaves unconfigured. */
  synchronized void start(Settings settings) {
    if (closed) {
      throw new DevLauncher.Stopped();
    }
    String dbUrl = settings.optionalUri("db.url", "postgresql");
    if (dbUrl.isEmpty()) {
      postgres = DevPostgres.start(home.resolve("postgres"), home.resolve("postgres.log"));
      overrides.put("db.url", postgres.jdbcUrl());
      overrides.put("db.user", "postgres");
      overrides.put("db.password", "");
      notes.add(
          "PostgreSQL  " + postgres.jdbcUrl() + "  embedded, data in " + postgres.dataDirectory());
    } else {
      notes.add("PostgreSQL  " + withoutSecrets(dbUrl) + "  configured");
    }
    String redisUrl = settings.optionalUri("redis.url", "redis", "rediss");
    if (redisUrl.isEmpty()) {
      redis = DevRedis.start(home.resolve("redis"));
      overrides.put("redis.url", redis.url());
      notes.add("Redis       " + redis.url() + "  embedded, snapshots in " + redis.directory());
    } else {
      notes.add("Redis       " + withoutSecrets(redisUrl) + "  configured");
    }
    if (settings.optionalString("crypto.keys").isEmpty()) {
      Path file = home.resolve("crypto.key");
      overrides.put("crypto.keys", DEV_KEY_ID + ":" + devKey(file));
      overrides.put("crypto.active-key", DEV_KEY_ID);
      notes.add("Crypto key  '" + DEV_KEY_ID + "'  generated once, kept in " + file);
    } else {
      notes.add("Crypto key  '" + settings.optionalString("crypto.active-key") + "'  configured");
    }
    if (settings.optionalString("api.auth.jwt.keys").isEmpty()) {
      // Sessions outlive a restart of dev mode, as they do a restart of a real api.
      Path file = home.resolve("jwt.key");
      overrides.put("api.auth.jwt.keys", DEV_KEY_ID + ":" + devSigningKey(file));
      overrides.put("api.auth.jwt.active-key", DEV_KEY_ID);
      notes.add("Session key '" + DEV_KEY_ID + "'  generated once, kept in " + file);
    }
  }

  /** The api's session signing key in {@code file}, generated on first use. */
  static String devSigningKey(Path file) {
    return kept(file, () -> SigningKeys.encode(SigningKeys.generate()));
  }

  /** The key in {@code file}, generated on first use (readable by the owner only). */
  static String devKey(Path file) {
    return kept(file, SecretBox::newKey);
  }

  /** The secret in {@code file}, made by {@code make} and written there on first use (mode 600). */
  static String kept(Path file, Supplier<String> make) {
    try {
      if (Files.isRegularFile(file)) {
        return Files.readString(file).strip();
      }
      Files.createDirectories(file.getParent());
      String key = make.get();
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temporary, key + "\n");
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the dev secret in " + file, e);
    }
  }

  /** A URL as it may be printed: no password, no query (which may hold one). */
  static String withoutSecrets(String url) {
    return url.replaceFirst("//[^/@]*@", "//").replaceFirst("\\?.*$", "");
  }

  /** Configuration keys for the services: where the embedded servers are, the dev key. */
  synchronized Map<String, String> overrides() {
    return Map.copyOf(overrides);
  }

  /** One line per piece: what it is, where, and where its data lives. */
  synchronized List<String> notes() {
    return List.copyOf(notes);
  }

  /** Stops Redis, then PostgreSQL; waits for a start in progress to finish first. */
  @Override
  public synchronized void close() {
    closed = true;
    if (redis != null) {
      closeQuietly("Redis", redis);
      redis = null;
    }
    if (postgres != null) {
      closeQuietly("PostgreSQL", postgres);
      postgres = null;
    }
  }

  private static void closeQuietly(String what, AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      System.err.println("stopping " + what + " failed: " + e);
    }
  }
}
