package cloud.openclaw.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Embedded PostgreSQL for dev mode, with its data kept in a directory of the working tree so that
 * it survives restarts. Its server log goes to {@code postgres.log} beside the data.
 */
final class DevPostgres implements AutoCloseable {
  static final int PREFERRED_PORT = 54329;
  static final String DATABASE = "openclaw";

  private final EmbeddedPostgres server;
  private final Path dataDirectory;

  private DevPostgres(EmbeddedPostgres server, Path dataDirectory) {
    this.server = server;
    this.dataDirectory = dataDirectory;
  }

  static DevPostgres start(Path dataDirectory, Path log) {
    try {
      Files.createDirectories(dataDirectory);
      StaleProcess.stop(
          dataDirectory.resolve("postmaster.pid"), "postgres", Duration.ofSeconds(15));
      EmbeddedPostgres server =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPort(Ports.preferredOrFree(PREFERRED_PORT))
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      DevPostgres postgres = new DevPostgres(server, dataDirectory);
      try {
        postgres.createDatabase();
      } catch (SQLException e) {
        postgres.close();
        throw new IllegalStateException("cannot create database " + DATABASE + ": " + e, e);
      }
      return postgres;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "embedded PostgreSQL did not start (see " + log + "): " + e.getMessage(), e);
    }
  }

  private void createDatabase() throws SQLException {
    try (Connection connection = server.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      boolean exists =
          statement
              .executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")
              .next();
      if (!exists) {
        statement.execute("CREATE DATABASE " + DATABASE);
      }
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + DATABASE;
  }

  Path dataDirectory() {
    return dataDirectory;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("stopping embedded PostgreSQL", e);
    }
  }
}
