package cloud.openclaw.platform.telegram;

import static java.nio.charset.StandardCharsets.UTF_8;

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
import java.util.Map;
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

  /**
   * Telegram's answer to a sendMessage: its HTTP status, its {@code description}, and {@code
   * parameters.retry_after} (seconds; null unless Telegram asked to wait).
   */
  public record Sent(int status, String description, Long retryAfterSeconds) {
    public boolean ok() {
      return status == 200;
    }
  }

  /**
   * Sends {@code text} as plain text to {@code chatId} with the bot {@code token} (sendMessage).
   * Telegram's refusals are answered, not thrown: the caller decides what to retry.
   *
   * @throws UnavailableException when Telegram cannot be reached
   */
  public Sent sendMessage(String token, long chatId, String text) {
    byte[] body = Json.write(Map.of("chat_id", chatId, "text", text)).getBytes(UTF_8);
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(apiRoot + "/bot" + token + "/sendMessage"))
                  .timeout(TIMEOUT)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UnavailableException("Telegram cannot be reached to send a message", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while sending a message", e);
    }
    JsonNode answer;
    try {
      answer = Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      answer = null;
    }
    if (answer == null) {
      answer = Json.MAPPER.createObjectNode();
    }
    JsonNode retryAfter = answer.path("parameters").path("retry_after");
    return new Sent(
        response.statusCode(),
        answer.path("description").asText("HTTP " + response.statusCode()),
        retryAfter.canConvertToLong() ? retryAfter.asLong() : null);
  }

  private static JsonNode parse(byte[] body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UnavailableException("Telegram's answer to getMe is not JSON", e);
    }
  }
}
