package cloud.openclaw.launcher;

import static cloud.openclaw.launcher.ThrowawayPostgres.execute;
import static cloud.openclaw.launcher.ThrowawayPostgres.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * images/postgres-entrypoint.sh, the platform's PostgreSQL image's start, keeps the upstream
 * image's contract: an empty volume gets POSTGRES_USER as superuser with POSTGRES_PASSWORD (any
 * characters) over TCP, and POSTGRES_DB owned by it; a volume that holds a database starts as it is
 * (its password and data kept, the variables ignored). Run with this machine's PostgreSQL server
 * binaries (the image has 17 from nixpkgs); skipped without them except under CI=true; as root the
 * server runs as the {@code postgres} OS user.
 */
class PostgresEntrypointIT {
  private static final String PASSWORD = "it's a \"pass\" $word";

  private ThrowawayPostgres postgres;
  private Path dir;
  private Path pgdata;
  private Process server;

  @BeforeEach
  void tools() throws Exception {
    Path bin = ThrowawayPostgres.serverBinaries();
    ThrowawayPostgres.skipUnless(
        bin != null, "needs PostgreSQL's server binaries (apt-get install postgresql)");
    postgres = ThrowawayPostgres.create(bin, "postgres-entrypoint-it");
    dir = postgres.dir();
    pgdata = postgres.directory("volume").resolve("pgdata");
  }

  @AfterEach
  void stopAndDelete() throws Exception {
    if (server != null && server.isAlive()) {
      stop();
    }
    if (postgres != null) {
      postgres.delete();
    }
  }

  @Test
  void anEmptyVolumeGetsItsUserAndDatabaseAndAFullOneStartsAsItIs() throws Exception {
    int port = Ports.free();
    start(port, PASSWORD);
    try (Connection db = await(port, PASSWORD)) {
      assertThat(text(db, "SELECT current_user || '/' || current_database()"))
          .isEqualTo("openclaw/openclaw");
      assertThat(text(db, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"))
          .isEqualTo("true");
      assertThat(
              text(
                  db,
                  "SELECT pg_get_userbyid(datdba) FROM pg_database"
                      + " WHERE datname = current_database()"))
          .isEqualTo("openclaw");
      execute(db, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
    }
    assertThatThrownBy(() -> connect(port, "wrong")).isInstanceOf(SQLException.class);
    stop();

    // A volume with a database: no initdb, the variables' new password is not applied.
    start(port, "another password");
    try (Connection db = await(port, PASSWORD)) {
      assertThat(text(db, "SELECT note FROM kept")).isEqualTo("still here");
    }
  }

  private void start(int port, String password) throws Exception {
    Path script = repositoryRoot().resolve("images/postgres-entrypoint.sh");
    List<String> command =
        postgres.asPostgres(
            "env",
            "PATH=" + postgres.bin() + ":" + System.getenv("PATH"),
            "PGDATA=" + pgdata,
            "POSTGRES_USER=openclaw",
            "POSTGRES_PASSWORD=" + password,
            "POSTGRES_DB=openclaw",
            "bash",
            script.toString(),
            "-c",
            "port=" + port,
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=" + dir);
    server =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
            .start();
  }

  private Connection await(int port, String password) throws Exception {
    return org.awaitility.Awaitility.await("PostgreSQL answers on " + port)
        .atMost(Duration.ofMinutes(2))
        .ignoreExceptionsInstanceOf(SQLException.class)
        .failFast("the entrypoint exited", () -> !server.isAlive())
        .until(() -> connect(port, password), c -> c != null);
  }

  private void stop() throws Exception {
    postgres.asPostgresOk(
        postgres.program("pg_ctl"), "-D", pgdata.toString(), "-m", "fast", "stop");
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
  }

  private static Connection connect(int port, String password) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/openclaw", "openclaw", password);
  }

  private static Path repositoryRoot() {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("images/postgres-entrypoint.sh"))) {
      root = root.getParent();
    }
    assertThat(root).as("repository root").isNotNull();
    return root;
  }
}
