package cloud.openclaw.platform.logging;

import java.util.Optional;

/**
 * What a log line says about the work the current thread is doing: the request id (set by the HTTP
 * filter, by a job's run, by an event's processing) and the customer it is for, once known.
 *
 * <p>A {@link ThreadLocal}, not a {@code ScopedValue}: the project compiles for Java 21, where
 * scoped values are a preview. Every request runs on its own virtual thread, but a connection's
 * requests may follow one another on one thread: each {@link Scope} restores what was there before
 * it, so nothing of one request is left for the next.
 */
public final class LogContext {
  private static final ThreadLocal<Values> CURRENT = new ThreadLocal<>();

  private LogContext() {}

  /** The values of the current thread; empty strings are never stored. */
  public record Values(String requestId, String customerId, String service) {
    static final Values NONE = new Values(null, null, null);
  }

  /** Ends a scope: the values before it are back. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  public static Optional<String> requestId() {
    return Optional.ofNullable(current().requestId());
  }

  public static Optional<String> customerId() {
    return Optional.ofNullable(current().customerId());
  }

  /** The service the current thread works for, where one JVM runs several (dev mode). */
  public static Optional<String> service() {
    return Optional.ofNullable(current().service());
  }

  public static Values current() {
    Values values = CURRENT.get();
    return values == null ? Values.NONE : values;
  }

  /** Until the scope closes: this request id (null: none), no customer yet. */
  public static Scope request(String requestId) {
    Values before = current();
    return open(before, new Values(blankToNull(requestId), null, before.service()));
  }

  /** Until the scope closes: this request id and customer (either may be null). */
  public static Scope of(String requestId, String customerId) {
    Values before = current();
    return open(
        before, new Values(blankToNull(requestId), blankToNull(customerId), before.service()));
  }

  /** Until the scope closes: this service, besides the values already there. */
  public static Scope service(String service) {
    Values before = current();
    return open(before, new Values(before.requestId(), before.customerId(), blankToNull(service)));
  }

  /** Until the scope closes: exactly these values (carried over to another thread). */
  public static Scope restore(Values values) {
    return open(current(), values == null ? Values.NONE : values);
  }

  /**
   * The customer the current work turned out to be for (authentication found them), until the
   * enclosing scope closes; outside any scope it would stay on the thread, so it is ignored there.
   */
  public static void customer(Object customerId) {
    Values values = CURRENT.get();
    if (values != null && customerId != null) {
      CURRENT.set(new Values(values.requestId(), customerId.toString(), values.service()));
    }
  }

  /**
   * The work's own id replaces the request id until the enclosing scope closes (the token proxy's
   * completion id, which its answer and its usage record carry); ignored outside any scope.
   */
  public static void renameRequest(String requestId) {
    Values values = CURRENT.get();
    if (values != null && requestId != null && !requestId.isBlank()) {
      CURRENT.set(new Values(requestId, values.customerId(), values.service()));
    }
  }

  private static Scope open(Values before, Values now) {
    CURRENT.set(now);
    Thread owner = Thread.currentThread();
    return () -> {
      if (Thread.currentThread() == owner) {
        CURRENT.set(before == Values.NONE ? null : before);
      }
    };
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
