package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.telegram.TelegramBot;
import cloud.openclaw.platform.telegram.TelegramBots;
import cloud.openclaw.platform.telegram.TelegramException;
import cloud.openclaw.platform.telegram.TelegramMessage;
import cloud.openclaw.platform.telegram.TelegramUpdate;
import cloud.openclaw.platform.telegram.TelegramUser;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns one Telegram update into the person's input ({@link ConversationInput} documents the
 * shapes) and hands it to their conversation, then wakes the chat's renderer. A pasted token's
 * message is deleted before anything else; a button press is answered once handed; a managed bot is
 * taken only from the person it was asked of (the chat shows the request_managed_bot button), with
 * its token from getManagedBotToken. Other updates (groups, bots, service messages, a managed_bot
 * update for a replaced token) are ignored.
 */
final class UpdateHandler {
  private static final Logger LOG = Logger.getLogger(UpdateHandler.class.getName());
  private static final int TELEGRAM_ATTEMPTS = 5;
  private static final int INPUT_ATTEMPTS = 3;

  private final TelegramBot bot;
  private final ConversationInput conversation;
  private final TelegramChats chats;
  private final ChatRenderers renderers;

  UpdateHandler(
      TelegramBot bot,
      ConversationInput conversation,
      TelegramChats chats,
      ChatRenderers renderers) {
    this.bot = bot;
    this.conversation = conversation;
    this.chats = chats;
    this.renderers = renderers;
  }

  /** The person an update comes from (whose updates are handled in order), or null to skip it. */
  static TelegramUser sender(TelegramUpdate update) {
    if (update.message() != null) {
      TelegramMessage message = update.message();
      TelegramUser from = message.from();
      return message.isPrivate() && from != null && !from.isBot() ? from : null;
    }
    if (update.callbackQuery() != null) {
      return update.callbackQuery().from();
    }
    if (update.managedBot() != null) {
      return update.managedBot().user();
    }
    return null;
  }

  /** Hands the update over, unless it was already (it comes again after a restart). */
  void handle(TelegramUpdate update) throws InterruptedException {
    TelegramUser person = sender(update);
    if (person == null || chats.handed(bot.id(), update.updateId())) {
      return;
    }
    read(person, update);
    chats.markHanded(bot.id(), update.updateId());
  }

  private void read(TelegramUser person, TelegramUpdate update) throws InterruptedException {
    if (update.message() != null) {
      message(person, update.message());
    } else if (update.callbackQuery() != null) {
      callback(person, update.callbackQuery());
    } else if (update.managedBot() != null) {
      managedBot(person, update.managedBot());
    }
  }

  private void message(TelegramUser person, TelegramMessage message) throws InterruptedException {
    String text = message.text();
    if (text == null) {
      return; // a service message (managed_bot_created comes as its own update too)
    }
    String stripped = text.strip();
    if (TelegramBots.isToken(stripped)) {
      delete(person, message);
      answered(person);
      hand(person, input("bot_token", person).put("token", stripped));
      return;
    }
    if (stripped.equals("/start") || stripped.startsWith("/start ")) {
      ObjectNode start = input("text", person).put("text", "/start");
      String payload = stripped.substring("/start".length()).strip();
      if (!payload.isEmpty()) {
        start.put("startPayload", payload);
      }
      hand(person, start);
      return;
    }
    if (stripped.equals(ChatRenderer.PASTE_TOKEN_LABEL)) {
      answered(person);
    }
    hand(person, input("text", person).put("text", text));
  }

  /** The token's message leaves the chat at once; the conversation gets the token anyway. */
  private void delete(TelegramUser person, TelegramMessage message) throws InterruptedException {
    try {
      TelegramRetry.run(
          () -> bot.deleteMessage(message.chatId(), message.messageId()), TELEGRAM_ATTEMPTS);
    } catch (TelegramException e) {
      LOG.warning(
          "setup bot: could not delete the message holding a token from "
              + person.id()
              + ": "
              + e.description());
    }
  }

  private void callback(TelegramUser person, TelegramUpdate.CallbackQuery query)
      throws InterruptedException {
    String data = query.data() == null ? "" : query.data();
    int colon = data.indexOf(':');
    if (colon > 0 && colon < data.length() - 1) {
      hand(
          person,
          input("choice", person)
              .put("slot", data.substring(0, colon))
              .put("value", data.substring(colon + 1)));
    }
    try {
      TelegramRetry.run(() -> bot.answerCallbackQuery(query.id(), null), TELEGRAM_ATTEMPTS);
    } catch (TelegramException e) {
      LOG.fine("setup bot: answerCallbackQuery failed: " + e.description());
    }
  }

  private void managedBot(TelegramUser person, TelegramUpdate.ManagedBotUpdated update)
      throws InterruptedException {
    if (chats.field(person.id(), TelegramChats.MANAGED_BOT_REQUEST) == null
        || update.bot() == null) {
      LOG.info(
          "setup bot: a managed_bot update from "
              + person.id()
              + " that this chat did not ask for (a replaced token?) is ignored");
      return;
    }
    String token;
    try {
      token =
          TelegramRetry.call(() -> bot.getManagedBotToken(update.bot().id()), TELEGRAM_ATTEMPTS);
    } catch (TelegramException e) {
      LOG.warning(
          "setup bot: getManagedBotToken for bot "
              + update.bot().id()
              + " of "
              + person.id()
              + " failed: "
              + e.description());
      return;
    }
    chats.clear(person.id(), TelegramChats.MANAGED_BOT_REQUEST);
    answered(person);
    ObjectNode input =
        input("managed_bot", person)
            .put("token", token)
            .put("botId", update.bot().id())
            .put("botUsername", update.bot().username());
    hand(person, input);
  }

  /** The person answered the bot question: the reply keyboard may go with the next message. */
  private void answered(TelegramUser person) {
    if (chats.field(person.id(), TelegramChats.KEYBOARD) != null) {
      chats.set(person.id(), Map.of(TelegramChats.KEYBOARD, TelegramChats.KEYBOARD_ANSWERED));
    }
  }

  private static ObjectNode input(String type, TelegramUser person) {
    ObjectNode input = Json.MAPPER.createObjectNode();
    input.put("type", type);
    input.put("telegramUserId", person.id());
    input.put("firstName", person.firstName());
    return input;
  }

  /** Hands {@code input} to the conversation (retrying a failure twice), then wakes the chat. */
  private void hand(TelegramUser person, ObjectNode input) throws InterruptedException {
    String key = TelegramChats.conversationKey(person.id());
    Duration backoff = TelegramRetry.FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      try {
        conversation.input(key, input);
        break;
      } catch (RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException("stopping");
        }
        if (attempt >= INPUT_ATTEMPTS) {
          // the exception's text is the conversation's; the input (maybe a token) is not logged
          LOG.log(
              Level.SEVERE,
              "setup bot: the conversation "
                  + key
                  + " did not take a "
                  + input.path("type").asText()
                  + " input; dropped",
              e);
          return;
        }
        Thread.sleep(backoff);
        backoff = TelegramRetry.next(backoff);
      }
    }
    renderers.wake(person.id());
  }
}
