package cloud.openclaw.platform.domain;

import java.util.Locale;

/** Where a customer's account stands (customers.status). */
public enum CustomerStatus implements DbEnum {
  PENDING,
  ACTIVE,
  PAST_DUE,
  SUSPENDED,
  CANCELLED;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  public String dbValue() {
    return dbValue;
  }

  public static CustomerStatus fromDb(String value) {
    return DbEnum.fromDb(CustomerStatus.class, value);
  }
}
