package cloud.openclaw.platform.errors;

/**
 * A failure the caller can understand and act on. Each subtype maps to one HTTP status in one place
 * ({@link cloud.openclaw.platform.http.ErrorResponses}); the code is stable and machine-readable.
 */
public abstract sealed class DomainException extends RuntimeException
    permits NotFoundException,
        ConflictException,
        InvalidInputException,
        UnavailableException,
        TooManyRequestsException {
  private final String code;

  protected DomainException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
