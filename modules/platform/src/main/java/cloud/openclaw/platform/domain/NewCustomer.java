package cloud.openclaw.platform.domain;

import java.util.Objects;

/** What it takes to create a customer; all but the email may be null. */
public record NewCustomer(String email, Long telegramUserId, String displayName, String plan) {
  public NewCustomer {
    Objects.requireNonNull(email, "email");
    email = email.strip();
  }

  public static NewCustomer ofEmail(String email) {
    return new NewCustomer(email, null, null, null);
  }
}
