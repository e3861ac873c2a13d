package cloud.openclaw.platform.db;

import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.UnavailableException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.function.Supplier;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns PostgreSQL's constraint violations into domain errors (later a 4xx), so a duplicate email
 * or a second live box is never a 500. Stores give friendly messages for the constraints they
 * expect.
 */
public final class SqlErrors {
  private SqlErrors() {}

  /**
   * Runs {@code statement}; a violation of a constraint named in {@code friendly} gets that error.
   */
  public static <T> T guard(
      Map<String, Supplier<DomainException>> friendly, Supplier<T> statement) {
    try {
      return statement.get();
    } catch (RuntimeException e) {
      SQLException sql = sqlCause(e);
      // Map.of refuses null keys even to look up: errors without a constraint go to translate.
      String constraint = sql == null ? null : constraint(sql);
      if (constraint != null) {
        Supplier<DomainException> mapped = friendly.get(constraint);
        if (mapped != null) {
          DomainException error = mapped.get();
          // Domain errors set their cause (null) in their constructor, so initCause would throw;
          // the database failure travels as a suppressed exception instead, for the logs.
          error.addSuppressed(e);
          throw error;
        }
      }
      throw translate(e);
    }
  }

  /** The domain error for a database failure, or the failure itself when it is not one we know. */
  public static RuntimeException translate(Throwable failure) {
    if (failure instanceof DomainException domain) {
      return domain;
    }
    SQLException sql = sqlCause(failure);
    if (sql != null && sql.getSQLState() != null) {
      String state = sql.getSQLState();
      String constraint = constraint(sql);
      if (state.equals("23505")) {
        return new ConflictException("duplicate", "already exists (" + constraint + ")", failure);
      }
      if (state.equals("23503")) {
        return new InvalidInputException(
            null, "refers to something that does not exist (" + constraint + ")", failure);
      }
      if (state.equals("23514") || state.equals("23502") || state.startsWith("22")) {
        return new InvalidInputException(
            null,
            "breaks a data rule (" + (constraint == null ? sql.getMessage() : constraint) + ")",
            failure);
      }
    }
    if (unavailable(failure)) {
      return new UnavailableException("the database is unavailable", failure);
    }
    return failure instanceof RuntimeException runtime
        ? runtime
        : new IllegalStateException(failure);
  }

  /**
   * True when {@code failure} comes of PostgreSQL not being reachable (down, restarting, the
   * network cut, every connection of the pool busy until its timeout), whoever wrapped it: the
   * pool's timeout (SQLTransientConnectionException), the driver's connection errors (SQLState
   * class 08), a server shutting down or starting (57P01..57P03), too many connections (53300).
   */
  public static boolean unavailable(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P0") || state.equals("53300")) {
          return true;
        }
      }
    }
    return false;
  }

  static SQLException sqlCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  static String constraint(SQLException sql) {
    if (sql instanceof PSQLException psql) {
      ServerErrorMessage message = psql.getServerErrorMessage();
      if (message != null) {
        return message.getConstraint();
      }
    }
    return null;
  }
}
