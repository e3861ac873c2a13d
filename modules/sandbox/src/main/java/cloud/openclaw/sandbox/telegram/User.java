package cloud.openclaw.sandbox.telegram;

import java.util.Objects;

/**
 * A simulated person who writes to a bot. Their private chat with the bot has their id as chat id.
 *
 * @param id their Telegram user id, positive
 * @param firstName their first name (Telegram requires one)
 * @param lastName their last name, or null
 * @param username their username without the @, or null
 * @param languageCode their IETF language tag (such as "en"), or null
 */
public record User(
    long id, String firstName, String lastName, String username, String languageCode) {
  public User {
    if (id <= 0) {
      throw new IllegalArgumentException("a user id must be positive: " + id);
    }
    Objects.requireNonNull(firstName, "firstName");
    if (firstName.isBlank()) {
      throw new IllegalArgumentException("firstName is blank");
    }
  }

  public User(long id, String firstName, String username) {
    this(id, firstName, null, username, null);
  }

  public static User of(long id, String firstName) {
    return new User(id, firstName, null, null, null);
  }
}
