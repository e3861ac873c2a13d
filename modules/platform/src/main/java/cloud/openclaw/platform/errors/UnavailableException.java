package cloud.openclaw.platform.errors;

/** A dependency (PostgreSQL, Redis, an upstream) cannot be reached right now; retrying may help. */
public final class UnavailableException extends DomainException {
  public UnavailableException(String message, Throwable cause) {
    super("unavailable", message, cause);
  }
}
