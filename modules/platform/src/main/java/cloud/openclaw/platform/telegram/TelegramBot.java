package cloud.openclaw.platform.telegram;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Bot API calls of one bot's token (made by {@link TelegramBots#bot}). Every call throws a
 * {@link TelegramException} when Telegram refuses it or cannot be reached. The token is never in an
 * exception's message or in {@link #toString()}.
 */
public final class TelegramBot {
  /**
   * The updates a setup bot needs, for getUpdates' allowed_updates: messages, presses of inline
   * buttons, and the bots people create with its request_managed_bot button.
   */
  public static final List<String> SETUP_BOT_UPDATES =
      List.of("message", "callback_query", "managed_bot");

  /** Telegram's cap on a long poll. */
  public static final int MAX_POLL_SECONDS = 50;

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final TelegramBots api;
  private final String token;

  TelegramBot(TelegramBots api, String token) {
    this.api = api;
    this.token = token;
  }

  /** The bot's user id: the digits before the token's colon. */
  public long id() {
    return Long.parseLong(token.substring(0, token.indexOf(':')));
  }

  /** getMe: the bot itself. */
  public TelegramUser getMe() {
    return as(call("getMe", params(), TIMEOUT), TelegramUser.class);
  }

  /**
   * getUpdates: confirms the updates below {@code offset} and answers the next ones (at most 100),
   * waiting up to {@code timeoutSeconds} (0-50) for one to arrive.
   *
   * @param allowedUpdates the update types wanted (null: as the last call asked); a setup bot
   *     passes {@link #SETUP_BOT_UPDATES}, naming managed_bot explicitly
   */
  public List<TelegramUpdate> getUpdates(
      long offset, int timeoutSeconds, List<String> allowedUpdates) {
    int timeout = Math.max(0, Math.min(MAX_POLL_SECONDS, timeoutSeconds));
    ObjectNode params = params().put("offset", offset).put("timeout", timeout);
    if (allowedUpdates != null) {
      params.set("allowed_updates", Json.MAPPER.valueToTree(allowedUpdates));
    }
    JsonNode result = call("getUpdates", params, TIMEOUT.plusSeconds(timeout));
    List<TelegramUpdate> updates = new ArrayList<>(result.size());
    result.forEach(update -> updates.add(as(update, TelegramUpdate.class)));
    return updates;
  }

  /**
   * deleteWebhook: the bot's updates come to getUpdates again (a pasted token's bot may have had a
   * webhook, and getUpdates is a {@link TelegramException.Conflict} while it has one).
   *
   * @param dropPendingUpdates whether the updates waiting are dropped
   */
  public void deleteWebhook(boolean dropPendingUpdates) {
    call("deleteWebhook", params().put("drop_pending_updates", dropPendingUpdates), TIMEOUT);
  }

  /** sendMessage: plain text, no markup. */
  public TelegramMessage sendMessage(long chatId, String text) {
    return sendMessage(chatId, text, null, null);
  }

  /**
   * sendMessage.
   *
   * @param parseMode "HTML" or "MarkdownV2", or null for plain text
   * @param replyMarkup buttons, or null
   */
  public TelegramMessage sendMessage(
      long chatId, String text, String parseMode, ReplyMarkup replyMarkup) {
    ObjectNode params = params().put("chat_id", chatId).put("text", text);
    textOptions(params, parseMode, replyMarkup);
    return as(call("sendMessage", params, TIMEOUT), TelegramMessage.class);
  }

  /**
   * editMessageText: the bot's message gets a new text and inline keyboard (null: none). An edit
   * that changes nothing is a {@link TelegramException.BadRequest} with {@code notModified()}.
   */
  public TelegramMessage editMessageText(
      long chatId,
      long messageId,
      String text,
      String parseMode,
      ReplyMarkup.InlineKeyboard replyMarkup) {
    ObjectNode params =
        params().put("chat_id", chatId).put("message_id", messageId).put("text", text);
    textOptions(params, parseMode, replyMarkup);
    return as(call("editMessageText", params, TIMEOUT), TelegramMessage.class);
  }

  /** deleteMessage: a message of the chat goes (in a private chat, the person's too). */
  public void deleteMessage(long chatId, long messageId) {
    call("deleteMessage", params().put("chat_id", chatId).put("message_id", messageId), TIMEOUT);
  }

  /** answerCallbackQuery: ends the button's spinner; {@code text} (null: none) shows briefly. */
  public void answerCallbackQuery(String callbackQueryId, String text) {
    ObjectNode params = params().put("callback_query_id", callbackQueryId);
    if (text != null) {
      params.put("text", text);
    }
    call("answerCallbackQuery", params, TIMEOUT);
  }

  /** getManagedBotToken: the token of bot {@code managedBotId}, which this bot manages. */
  public String getManagedBotToken(long managedBotId) {
    return text(
        call("getManagedBotToken", params().put("user_id", managedBotId), TIMEOUT),
        "getManagedBotToken");
  }

  /**
   * replaceManagedBotToken: bot {@code managedBotId}, which this bot manages, gets a new token (the
   * answer); its old one stops working at once.
   */
  public String replaceManagedBotToken(long managedBotId) {
    return text(
        call("replaceManagedBotToken", params().put("user_id", managedBotId), TIMEOUT),
        "replaceManagedBotToken");
  }

  @Override
  public String toString() {
    return "TelegramBot[" + id() + "]";
  }

  private JsonNode call(String method, ObjectNode params, Duration timeout) {
    return api.call(token, method, params, timeout);
  }

  private static ObjectNode params() {
    return Json.MAPPER.createObjectNode();
  }

  private static void textOptions(ObjectNode params, String parseMode, ReplyMarkup replyMarkup) {
    if (parseMode != null) {
      params.put("parse_mode", parseMode);
    }
    if (replyMarkup != null) {
      params.set("reply_markup", Json.MAPPER.valueToTree(replyMarkup));
    }
  }

  private static String text(JsonNode result, String method) {
    if (!result.isTextual() || result.asText().isEmpty()) {
      throw new TelegramException.Unavailable(method, 200, "the result is not a token", null);
    }
    return result.asText();
  }

  private static <T> T as(JsonNode result, Class<T> type) {
    try {
      return Json.MAPPER.treeToValue(result, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new TelegramException.Unavailable(
          type.getSimpleName(), 200, "an answer not shaped as the Bot API's", e);
    }
  }
}
