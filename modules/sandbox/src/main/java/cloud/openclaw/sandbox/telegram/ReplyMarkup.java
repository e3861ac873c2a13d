package cloud.openclaw.sandbox.telegram;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A message's {@code reply_markup} as Telegram checks it: an InlineKeyboardMarkup ({@code
 * inline_keyboard}, buttons with {@code callback_data} of 1-64 bytes, {@code url}, or another
 * action), a ReplyKeyboardMarkup ({@code keyboard} of KeyboardButton: text, or text with one
 * request such as {@code request_managed_bot}), a ReplyKeyboardRemove ({@code remove_keyboard:
 * true}) or a ForceReply ({@code force_reply: true}). Malformed markup is a 400 "Bad Request: ...".
 */
final class ReplyMarkup {
  static final int MAX_CALLBACK_DATA_BYTES = 64;

  /** Inline buttons' actions; exactly one per button. Only url and callback_data are simulated. */
  private static final List<String> INLINE_ACTIONS =
      List.of(
          "url",
          "callback_data",
          "web_app",
          "login_url",
          "switch_inline_query",
          "switch_inline_query_current_chat",
          "switch_inline_query_chosen_chat",
          "copy_text",
          "callback_game",
          "pay");

  /** Reply keyboard buttons' requests; at most one per button. */
  private static final List<String> KEYBOARD_REQUESTS =
      List.of(
          "request_users",
          "request_chat",
          "request_contact",
          "request_location",
          "request_poll",
          "web_app",
          "request_managed_bot");

  private ReplyMarkup() {}

  /**
   * The markup checked, as kept with the message; null when none was given.
   *
   * @param privateChat whether the chat is private (request_managed_bot buttons are allowed only
   *     there)
   */
  static JsonNode check(JsonNode markup, boolean privateChat) {
    if (markup == null || markup.isNull()) {
      return null;
    }
    if (!markup.isObject()) {
      throw BotApiException.badRequest("can't parse reply keyboard markup JSON object");
    }
    if (markup.has("inline_keyboard")) {
      checkInline(markup.path("inline_keyboard"));
    } else if (markup.has("keyboard")) {
      checkKeyboard(markup.path("keyboard"), privateChat);
    } else if (markup.has("remove_keyboard")) {
      if (!markup.path("remove_keyboard").asBoolean(false)) {
        throw BotApiException.badRequest("field \"remove_keyboard\" must be true");
      }
    } else if (markup.has("force_reply")) {
      if (!markup.path("force_reply").asBoolean(false)) {
        throw BotApiException.badRequest("field \"force_reply\" must be true");
      }
    } else {
      throw BotApiException.badRequest("can't parse reply keyboard markup JSON object");
    }
    return markup.deepCopy();
  }

  /** editMessageText takes only an inline keyboard. */
  static JsonNode checkInlineOnly(JsonNode markup) {
    JsonNode checked = check(markup, true);
    if (checked != null && !isInline(checked)) {
      throw BotApiException.badRequest("inline keyboard expected");
    }
    return checked;
  }

  static boolean isInline(JsonNode markup) {
    return markup != null && markup.has("inline_keyboard");
  }

  static boolean isKeyboard(JsonNode markup) {
    return markup != null && markup.has("keyboard");
  }

  static boolean isRemove(JsonNode markup) {
    return markup != null && markup.has("remove_keyboard");
  }

  /** A reply keyboard button as an object (a bare string is a text button). */
  static ObjectNode keyboardButton(JsonNode button) {
    if (button.isTextual()) {
      ObjectNode object = Json.MAPPER.createObjectNode();
      object.put("text", button.asText());
      return object;
    }
    return (ObjectNode) button;
  }

  private static void checkInline(JsonNode rows) {
    if (!isArrayOfArrays(rows)) {
      throw BotApiException.badRequest(
          "field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays");
    }
    for (JsonNode row : rows) {
      for (JsonNode button : row) {
        checkInlineButton(button);
      }
    }
  }

