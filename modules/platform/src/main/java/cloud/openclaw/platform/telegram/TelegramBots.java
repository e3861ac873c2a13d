package cloud.openclaw.platform.telegram;

import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.UnavailableException;
import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The Telegram Bot API as the platform calls it: {@link #identify} checks a pasted token (getMe),
 * {@link #bot} gives the calls one bot's token can make. The API root is configuration ({@code
 * telegram.api-root}): Telegram's own, or the sandbox's stand-in. One HTTP client for all tokens;
 * calls are JSON POSTs to {@code <root>/bot<token>/<method>}.
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

  /** Whether {@code token} looks like a bot token ({@code <digits>:<secret>}). */
  public static boolean isToken(String token) {
    return token != null && TOKEN.matcher(token).matches();
  }

  /**
   * The calls bot {@code token} can make.
   *
   * @throws IllegalArgumentException when it is not a bot token (the message does not hold it)
   */
  public TelegramBot bot(String token) {
    if (!isToken(token)) {
      throw new IllegalArgumentException("not a Telegram bot token");
    }
    return new TelegramBot(this, token);
  }

  /**
   * The bot behind {@code token} (getMe).
   *
   * @throws InvalidInputException (field {@code field}) when the token is malformed or Telegram
   *     does not know it
   * @throws UnavailableException when Telegram cannot be asked
   */
  public Bot identify(String token, String field) {
    if (!isToken(token)) {
      throw new InvalidInputException(
          field, "not a Telegram bot token (BotFather gives one like 123456:ABC-DEF...)");
    }
    try {
      TelegramUser me = bot(token).getMe();
      return new Bot(me.id(), me.username());
    } catch (TelegramException.TokenRefused e) {
      throw new InvalidInputException(field, "Telegram does not know this bot token");
    } catch (TelegramException e) {
      throw new UnavailableException("Telegram answered getMe: " + e.description(), e);
    }
  }

  /**
   * Calls {@code method} with {@code params} on bot {@code token}: its result.
   *
   * @param timeout how long to wait for the answer (a long poll's timeout and more)
   * @throws TelegramException for Telegram's errors, and when it cannot be reached
   */
  JsonNode call(String token, String method, ObjectNode params, Duration timeout) {
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(apiRoot + "/bot" + token + "/" + method))
                  .timeout(timeout)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(params)))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      // the exception's text is the client's (no URL, so no token)
      throw new TelegramException.Unavailable(
          method, 0, "Telegram cannot be reached (" + e.getClass().getSimpleName() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TelegramException.Unavailable(method, 0, "interrupted", e);
    }
    return result(method, response.statusCode(), response.body());
  }

  static JsonNode result(String method, int status, byte[] body) {
    JsonNode answer;
    try {
      answer = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      answer = null;
    }
    if (answer == null || !answer.isObject() || !answer.has("ok")) {
      throw new TelegramException.Unavailable(
          method, status, "HTTP " + status + " without the Bot API's answer", null);
    }
    if (answer.path("ok").asBoolean(false)) {
      return answer.path("result");
    }
    JsonNode retryAfter = answer.path("parameters").path("retry_after");
    throw TelegramException.fromAnswer(
        method,
        answer.path("error_code").asInt(status),
        answer.path("description").asText("HTTP " + status),
        retryAfter.canConvertToLong() ? retryAfter.asLong() : null);
  }
}
