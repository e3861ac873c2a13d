package cloud.openclaw.platform.domain;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A Stripe subscription's status as Stripe spells it (subscriptions.status). */
public enum SubscriptionStatus implements DbEnum {
  INCOMPLETE,
  INCOMPLETE_EXPIRED,
  TRIALING,
  ACTIVE,
  PAST_DUE,
  UNPAID,
  CANCELED,
  PAUSED;

  private final String dbValue = name().toLowerCase(Locale.ROOT);

  @Override
  @JsonValue // in JSON too, as Stripe spells it (the admin's view of a customer shows it)
  public String dbValue() {
    return dbValue;
  }

  /** True when the customer may use the service (Stripe still retries a past-due payment). */
  public boolean entitlesService() {
    return this == TRIALING || this == ACTIVE || this == PAST_DUE;
  }

  /** True when nothing is owed: active or trialing (a past-due subscription still owes). */
  public boolean isPaidUp() {
    return this == TRIALING || this == ACTIVE;
  }

  /** True when the subscription has ended for good and will never become active again. */
  public boolean isTerminal() {
    return this == INCOMPLETE_EXPIRED || this == CANCELED;
  }

  public static SubscriptionStatus fromDb(String value) {
    return DbEnum.fromDb(SubscriptionStatus.class, value);
  }
}