  private static void checkInlineButton(JsonNode button) {
    if (!button.isObject()) {
      throw BotApiException.badRequest(
          "can't parse inline keyboard button: InlineKeyboardButton must be an Object");
    }
    if (!button.path("text").isTextual() || button.path("text").asText().isBlank()) {
      throw BotApiException.badRequest(
          "can't parse inline keyboard button: Field \"text\" must be a non-empty String");
    }
    long actions = INLINE_ACTIONS.stream().filter(button::has).count();
    if (actions == 0) {
      throw BotApiException.badRequest(
          "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
    }
    if (actions > 1) {
      throw BotApiException.badRequest(
          "can't parse inline keyboard button: only one of the optional fields must be used");
    }
    if (button.has("callback_data")) {
      JsonNode data = button.path("callback_data");
      int bytes = data.asText("").getBytes(StandardCharsets.UTF_8).length;
      if (!data.isTextual() || bytes == 0 || bytes > MAX_CALLBACK_DATA_BYTES) {
        throw BotApiException.badRequest("BUTTON_DATA_INVALID");
      }
    }
    if (button.has("url")) {
      String url = button.path("url").asText("");
      if (!httpOrTelegramUrl(url)) {
        throw BotApiException.badRequest(
            "inline keyboard button URL '" + url + "' is invalid: Wrong HTTP URL");
      }
    }
  }

  private static void checkKeyboard(JsonNode rows, boolean privateChat) {
    if (!isArrayOfArrays(rows)) {
      throw BotApiException.badRequest(
          "field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays");
    }
    Set<Long> requestIds = new HashSet<>();
    for (JsonNode row : rows) {
      for (JsonNode button : row) {
        if (button.isTextual()) {
          if (button.asText().isBlank()) {
            throw BotApiException.badRequest("keyboard button text must be non-empty");
          }
          continue;
        }
        if (!button.isObject()) {
          throw BotApiException.badRequest(
              "can't parse keyboard button: KeyboardButton must be a String or an Object");
        }
        if (!button.path("text").isTextual() || button.path("text").asText().isBlank()) {
          throw BotApiException.badRequest(
              "can't parse keyboard button: Field \"text\" must be a non-empty String");
        }
        if (KEYBOARD_REQUESTS.stream().filter(button::has).count() > 1) {
          throw BotApiException.badRequest(
              "can't parse keyboard button: only one of the optional fields must be used");
        }
        if (button.has("request_managed_bot")) {
          checkManagedBotRequest(button.path("request_managed_bot"), privateChat, requestIds);
        }
      }
    }
  }

  /**
   * KeyboardButtonRequestManagedBot: request_id (signed 32-bit, unique), suggested_name/username.
   */
  private static void checkManagedBotRequest(
      JsonNode request, boolean privateChat, Set<Long> requestIds) {
    if (!privateChat) {
      throw BotApiException.badRequest(
          "keyboard buttons requesting a managed bot are allowed only in private chats");
    }
    if (!request.isObject()) {
      throw BotApiException.badRequest(
          "can't parse keyboard button: Field \"request_managed_bot\" must be an Object");
    }
    JsonNode id = request.path("request_id");
    if (!id.canConvertToInt() || !id.isIntegralNumber()) {
      throw BotApiException.badRequest(
          "can't parse keyboard button: Field \"request_id\" must be a signed 32-bit Integer");
    }
    if (!requestIds.add(id.asLong())) {
      throw BotApiException.badRequest("BUTTON_ID_INVALID");
    }
    for (String field : List.of("suggested_name", "suggested_username")) {
      if (request.has(field) && !request.path(field).isTextual()) {
        throw BotApiException.badRequest(
            "can't parse keyboard button: Field \"" + field + "\" must be a String");
      }
    }
  }

  private static boolean isArrayOfArrays(JsonNode rows) {
    if (!rows.isArray()) {
      return false;
    }
    for (JsonNode row : rows) {
      if (!row.isArray()) {
        return false;
      }
    }
    return true;
  }

  private static boolean httpOrTelegramUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return switch (scheme) {
        case "http", "https" -> uri.getHost() != null;
        case "tg" -> true;
        default -> false;
      };
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
