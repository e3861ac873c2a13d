package cloud.openclaw.platform.telegram;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A Telegram User (a person or a bot), the fields the platform reads.
 *
 * @param id the user id (a person's is their numeric Telegram id, a private chat's id with them)
 * @param isBot whether it is a bot
 * @param firstName the first name
 * @param lastName the last name, or null
 * @param username the username without the @, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TelegramUser(
    long id, boolean isBot, String firstName, String lastName, String username) {}
