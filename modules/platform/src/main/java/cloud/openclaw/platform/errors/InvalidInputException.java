package cloud.openclaw.platform.errors;

/** Input that breaks a rule; {@link #field()} names the offending field when there is one. */
public final class InvalidInputException extends DomainException {
  private final String field;

  public InvalidInputException(String field, String message) {
    this(field, message, null);
  }

  public InvalidInputException(String field, String message, Throwable cause) {
    super("invalid_input", message, cause);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
