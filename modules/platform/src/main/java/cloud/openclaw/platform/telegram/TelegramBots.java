package cloud.openclaw.platform.telegram;

import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Asks the Telegram Bot API who a bot token belongs to, before a box is made for it. The API root
 * is configuration ({@code telegram.api-root}): Telegram's own, or the sandbox's stand-in.
 */
public final class TelegramBots {
  // What BotFather hands out: the bot's id, a colon, and a secret of URL-safe characters.
  private static final Pattern TOKEN = Pattern.compile("^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI apiRoot;
  private final HttpClient http;

  public TelegramBots(URI apiRoot) {
    String root = apiRoot.toString();
    this.apiRoot = URI.create(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
  }

  /** A bot as Telegram knows it. */
  public record Bot(long id, String username) {}

  /**
   * The bot behind {@code token} (getMe).
   *
   * @throws InvalidInputException (field {@code field}) when the token is malformed or Telegram
   *     does not know it
   * @throws UnavailableException when Telegram cannot be asked
   */
  public Bot identify(String token, String field) {
    if (token == null || !TOKEN.matcher(token).matches()) {
      throw new InvalidInputException(
          field, "not a Telegram bot token (BotFather gives one like 123456:ABC-DEF...)");
    }
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(apiRoot + "/bot" + token + "/getMe"))
                  .timeout(TIMEOUT)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UnavailableException("Telegram cannot be reached to check the bot token", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while checking the bot token", e);
    }
    if (response.statusCode() == 401 || response.statusCode() == 404) {
      throw new InvalidInputException(field, "Telegram does not know this bot token");
    }
    JsonNode answer = parse(response.body());
    JsonNode bot = answer.path("result");
    if (response.statusCode() != 200 || !answer.path("ok").asBoolean() || !bot.isObject()) {
      throw new UnavailableException(
          "Telegram answered getMe with HTTP " + response.statusCode(), null);
    }
    return new Bot(bot.path("id").asLong(), bot.path("username").asText());
  }

  private static JsonNode parse(byte[] body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UnavailableException("Telegram's answer to getMe is not JSON", e);
    }
  }
}
