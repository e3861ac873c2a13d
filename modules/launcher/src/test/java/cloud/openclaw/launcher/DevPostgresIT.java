package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two dev modes started at the same moment can pick the same free port: the second's embedded
 * PostgreSQL must then refuse to start rather than quietly use the first's data.
 */
class DevPostgresIT {
  @Test
  void aPortAnotherPostgreSqlHoldsIsRefusedNotShared(@TempDir Path first, @TempDir Path second) {
    int port = Ports.free();
    try (DevPostgres running =
        DevPostgres.start(first.resolve("pg"), first.resolve("pg.log"), port)) {
      assertThat(running.jdbcUrl()).contains(":" + port + "/");
      assertThatThrownBy(
              () -> DevPostgres.start(second.resolve("pg"), second.resolve("pg.log"), port))
          .hasMessageContaining("another PostgreSQL's");
    }
  }
}
