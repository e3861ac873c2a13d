package cloud.openclaw.platform.errors;

/** The request clashes with what exists already (a unique constraint, a state that forbids it). */
public final class ConflictException extends DomainException {
  public ConflictException(String code, String message) {
    super(code, message, null);
  }

  public ConflictException(String code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
