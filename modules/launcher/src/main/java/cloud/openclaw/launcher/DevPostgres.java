package cloud.openclaw.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
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
    return start(dataDirectory, log, Ports.preferredOrFree(PREFERRED_PORT));
  }

  static DevPostgres start(Path dataDirectory, Path log, int port) {
    try {
      Files.createDirectories(dataDirectory);
      StaleProcess.stop(
          dataDirectory.resolve("postmaster.pid"), "postgres", Duration.ofSeconds(15));
      EmbeddedPostgres server =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPort(port)
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      DevPostgres postgres = new DevPostgres(server, dataDirectory);
      try {
        postgres.requireOwnServer();
        postgres.createDatabase();
      } catch (SQLException | IOException | RuntimeException e) {
        postgres.close();
        throw new IllegalStateException("cannot use it for database " + DATABASE + ": " + e, e);
      }
      return postgres;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "embedded PostgreSQL did not start (see " + log + "): " + e.getMessage(), e);
    }
  }

  /**
   * The server answering on the port is the one on this data directory. Two dev modes starting at
   * once can both find the preferred port free; the second's PostgreSQL then cannot bind it, but
   * the start still "succeeds" by connecting to the first's, and both would share its data.
   */
  private void requireOwnServer() throws SQLException, IOException {
    try (Connection connection = server.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SHOW data_directory")) {
      row.next();
      Path serving = Path.of(row.getString(1)).toRealPath();
      if (!serving.equals(dataDirectory.toRealPath())) {
        throw new IllegalStateException(
            "port "
                + server.getPort()
                + " is another PostgreSQL's (its data is in "
                + serving
                + "): another dev mode started at the same moment? Start again");
      }
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
