package cloud.openclaw.platform.errors;

/** The thing asked for does not exist, or is not the caller's to see. */
public final class NotFoundException extends DomainException {
  public NotFoundException(String what) {
    super("not_found", what + " not found", null);
  }
}
