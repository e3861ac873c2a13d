package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.onboarding.ConversationLog;
import cloud.openclaw.platform.telegram.ReplyMarkup;
import cloud.openclaw.platform.telegram.ReplyMarkup.InlineButton;
import cloud.openclaw.platform.telegram.ReplyMarkup.InlineKeyboard;
import cloud.openclaw.platform.telegram.ReplyMarkup.KeyboardButton;
import cloud.openclaw.platform.telegram.ReplyMarkup.ManagedBotRequest;
import cloud.openclaw.platform.telegram.TelegramBot;
import cloud.openclaw.platform.telegram.TelegramException;
import cloud.openclaw.platform.telegram.TelegramMessage;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Shows a conversation's events in the person's Telegram chat (chat id = their user id), saving the
 * cursor after each one. A {@code message} is sent whole ({@code delta}s are skipped); the buttons
 * that follow it ({@code choices}, {@code owner_link}, {@code live}) go on it (in the same
 * sendMessage when both are read together, else by editing it in); {@code managed_bot} is a reply
 * keyboard with the request_managed_bot button and {@link #PASTE_TOKEN_LABEL}; {@code progress} is
 * one message edited as the stages advance; {@code error} a plain message. A call Telegram refuses
 * (400, 403: the person blocked the bot) is logged and the event skipped; 429 and 5xx are retried
 * until they work or the bot stops.
 */
final class ChatRenderer {
  /** The reply keyboard's second button: the person will paste a BotFather token instead. */
  static final String PASTE_TOKEN_LABEL = ConversationInput.PASTE_TOKEN_TEXT;

  static final String CREATE_BOT_LABEL = "Create my bot";
  static final String OWNER_LINK_LABEL = "Open my bot";

  private static final Logger LOG = Logger.getLogger(ChatRenderer.class.getName());
  private static final int MAX_TEXT = 4096;
  private static final int MAX_CALLBACK_BYTES = 64;
  private static final Set<String> BUTTONS = Set.of("choices", "owner_link", "live", "managed_bot");

  private final TelegramBot bot;
  private final TelegramChats chats;

  ChatRenderer(TelegramBot bot, TelegramChats chats) {
    this.bot = bot;
    this.chats = chats;
  }

  /**
   * Renders {@code entries} (read after the chat's cursor) in person {@code userId}'s chat, up to
   * the event at hand when {@code stopping} says so.
   *
   * @throws TelegramException.TokenRefused when the setup bot's token stopped working
   * @throws InterruptedException when the bot stops while waiting to retry
   */
  void render(long userId, List<ConversationLog.Entry> entries, BooleanSupplier stopping)
      throws InterruptedException {
    List<JsonNode> events = new ArrayList<>(entries.size());
    entries.forEach(entry -> events.add(parse(entry)));
    int i = 0;
    while (i < entries.size() && !stopping.getAsBoolean()) {
      JsonNode event = events.get(i);
      int last = i;
      try {
        String type = event.path("type").asText();
        if (type.equals("message")) {
          int buttons = buttonsAfter(events, i);
          if (buttons >= 0) {
            last = buttons;
            buttons(userId, event.path("text").asText(), events.get(buttons));
          } else {
            plain(userId, event.path("text").asText());
          }
        } else if (BUTTONS.contains(type)) {
          buttons(userId, null, event);
        } else if (type.equals("progress")) {
          progress(userId, event);
        } else if (type.equals("error")) {
          plain(userId, event.path("message").asText("Something went wrong."));
        }
      } catch (TelegramException.BadRequest e) {
        LOG.warning(
            "setup bot: Telegram refused an event for chat "
                + userId
                + " ("
                + e.description()
                + "); skipped");
      } catch (IllegalArgumentException e) {
        LOG.warning(
            "setup bot: event "
                + entries.get(i).id()
                + " cannot be shown ("
                + e.getMessage()
                + ")");
      }
      chats.saveCursor(userId, entries.get(last).id());
      i = last + 1;
    }
  }

  /** The index of the buttons event right after message {@code i} (deltas between), or -1. */
  private static int buttonsAfter(List<JsonNode> events, int i) {
    for (int j = i + 1; j < events.size(); j++) {
      String type = events.get(j).path("type").asText();
      if (!type.equals("delta")) {
        return BUTTONS.contains(type) ? j : -1;
      }
    }
    return -1;
  }

  /** Event {@code event}'s buttons, on {@code text} (null: on the last message, or a new one). */
  private void buttons(long userId, String text, JsonNode event) throws InterruptedException {
    switch (event.path("type").asText()) {
      case "choices" -> inline(userId, text, choices(event), "Choose one:");
      case "owner_link" ->
          inline(
              userId,
              text,
              InlineKeyboard.row(InlineButton.url(OWNER_LINK_LABEL, event.path("url").asText())),
              "Open your bot to show it is yours:");
      case "managed_bot" -> managedBot(userId, text, event);
      case "live" -> live(userId, text, event);
      default -> throw new IllegalArgumentException(event.path("type").asText());
    }
  }

  private static InlineKeyboard choices(JsonNode event) {
    String slot = event.path("slot").asText();
    List<InlineButton> buttons = new ArrayList<>();
    for (JsonNode option : event.path("options")) {
      String value = option.path("value").asText();
      String data = slot + ":" + value;
      if (value.isEmpty() || data.getBytes(StandardCharsets.UTF_8).length > MAX_CALLBACK_BYTES) {
        LOG.warning("setup bot: the choice " + data + " is not 1-64 bytes of callback data");
        continue;
      }
      buttons.add(InlineButton.callback(option.path("label").asText(value), data));
    }
    return ReplyMarkup.inlineColumn(buttons);
  }

  private void inline(long userId, String text, InlineKeyboard keyboard, String alone)
      throws InterruptedException {
    if (text != null) {
      send(userId, text, keyboard);
      return;
    }
    Map<String, String> state = chats.state(userId);
    String last = state.get(TelegramChats.LAST_MESSAGE);
    String lastText = state.get(TelegramChats.LAST_TEXT);
    if (last != null
        && lastText != null
        && !"1".equals(state.get(TelegramChats.LAST_HAS_BUTTONS))) {
      try {
        TelegramRetry.call(
            () -> bot.editMessageText(userId, Long.parseLong(last), lastText, null, keyboard),
            Integer.MAX_VALUE);
        chats.set(userId, Map.of(TelegramChats.LAST_HAS_BUTTONS, "1"));
        return;
      } catch (TelegramException.BadRequest e) {
        // the message is gone or cannot carry buttons: they come with a message of their own
      }
    }
    send(userId, alone, keyboard);
  }

  private void managedBot(long userId, String text, JsonNode event) throws InterruptedException {
    int requestId = event.path("requestId").asInt(1);
    ManagedBotRequest request =
        new ManagedBotRequest(
            requestId,
            event.path("suggestedName").asText(null),
            event.path("suggestedUsername").asText(null));
    ReplyMarkup keyboard =
        ReplyMarkup.keyboard(
            List.of(
                List.of(KeyboardButton.requestManagedBot(CREATE_BOT_LABEL, request)),
                List.of(KeyboardButton.text(PASTE_TOKEN_LABEL))));
    send(
        userId,
        text != null
            ? text
            : "Create your bot with the button below, or paste a token from @BotFather.",
        keyboard);
    chats.set(
        userId,
        Map.of(
            TelegramChats.KEYBOARD,
            TelegramChats.KEYBOARD_SHOWN,
            TelegramChats.MANAGED_BOT_REQUEST,
            Integer.toString(requestId)));
  }

  /** The agent's t.me link as a URL button; the reply keyboard, if still shown, goes. */
  private void live(long userId, String text, JsonNode event) throws InterruptedException {
    String username = event.path("botUsername").asText();
    InlineKeyboard open =
        InlineKeyboard.row(InlineButton.url("Open @" + username, event.path("url").asText()));
    if (chats.field(userId, TelegramChats.KEYBOARD) != null) {
      // a message has one reply_markup: the keyboard's removal, then the link
      send(
          userId,
          text != null ? text : "Your agent @" + username + " is live.",
          ReplyMarkup.removeKeyboard());
      chats.clear(userId, TelegramChats.KEYBOARD, TelegramChats.MANAGED_BOT_REQUEST);
      send(userId, "@" + username, open);
    } else {
      inline(userId, text, open, "Your agent @" + username + " is live.");
    }
  }

  /** A message without buttons; it removes the reply keyboard once the person has answered it. */
  private void plain(long userId, String text) throws InterruptedException {
    if (TelegramChats.KEYBOARD_ANSWERED.equals(chats.field(userId, TelegramChats.KEYBOARD))) {
      send(userId, text, ReplyMarkup.removeKeyboard());
      chats.clear(userId, TelegramChats.KEYBOARD);
    } else {
      send(userId, text, null);
    }
  }

  /** The first progress event sends a message; the next ones edit it. */
  private void progress(long userId, JsonNode event) throws InterruptedException {
    String text = event.path("text").asText(event.path("stage").asText());
    String message = chats.field(userId, TelegramChats.PROGRESS_MESSAGE);
    if (message != null) {
      try {
        TelegramRetry.call(
            () -> bot.editMessageText(userId, Long.parseLong(message), fit(text), null, null),
            Integer.MAX_VALUE);
        return;
      } catch (TelegramException.BadRequest e) {
        if (e.notModified()) {
          return;
        }
        // deleted by the person: a new one
      }
    }
    TelegramMessage sent = send(userId, text, null);
    chats.set(
        userId,
        Map.of(
            TelegramChats.PROGRESS_MESSAGE,
            Long.toString(sent.messageId()),
            TelegramChats.LAST_HAS_BUTTONS,
            "1"));
  }

  /**
   * Sends {@code text} (split in Telegram's 4096-character messages, the markup on the last) and
   * remembers the last message.
   */
  private TelegramMessage send(long userId, String text, ReplyMarkup markup)
      throws InterruptedException {
    String whole = text == null || text.isBlank() ? "…" : text;
    TelegramMessage sent = null;
    for (int start = 0; start < whole.length(); start += MAX_TEXT) {
      String part = whole.substring(start, Math.min(whole.length(), start + MAX_TEXT));
      ReplyMarkup partMarkup = start + MAX_TEXT >= whole.length() ? markup : null;
      sent =
          TelegramRetry.call(
              () -> bot.sendMessage(userId, part, null, partMarkup), Integer.MAX_VALUE);
    }
    chats.set(
        userId,
        Map.of(
            TelegramChats.LAST_MESSAGE,
            Long.toString(sent.messageId()),
            TelegramChats.LAST_TEXT,
            fit(whole.substring(((whole.length() - 1) / MAX_TEXT) * MAX_TEXT)),
            TelegramChats.LAST_HAS_BUTTONS,
            markup == null ? "0" : "1"));
    return sent;
  }

  private static String fit(String text) {
    return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
  }

  private static JsonNode parse(ConversationLog.Entry entry) {
    try {
      JsonNode event = Json.MAPPER.readTree(entry.json());
      return event == null ? Json.MAPPER.createObjectNode() : event;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "setup bot: event " + entry.id() + " is not JSON; skipped");
      return Json.MAPPER.createObjectNode();
    }
  }
}
