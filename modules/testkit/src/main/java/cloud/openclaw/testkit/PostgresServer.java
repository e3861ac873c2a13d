package cloud.openclaw.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One PostgreSQL server per test JVM, found in this order: {@code OPENCLAW_TEST_DATABASE_URL} (a
 * JDBC URL of a database the user may CREATE DATABASE from), Testcontainers where a Docker engine
 * runs, embedded PostgreSQL otherwise. Test classes never share a database: each asks for a fresh
 * one.
 */
public final class PostgresServer {
  private static final Logger LOG = Logger.getLogger(PostgresServer.class.getName());
  private static PostgresServer shared;

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final String adminDatabase;

  private PostgresServer(
      String host, int port, String user, String password, String adminDatabase) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.adminDatabase = adminDatabase;
  }

  /** The server of this JVM, started on first use and stopped when the JVM exits. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = locate();
    }
    return shared;
  }

  private static PostgresServer locate() {
    String url = System.getenv("OPENCLAW_TEST_DATABASE_URL");
    if (url != null && !url.isBlank()) {
      LOG.info("tests use PostgreSQL at " + url);
      return fromJdbcUrl(url);
    }
    if (DockerClientFactory.instance().isDockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
      container.start();
      LOG.info("tests use PostgreSQL in a container at " + container.getJdbcUrl());
      return new PostgresServer(
          container.getHost(),
          container.getFirstMappedPort(),
          container.getUsername(),
          container.getPassword(),
          container.getDatabaseName());
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(embedded)));
      LOG.info("tests use embedded PostgreSQL on port " + embedded.getPort());
      return new PostgresServer("127.0.0.1", embedded.getPort(), "postgres", "", "postgres");
    } catch (Exception e) {
      throw new IllegalStateException("could not start embedded PostgreSQL", e);
    }
  }

  static PostgresServer fromJdbcUrl(String jdbcUrl) {
    if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException(
          "OPENCLAW_TEST_DATABASE_URL must be a jdbc:postgresql:// URL, got " + jdbcUrl);
    }
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    String user = "postgres";
    String password = "";
    if (uri.getQuery() != null) {
      for (String pair : uri.getQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv[0].equals("user")) {
          user = kv.length > 1 ? kv[1] : "";
        } else if (kv[0].equals("password")) {
          password = kv.length > 1 ? kv[1] : "";
        }
      }
    }
    String database =
        uri.getPath() == null || uri.getPath().length() <= 1
            ? "postgres"
            : uri.getPath().substring(1);
    return new PostgresServer(
        uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password, database);
  }

  /** Creates an empty database with a unique name made from {@code hint}. */
  public TestDatabase createDatabase(String hint) {
    String name =
        ("t_" + hint.replaceAll("[^A-Za-z0-9]", "_") + "_" + Long.toHexString(System.nanoTime()))
            .toLowerCase();
    if (name.length() > 60) {
      name = name.substring(0, 44) + name.substring(name.length() - 16);
    }
    execute("CREATE DATABASE " + name);
    return new TestDatabase(this, name, jdbcUrl(name), user, password);
  }

  void dropDatabase(String name) {
    execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  private void execute(String sql) {
    try (Connection connection =
            DriverManager.getConnection(jdbcUrl(adminDatabase), user, password);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // the JVM is exiting
    }
  }
}
