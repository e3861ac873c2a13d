package cloud.openclaw.platform.db;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.UnavailableException;
import io.helidon.dbclient.DbClientException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/** PostgreSQL out of reach is UnavailableException (503) however it was wrapped; nothing else. */
class SqlErrorsTest {

  @Test
  void thePoolsTimeoutAsDatabaseWrapsItIsUnavailable() {
    // HikariCP's timeout carries no SQLState when the pool never reached the server.
    RuntimeException failure =
        new IllegalStateException(
            "no database connection",
            new SQLTransientConnectionException("openclaw - Connection is not available"));

    assertThat(SqlErrors.unavailable(failure)).isTrue();
    assertThat(SqlErrors.translate(failure)).isInstanceOf(UnavailableException.class);
  }

  @Test
  void theDriversConnectionErrorsUnderHelidonsDbClientAreUnavailable() {
    for (PSQLState state :
        new PSQLState[] {PSQLState.CONNECTION_UNABLE_TO_CONNECT, PSQLState.CONNECTION_FAILURE}) {
      RuntimeException failure =
          new DbClientException(
              "statement failed",
              new PSQLException("I/O error", state, new ConnectException("refused")));

      assertThat(SqlErrors.unavailable(failure)).as(state.name()).isTrue();
      assertThat(SqlErrors.translate(failure)).isInstanceOf(UnavailableException.class);
    }
  }

  @Test
  void aServerShuttingDownOrStartingIsUnavailable() {
    assertThat(SqlErrors.unavailable(new SQLException("terminating connection", "57P01"))).isTrue();
    assertThat(SqlErrors.unavailable(new SQLException("the database system is starting", "57P03")))
        .isTrue();
    assertThat(SqlErrors.unavailable(new SQLException("too many clients", "53300"))).isTrue();
  }

  @Test
  void otherFailuresAreNot() {
    assertThat(SqlErrors.unavailable(new IllegalStateException("a bug"))).isFalse();
    assertThat(SqlErrors.unavailable(new SQLException("syntax error", "42601"))).isFalse();
    SQLException duplicate = new SQLException("duplicate key", "23505");
    assertThat(SqlErrors.unavailable(duplicate)).isFalse();
    assertThat(SqlErrors.translate(new DbClientException("insert", duplicate)))
        .isInstanceOf(ConflictException.class);
  }
}
