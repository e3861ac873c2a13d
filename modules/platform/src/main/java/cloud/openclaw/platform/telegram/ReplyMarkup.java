package cloud.openclaw.platform.telegram;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A message's {@code reply_markup}, written as the Bot API's JSON: an {@link InlineKeyboard}
 * (buttons under the message), a {@link ReplyKeyboard} (buttons instead of the person's keyboard,
 * among them the request_managed_bot button), {@link RemoveKeyboard}, or {@link Raw} JSON for
 * anything else.
 */
public sealed interface ReplyMarkup {

  /** An inline keyboard of one button per row. */
  static InlineKeyboard inlineColumn(List<InlineButton> buttons) {
    return new InlineKeyboard(buttons.stream().map(List::of).toList());
  }

  /** A reply keyboard of the given rows, resized to fit, shown until removed. */
  static ReplyKeyboard keyboard(List<List<KeyboardButton>> rows) {
    return new ReplyKeyboard(rows, true, false, null);
  }

  /** The reply keyboard goes away. */
  static RemoveKeyboard removeKeyboard() {
    return new RemoveKeyboard(true);
  }

  /**
   * InlineKeyboardMarkup.
   *
   * @param rows the rows of buttons
   */
  record InlineKeyboard(@JsonProperty("inline_keyboard") List<List<InlineButton>> rows)
      implements ReplyMarkup {
    public InlineKeyboard {
      rows = rows.stream().map(List::copyOf).toList();
    }

    public static InlineKeyboard row(InlineButton... buttons) {
      return new InlineKeyboard(List.of(Arrays.asList(buttons)));
    }
  }

  /**
   * InlineKeyboardButton: a button that sends {@code callbackData} back (a callback_query) or opens
   * {@code url}; exactly one of them.
   *
   * @param text the label
   * @param callbackData 1-64 bytes sent back, or null
   * @param url the link opened, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record InlineButton(
      String text,
      @JsonProperty("callback_data") String callbackData,
      @JsonProperty("url") String url) {
    public InlineButton {
      if ((callbackData == null) == (url == null)) {
        throw new IllegalArgumentException("an inline button has callback data or a URL");
      }
      if (callbackData != null
          && (callbackData.isEmpty()
              || callbackData.getBytes(StandardCharsets.UTF_8).length > 64)) {
        throw new IllegalArgumentException("callback data is 1-64 bytes: " + callbackData);
      }
    }

    public static InlineButton callback(String text, String callbackData) {
      return new InlineButton(text, callbackData, null);
    }

    public static InlineButton url(String text, String url) {
      return new InlineButton(text, null, url);
    }
  }

  /**
   * ReplyKeyboardMarkup.
   *
   * @param rows the rows of buttons
   * @param resize whether the apps fit the keyboard's height to its buttons
   * @param oneTime whether the keyboard hides once a button is pressed
   * @param placeholder the input field's placeholder, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ReplyKeyboard(
      @JsonProperty("keyboard") List<List<KeyboardButton>> rows,
      @JsonProperty("resize_keyboard") boolean resize,
      @JsonProperty("one_time_keyboard") boolean oneTime,
      @JsonProperty("input_field_placeholder") String placeholder)
      implements ReplyMarkup {
    public ReplyKeyboard {
      rows = rows.stream().map(List::copyOf).toList();
    }
  }

  /**
   * KeyboardButton: sends its text, or with {@code requestManagedBot} asks the person to create a
   * bot managed by this one.
   *
   * @param text the label (and the text sent)
   * @param requestManagedBot the managed-bot request, or null for a text button
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record KeyboardButton(
      String text, @JsonProperty("request_managed_bot") ManagedBotRequest requestManagedBot) {
    public static KeyboardButton text(String text) {
      return new KeyboardButton(text, null);
    }

    public static KeyboardButton requestManagedBot(String text, ManagedBotRequest request) {
      return new KeyboardButton(text, request);
    }
  }

  /**
   * KeyboardButtonRequestManagedBot (Bot API 9.6).
   *
   * @param requestId a signed 32-bit id, unique within the message
   * @param suggestedName the new bot's suggested name, or null
   * @param suggestedUsername its suggested username, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ManagedBotRequest(
      @JsonProperty("request_id") int requestId,
      @JsonProperty("suggested_name") String suggestedName,
      @JsonProperty("suggested_username") String suggestedUsername) {}

  /** ReplyKeyboardRemove. */
  record RemoveKeyboard(@JsonProperty("remove_keyboard") boolean removeKeyboard)
      implements ReplyMarkup {}

  /** Any other reply_markup, as JSON. */
  record Raw(@JsonValue JsonNode json) implements ReplyMarkup {}
}
