package cloud.openclaw.platform.domain;

import java.util.Locale;

/**
 * Whose account it is (customers.kind): a paying customer's, or one of the platform's own (the
 * onboarding agent's model calls), which has a plan not on sale, no subscription and no box.
 */
public enum CustomerKind implements DbEnum {
  CUSTOMER,
  PLATFORM;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static CustomerKind fromDb(String value) {
    return DbEnum.fromDb(CustomerKind.class, value);
  }
}
