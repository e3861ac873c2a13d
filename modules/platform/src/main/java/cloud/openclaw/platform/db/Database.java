package cloud.openclaw.platform.db;

import cloud.openclaw.platform.config.DatabaseSettings;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbTransaction;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;
import io.helidon.dbclient.jdbc.JdbcParametersConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * PostgreSQL for one service: a HikariCP pool under a Helidon DbClient. Stores take a {@link
 * DbExecute} so the same statement runs alone or inside a caller's transaction.
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final DbClient client;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    JdbcConnectionPool pool =
        () -> {
          try {
            return dataSource.getConnection();
          } catch (SQLException e) {
            throw new IllegalStateException("no database connection: " + e.getMessage(), e);
          }
        };
    this.client =
        JdbcClientBuilder.create()
            .connectionPool(pool)
            .parametersSetter(JdbcParametersConfig.builder().setObjectForJavaTime(true).build())
            .build();
  }

  public static Database connect(DatabaseSettings settings) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(settings.url());
    hikari.setUsername(settings.user());
    hikari.setPassword(settings.password());
    hikari.setMaximumPoolSize(settings.poolSize());
    hikari.setPoolName("openclaw");
    // Helidon binds UUIDs (and our JSON) as strings; untyped strings let PostgreSQL infer
    // uuid/jsonb.
    hikari.addDataSourceProperty("stringtype", "unspecified");
    // Fail fast at start with the real reason instead of a pool that hangs on first use.
    hikari.setInitializationFailTimeout(10_000);
    // PostgreSQL down: a request is answered 503 after this long instead of hanging (SqlErrors).
    hikari.setConnectionTimeout(settings.connectionTimeout().toMillis());
    return new Database(new HikariDataSource(hikari));
  }

  /** Statements outside a transaction, each on a connection of its own (auto-commit). */
  public DbExecute execute() {
    return client.execute();
  }

  /**
   * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. Hooks
   * registered with {@link Tx#afterCommit} run after the commit, never after a rollback.
   */
  public <T> T inTransaction(Function<Tx, T> work) {
    DbTransaction transaction = client.transaction();
    Tx tx = new Tx(transaction);
    T result;
    try {
      result = work.apply(tx);
      transaction.commit();
    } catch (RuntimeException | Error e) {
      try {
        transaction.rollback();
      } catch (RuntimeException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw SqlErrors.translate(e);
    }
    tx.runAfterCommit();
    return result;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * True when a connection answers a trivial query within 2 s: the health check. Bounded apart from
   * the pool's connection timeout so that a probe (3 s in the cluster) gets an answer.
   */
  public boolean ping() {
    try (ExecutorService thread = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Boolean> answer =
          thread.submit(
              () -> {
                try (Connection connection = dataSource.getConnection()) {
                  return connection.isValid(2);
                }
              });
      try {
        return answer.get(2, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        answer.cancel(true);
        return false;
      } catch (InterruptedException e) {
        answer.cancel(true);
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  @Override
  public void close() {
    client.close();
    dataSource.close();
  }
}
