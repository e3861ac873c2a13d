package cloud.openclaw.operator.local;

/**
 * The ports local gateways listen on (operator.local.port-range): {@code from-to}, inclusive, or
 * {@code 0} for any free port.
 */
public record PortRange(int from, int to) {
  /** Any free port the system hands out. */
  public static final PortRange ANY = new PortRange(0, 0);

  public PortRange {
    boolean any = from == 0 && to == 0;
    if (!any && (from < 1024 || to > 65535 || from > to)) {
      throw new IllegalArgumentException(
          "port range " + from + "-" + to + " must lie within 1024-65535, low to high");
    }
  }

  /** Parses {@code 18800-18999}, or {@code 0} for {@link #ANY}. */
  public static PortRange parse(String text) {
    String value = text.strip();
    if (value.equals("0")) {
      return ANY;
    }
    String[] parts = value.split("-", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("'" + text + "' is not a port range like 18800-18999");
    }
    try {
      return new PortRange(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a port range like 18800-18999");
    }
  }

  public boolean isAny() {
    return from == 0;
  }

  @Override
  public String toString() {
    return isAny() ? "any free port" : from + "-" + to;
  }
}
