package cloud.openclaw.sandbox.telegram;

import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.sandbox.telegram.ChatEntry.Kind;
import cloud.openclaw.sandbox.telegram.ChatEntry.Sender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One bot's state: its update queue, its chats, its commands and webhook. Everything is guarded by
 * one lock; a long poll waits on its condition (a virtual thread parks, nothing spins), and is
 * woken by a new update, by a newer poll (which terminates it with 409, as Telegram's server does),
 * by setWebhook, by the token's revocation (401), or by the stand-in stopping.
 *
 * <p>Every change is handed to the {@link Saver} as a {@link SavedBot} before the lock is released
 * (and so before the caller is answered): a sandbox that keeps its state writes it, so an update id
 * or a message handed out is never forgotten by a restart.
 */
final class BotState {
  /** Keeps a bot's state between runs; {@link #NONE} keeps it in memory only. */
  interface Saver {
    Saver NONE = saved -> {};

    void save(SavedBot saved);
  }

  /** Telegram's server caps getUpdates' timeout at 50 seconds. */
  static final int MAX_TIMEOUT_SECONDS = 50;

  static final int MAX_TEXT = 4096;
  static final int MAX_COMMANDS = 100;

  static final String TERMINATED =
      "Conflict: terminated by other getUpdates request; make sure that only one bot instance is"
          + " running";
  static final String TERMINATED_BY_WEBHOOK = "Conflict: terminated by setWebhook request";
  static final String WEBHOOK_ACTIVE =
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete"
          + " the webhook first";
  static final String NOT_MODIFIED =
      "message is not modified: specified new message content and reply markup are exactly the"
          + " same as a current content and reply markup of the message";

  private static final Set<String> ACTIONS =
      Set.of(
          "typing",
          "upload_photo",
          "record_video",
          "upload_video",
          "record_voice",
          "upload_voice",
          "record_audio",
          "upload_audio",
          "upload_document",
          "choose_sticker",
          "find_location",
          "record_video_note",
          "upload_video_note",
          "cancel");

  /** A command at the start of a message, as Telegram marks it with a bot_command entity. */
  private static final Pattern BOT_COMMAND =
      Pattern.compile("^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])");

  private static final Pattern COMMAND_NAME = Pattern.compile("[a-z0-9_]{1,32}");

  /** 2024-01-01T00:00:00Z, the origin of {@link #clockBase}. */
  private static final long ID_EPOCH = 1_704_067_200L;

  private volatile Bot bot; // its token changes with replaceManagedBotToken
  private final Long managerBotId;
  private final User owner;
  private final int chatHistory;
  private final int pendingLimit;
  private final Saver saver;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // guarded by lock
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final Map<Long, Chat> chats = new LinkedHashMap<>();
  private final Map<String, ArrayNode> commands = new HashMap<>();
  private final Map<String, Long> calls = new TreeMap<>();
  private long nextUpdateId;
  private long pollGeneration;
  private int waiting;
  private String webhookUrl = "";
  private List<String> allowedUpdates = List.of();
  private long polls;
  private Instant firstPollAt;
  private long updates;
  private long sent;
  private boolean revoked;
  private boolean stopped;

  /**
   * A new bot; {@code managerBotId} and {@code owner} for a managed bot (the bot that manages it,
   * the person who created it), else null.
   */
  BotState(Bot bot, Long managerBotId, User owner, int chatHistory, int pendingLimit, Saver saver) {
    this.bot = bot;
    this.managerBotId = managerBotId;
    this.owner = owner;
    this.chatHistory = chatHistory;
    this.pendingLimit = pendingLimit;
    this.saver = saver;
    this.nextUpdateId = clockBase();
    lock.lock();
    try {
      save();
    } finally {
      lock.unlock();
    }
  }

  /** The bot as an earlier run left it. */
  BotState(SavedBot saved, int chatHistory, int pendingLimit, Saver saver) {
    this.bot = saved.bot();
    this.managerBotId = saved.managerBotId();
    this.owner = saved.owner();
    this.chatHistory = chatHistory;
    this.pendingLimit = pendingLimit;
    this.saver = saver;
    // never below the clock: ids keep growing even if the file is older than the last run
    this.nextUpdateId = Math.max(saved.nextUpdateId(), clockBase());
    this.revoked = saved.revoked();
    saved.pending().forEach(update -> pending.addLast(new Pending(update.id(), update.json())));
    for (SavedBot.SavedChat savedChat : saved.chats()) {
      Chat chat = new Chat(savedChat.id(), chatHistory);
      chat.user = savedChat.user();
      chat.nextMessageId = savedChat.nextMessageId();
      chat.nextSeq = savedChat.nextSeq();
      chat.keyboard = savedChat.keyboard();
      savedChat.entries().stream()
          .filter(entry -> !entry.deleted())
          .forEach(entry -> chat.add(Entry.restore(entry)));
      chats.put(chat.id, chat);
    }
    commands.putAll(saved.commands());
    calls.putAll(saved.calls());
    webhookUrl = saved.webhookUrl();
    allowedUpdates = List.copyOf(saved.allowedUpdates());
    polls = saved.polls();
    firstPollAt = saved.firstPollAt();
    updates = saved.updates();
    sent = saved.sent();
  }

  /**
   * Where a new sequence of ids (updates, messages of a chat) starts: ten per second since 2024, so
   * ids keep growing across sandbox restarts (OpenClaw drops updates whose ids went back, and
   * messages whose ids it has seen) unless more than ten were made per second. Below 2^31, as some
   * clients keep update ids in an int.
   */
  static long clockBase() {
    long seconds = System.currentTimeMillis() / 1000 - ID_EPOCH;
    return Math.max(1, Math.min(seconds * 10, 1_900_000_000L));
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  // --- the Bot API ---------------------------------------------------------------------------

  /** Counts a call; unknown methods only while fewer than 100 names are counted. */
  void called(String method, boolean known) {
    lock.lock();
    try {
      if (known || calls.containsKey(method) || calls.size() < 100) {
        calls.merge(method, 1L, Long::sum);
      }
    } finally {
      lock.unlock();
    }
  }

  ObjectNode me() {
    ObjectNode me = botUser();
    me.put("can_join_groups", true)
        .put("can_read_all_group_messages", false)
        .put("supports_inline_queries", false)
        .put("can_connect_to_business", false)
        .put("has_main_web_app", false)
        .put("can_manage_bots", true);
    return me;
  }

  Bot bot() {
    return bot;
  }

  /** The bot that manages this one, or null. */
  Long managerBotId() {
    return managerBotId;
  }

  /** The person who created this managed bot, or null. */
  User owner() {
    return owner;
  }

  /**
   * replaceManagedBotToken: the bot answers to {@code token} from now on; calls with the old one
   * are 401, an open long poll too.
   */
  void replaceToken(String token) {
    lock.lock();
    try {
      bot = new Bot(bot.id(), token, bot.username(), bot.firstName());
      changed.signalAll();
      save();
    } finally {
      lock.unlock();
    }
  }

  /**
   * getUpdates: confirms the updates below {@code offset} (a negative offset keeps only the last
   * -offset), answers at once when updates wait or {@code timeoutSeconds} is 0, else terminates the
   * open long poll (409) and waits until an update arrives or the timeout passes.
   */
  ArrayNode getUpdates(String token, long offset, int limit, int timeoutSeconds, JsonNode allowed) {
    lock.lock();
    try {
      boolean first = polls++ == 0;
      if (first) {
        firstPollAt = Instant.now();
      }
      if (!webhookUrl.isEmpty()) {
        throw BotApiException.conflict(WEBHOOK_ACTIVE);
      }
      List<String> wanted = allowedUpdates;
      if (allowed != null && allowed.isArray()) {
        List<String> types = new ArrayList<>();
        allowed.forEach(type -> types.add(type.asText()));
        wanted = List.copyOf(types);
      }
      boolean newTypes = !wanted.equals(allowedUpdates);
      allowedUpdates = wanted;
      if (confirm(offset) || first || newTypes) {
        save();
      }
      if (!pending.isEmpty() || timeoutSeconds <= 0 || stopped) {
        return batch(limit);
      }
      long generation = ++pollGeneration;
      changed.signalAll(); // the open poll, if any, sees a newer generation and answers 409
      waiting++;
      try {
        long remaining = TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
          if (revoked || !bot.token().equals(token)) {
            throw BotApiException.unauthorized();
          }
          if (!webhookUrl.isEmpty()) {
            throw BotApiException.conflict(TERMINATED_BY_WEBHOOK);
          }
          if (pollGeneration != generation) {
            throw BotApiException.conflict(TERMINATED);
          }
          if (!pending.isEmpty() || stopped || remaining <= 0) {
            return batch(limit);
          }
          remaining = changed.awaitNanos(remaining);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return batch(limit);
      } finally {
        waiting--;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Drops the confirmed updates; whether there were any. */
  private boolean confirm(long offset) {
    int before = pending.size();
    if (offset > 0) {
      while (!pending.isEmpty() && pending.peekFirst().id() < offset) {
        pending.removeFirst();
      }
    } else if (offset < 0) {
      while (pending.size() > -offset) {
        pending.removeFirst();
      }
    }
    return pending.size() != before;
  }

  private ArrayNode batch(int limit) {
    ArrayNode result = Json.MAPPER.createArrayNode();
    Iterator<Pending> it = pending.iterator();
    while (it.hasNext() && result.size() < limit) {
      result.add(it.next().json());
    }
    return result;
  }

  /** A message from a person in their private chat with the bot, queued as an update. */
  Posted userMessage(User from, String text) {
    lock.lock();
    try {
      Chat chat = chatOf(from.id());
      chat.user = from;
      long date = now();
      Entry entry =
          new Entry(chat.nextSeq++, Kind.MESSAGE, Sender.USER, chat.nextMessageId++, date);
      entry.text = text;
      entry.rawText = text;
      entry.entities = commandEntity(text);
      chat.add(entry);
      ObjectNode update = enqueue("message", message(chat, entry, true));
      save();
      return new Posted(
          new Update(update.path("update_id").asLong(), chat.id, entry.messageId, date, from, text),
          update.deepCopy());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues an update of {@code type} carrying {@code content} (unless allowed_updates leaves the
   * type out) and wakes the long poll; the update as delivered. Called with the lock held.
   */
  private ObjectNode enqueue(String type, JsonNode content) {
    long updateId = nextUpdateId++;
    ObjectNode update = Json.MAPPER.createObjectNode();
    update.put("update_id", updateId);
    update.set(type, content);
    updates++;
    if (allowedUpdates.isEmpty() || allowedUpdates.contains(type)) {
      pending.addLast(new Pending(updateId, update));
      while (pending.size() > pendingLimit) {
        pending.removeFirst();
      }
      changed.signalAll();
    }
    return update;
  }

  /**
   * The person presses a text button of the reply keyboard shown in their chat: the button's text
   * is sent as their message. A one-time keyboard hides after it.
   */
  Posted pressButton(User from, String text) {
    lock.lock();
    try {
      Chat chat = chats.get(from.id());
      ObjectNode button = chat == null ? null : keyboardButton(chat.keyboard, text);
      if (button == null) {
        throw new InvalidInputException("text", "the keyboard shown has no button '" + text + "'");
      }
      if (button.size() > 1) {
        throw new InvalidInputException(
            "text",
            "'"
                + text
                + "' is not a text button"
                + (button.has("request_managed_bot")
                    ? " (request_managed_bot: create the managed bot)"
                    : ""));
      }
      if (chat.keyboard.path("one_time_keyboard").asBoolean(false)) {
        chat.keyboard = null;
      }
      return userMessage(from, text);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The KeyboardButtonRequestManagedBot of the keyboard shown to {@code from} with {@code
   * requestId} (null: the only one there is).
   */
  ObjectNode managedBotRequest(User from, Integer requestId) {
    lock.lock();
    try {
      Chat chat = chats.get(from.id());
      List<ObjectNode> requests = new ArrayList<>();
      if (chat != null && chat.keyboard != null) {
        for (JsonNode row : chat.keyboard.path("keyboard")) {
          for (JsonNode button : row) {
            JsonNode request = button.path("request_managed_bot");
            if (request.isObject()
                && (requestId == null || request.path("request_id").asInt() == requestId)) {
              requests.add((ObjectNode) request.deepCopy());
            }
          }
        }
      }
      if (requests.isEmpty()) {
        throw new InvalidInputException(
            "requestId",
            "the keyboard shown to "
                + from.id()
                + " has no request_managed_bot button"
                + (requestId == null ? "" : " with request_id " + requestId));
      }
      if (requests.size() > 1) {
        throw new InvalidInputException(
            "requestId", "the keyboard has several request_managed_bot buttons: give requestId");
      }
      return requests.get(0);
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code owner} created {@code managed} with this bot's request_managed_bot button: the
   * managed_bot update (ManagedBotUpdated), then the service message with managed_bot_created from
   * the person. A one-time keyboard hides.
   */
  void managedBotCreated(User owner, ObjectNode managed) {
    lock.lock();
    try {
      Chat chat = chatOf(owner.id());
      chat.user = owner;
      if (chat.keyboard != null && chat.keyboard.path("one_time_keyboard").asBoolean(false)) {
        chat.keyboard = null;
      }
      enqueue("managed_bot", managedBotUpdated(owner, managed));
      Entry entry =
          new Entry(chat.nextSeq++, Kind.MESSAGE, Sender.USER, chat.nextMessageId++, now());
      ObjectNode created = Json.MAPPER.createObjectNode();
      created.set("bot", managed.deepCopy());
      entry.managedBotCreated = created;
      chat.add(entry);
      enqueue("message", message(chat, entry, true));
      save();
    } finally {
      lock.unlock();
    }
  }

  /** The token of a bot this one manages was replaced: a managed_bot update. */
  void managedBotTokenReplaced(User owner, ObjectNode managed) {
    lock.lock();
    try {
      enqueue("managed_bot", managedBotUpdated(owner, managed));
      save();
    } finally {
      lock.unlock();
    }
  }

  private static ObjectNode managedBotUpdated(User owner, ObjectNode managed) {
    ObjectNode updated = Json.MAPPER.createObjectNode();
    updated.set("user", user(owner));
    updated.set("bot", managed.deepCopy());
    return updated;
  }

  /**
   * The person presses an inline button with {@code data} on the bot's message {@code messageId}
   * (null: the newest message with such a button): a callback_query update.
   */
  CallbackPress callbackQuery(User from, Long messageId, String data) {
    lock.lock();
    try {
      Chat chat = chats.get(from.id());
      Entry message = chat == null ? null : messageWithCallback(chat, messageId, data);
      if (message == null) {
        throw new InvalidInputException(
            "callbackData",
            "no message of the bot"
                + (messageId == null ? "" : " with id " + messageId)
                + " has an inline button with callback_data '"
                + data
                + "'");
      }
      chat.user = from;
      String id = Long.toUnsignedString(ThreadLocalRandom.current().nextLong());
      // a callback query's message id is the message its button is on
      Entry entry =
          new Entry(chat.nextSeq++, Kind.CALLBACK_QUERY, Sender.USER, message.messageId, now());
      entry.callbackQueryId = id;
      entry.callbackData = data;
      chat.add(entry);
      ObjectNode query = Json.MAPPER.createObjectNode();
      query.put("id", id);
      query.set("from", user(from));
      query.set("message", message(chat, message, true));
      query.put("chat_instance", Long.toString(bot.id() * 31 + chat.id));
      query.put("data", data);
      ObjectNode update = enqueue("callback_query", query);
      save();
      return new CallbackPress(id, update.path("update_id").asLong(), message.messageId, data);
    } finally {
      lock.unlock();
    }
  }

  private static Entry messageWithCallback(Chat chat, Long messageId, String data) {
    Iterator<Entry> it = chat.entries.descendingIterator();
    while (it.hasNext()) {
      Entry entry = it.next();
      if (entry.kind == Kind.MESSAGE
          && entry.sender == Sender.BOT
          && (messageId == null || entry.messageId == messageId)
          && hasCallback(entry.replyMarkup, data)) {
        return entry;
      }
    }
    return null;
  }

  /**
   * The person presses the inline button labelled {@code text} (with callback_data) on the bot's
   * message {@code messageId} (null: the newest message with such a button).
   */
  CallbackPress callbackQueryByText(User from, Long messageId, String text) {
    lock.lock();
    try {
      Chat chat = chats.get(from.id());
      Iterator<Entry> it =
          chat == null ? Collections.emptyIterator() : chat.entries.descendingIterator();
      while (it.hasNext()) {
        Entry entry = it.next();
        if (entry.kind != Kind.MESSAGE
            || entry.sender != Sender.BOT
            || (messageId != null && entry.messageId != messageId)
            || !ReplyMarkup.isInline(entry.replyMarkup)) {
          continue;
        }
        for (JsonNode row : entry.replyMarkup.path("inline_keyboard")) {
          for (JsonNode button : row) {
            if (text.equals(button.path("text").asText()) && button.has("callback_data")) {
              return callbackQuery(from, entry.messageId, button.path("callback_data").asText());
            }
          }
        }
      }
      throw new InvalidInputException(
          "text",
          "no message of the bot"
              + (messageId == null ? "" : " with id " + messageId)
              + " has an inline callback button '"
              + text
              + "'");
    } finally {
      lock.unlock();
    }
  }

  private static boolean hasCallback(JsonNode markup, String data) {
    if (!ReplyMarkup.isInline(markup)) {
      return false;
    }
    for (JsonNode row : markup.path("inline_keyboard")) {
      for (JsonNode button : row) {
        if (data.equals(button.path("callback_data").asText(null))) {
          return true;
        }
      }
    }
    return false;
  }

  /** answerCallbackQuery: once per query, as Telegram answers a query once. */
  void answerCallbackQuery(String id, String text) {
    if (text != null && text.length() > 200) {
      throw BotApiException.badRequest("MESSAGE_TOO_LONG");
    }
    lock.lock();
    try {
      for (Chat chat : chats.values()) {
        for (Entry entry : chat.entries) {
          if (entry.kind == Kind.CALLBACK_QUERY
              && entry.callbackQueryId.equals(id)
              && entry.callbackAnswer == null) {
            entry.callbackAnswer = text == null ? "" : text;
            changed.signalAll();
            save();
            return;
          }
        }
      }
      throw BotApiException.badRequest(
          "query is too old and response timeout expired or query ID is invalid");
    } finally {
      lock.unlock();
    }
  }

  /** The reply keyboard shown in the chat (ReplyKeyboardMarkup), or null. */
  JsonNode keyboard(long chatId) {
    lock.lock();
    try {
      Chat chat = chats.get(chatId);
      return chat == null || chat.keyboard == null ? null : chat.keyboard.deepCopy();
    } finally {
      lock.unlock();
    }
  }

  private static ObjectNode keyboardButton(JsonNode keyboard, String text) {
    if (keyboard == null) {
      return null;
    }
    for (JsonNode row : keyboard.path("keyboard")) {
      for (JsonNode button : row) {
        ObjectNode object = ReplyMarkup.keyboardButton(button);
        if (text.equals(object.path("text").asText())) {
          return object;
        }
      }
    }
    return null;
  }

  ObjectNode sendMessage(
      long chatId,
      TelegramHtml.Parsed text,
      String rawText,
      String parseMode,
      Long replyTo,
      JsonNode replyMarkup) {
    lock.lock();
    try {
      Chat chat = chatOf(chatId);
      Entry entry =
          new Entry(chat.nextSeq++, Kind.MESSAGE, Sender.BOT, chat.nextMessageId++, now());
      entry.text = text.text();
      entry.rawText = rawText;
      entry.parseMode = parseMode;
      entry.entities = text.entities();
      entry.replyMarkup = replyMarkup;
      if (ReplyMarkup.isKeyboard(replyMarkup)) {
        chat.keyboard = replyMarkup;
      } else if (ReplyMarkup.isRemove(replyMarkup)) {
        chat.keyboard = null;
      }
      if (replyTo != null && chat.find(replyTo) != null) {
        entry.replyTo = replyTo;
      }
      chat.add(entry);
      sent++;
      changed.signalAll();
      save();
      return message(chat, entry, true);
    } finally {
      lock.unlock();
    }
  }

  void chatAction(long chatId, String action) {
    if (action == null || !ACTIONS.contains(action)) {
      throw BotApiException.badRequest("wrong parameter action in request");
    }
    lock.lock();
    try {
      Chat chat = chatOf(chatId);
      Entry entry = new Entry(chat.nextSeq++, Kind.CHAT_ACTION, Sender.BOT, 0, now());
      entry.action = action;
      chat.add(entry);
      changed.signalAll();
      save();
    } finally {
      lock.unlock();
    }
  }

  ObjectNode editMessageText(
      long chatId,
      long messageId,
      TelegramHtml.Parsed text,
      String rawText,
      String parseMode,
      JsonNode replyMarkup) {
    lock.lock();
    try {
      Chat chat = chats.get(chatId);
      Entry entry = chat == null ? null : chat.find(messageId);
      if (entry == null) {
        throw BotApiException.badRequest("message to edit not found");
      }
      if (entry.sender != Sender.BOT || entry.text == null) {
        throw BotApiException.badRequest("message can't be edited");
      }
      JsonNode markup = replyMarkup;
      if (entry.text.equals(text.text())
          && entry.entities.equals(text.entities())
          && Objects.equals(entry.replyMarkup, markup)) {
        throw BotApiException.badRequest(NOT_MODIFIED);
      }
      entry.text = text.text();
      entry.rawText = rawText;
      entry.parseMode = parseMode;
      entry.entities = text.entities();
      entry.replyMarkup = markup;
      entry.editDate = now();
      changed.signalAll();
      save();
      return message(chat, entry, true);
    } finally {
      lock.unlock();
    }
  }

  void deleteMessage(long chatId, long messageId) {
    lock.lock();
    try {
      Chat chat = chats.get(chatId);
      Entry entry = chat == null ? null : chat.find(messageId);
      if (entry == null) {
        throw BotApiException.badRequest("message to delete not found");
      }
      chat.entries.remove(entry);
      changed.signalAll();
      save();
    } finally {
      lock.unlock();
    }
  }

  /** setMessageReaction: the bot's reactions to a message replace its earlier ones. */
  void react(long chatId, long messageId, JsonNode reaction) {
    List<String> reactions = new ArrayList<>();
    if (reaction != null && reaction.isArray()) {
      for (JsonNode type : reaction) {
        String value =
            type.hasNonNull("emoji")
                ? type.path("emoji").asText()
                : type.path("custom_emoji_id").asText(type.path("type").asText());
        reactions.add(value);
      }
    }
    lock.lock();
    try {
      Chat chat = chats.get(chatId);
      Entry entry = chat == null ? null : chat.find(messageId);
      if (entry == null) {
        throw BotApiException.badRequest("message to react not found");
      }
      entry.reactions = List.copyOf(reactions);
      changed.signalAll();
      save();
    } finally {
      lock.unlock();
    }
  }

  /** getChat: a chat the bot has (a person wrote, or it wrote to); else "chat not found". */
  ObjectNode chatInfo(long chatId) {
    lock.lock();
    try {
      Chat chat = chats.get(chatId);
      if (chat == null) {
        throw BotApiException.badRequest("chat not found");
      }
      ObjectNode info = chatJson(chat);
      info.put("accent_color_id", 0).put("max_reaction_count", 11);
      return info;
    } finally {
      lock.unlock();
    }
  }

  void setCommands(JsonNode list, JsonNode scope, String language) {
    ArrayNode checked = Json.MAPPER.createArrayNode();
    if (list != null) {
      if (!list.isArray()) {
        throw BotApiException.badRequest("field \"commands\" must be an Array");
      }
      if (list.size() > MAX_COMMANDS) {
        throw BotApiException.badRequest("BOT_COMMANDS_TOO_MUCH");
      }
      for (JsonNode command : list) {
        String name = command.path("command").asText("");
        if (name.startsWith("/")) {
          name = name.substring(1);
        }
        String description = command.path("description").asText("").strip();
        if (!COMMAND_NAME.matcher(name).matches()) {
          throw BotApiException.badRequest("BOT_COMMAND_INVALID");
        }
        if (description.isEmpty() || description.length() > 256) {
          throw BotApiException.badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        checked.addObject().put("command", name).put("description", description);
      }
    }
    lock.lock();
    try {
      if (checked.isEmpty()) {
        commands.remove(commandsKey(scope, language));
      } else {
        commands.put(commandsKey(scope, language), checked);
      }
      save();
    } finally {
      lock.unlock();
    }
  }

  void deleteCommands(JsonNode scope, String language) {
    lock.lock();
    try {
      commands.remove(commandsKey(scope, language));
      save();
    } finally {
      lock.unlock();
    }
  }

  ArrayNode getCommands(JsonNode scope, String language) {
    lock.lock();
    try {
      ArrayNode list = commands.get(commandsKey(scope, language));
      return list == null ? Json.MAPPER.createArrayNode() : list.deepCopy();
    } finally {
      lock.unlock();
    }
  }

  private static String commandsKey(JsonNode scope, String language) {
    String type = "default";
    String chat = "";
    String user = "";
    if (scope != null && scope.isObject()) {
      type = scope.path("type").asText("default");
      chat = scope.path("chat_id").asText("");
      user = scope.path("user_id").asText("");
    }
    return type + ":" + chat + ":" + user + "|" + (language == null ? "" : language);
  }

  /** setWebhook: an open long poll is terminated (409), as Telegram does. */
  void setWebhook(String url, boolean dropPending) {
    lock.lock();
    try {
      webhookUrl = url;
      if (dropPending) {
        pending.clear();
      }
      changed.signalAll();
      save();
    } finally {
      lock.unlock();
    }
  }

  /** deleteWebhook; whether there was one. */
  boolean deleteWebhook(boolean dropPending) {
    lock.lock();
    try {
      boolean had = !webhookUrl.isEmpty();
      webhookUrl = "";
      if (dropPending) {
        pending.clear();
      }
      save();
      return had;
    } finally {
      lock.unlock();
    }
  }

  ObjectNode webhookInfo() {
    lock.lock();
    try {
      ObjectNode info = Json.MAPPER.createObjectNode();
      info.put("url", webhookUrl)
          .put("has_custom_certificate", false)
          .put("pending_update_count", pending.size());
      if (!webhookUrl.isEmpty()) {
        info.put("max_connections", 40);
      }
      if (!allowedUpdates.isEmpty()) {
        ArrayNode types = info.putArray("allowed_updates");
        allowedUpdates.forEach(types::add);
      }
      return info;
    } finally {
      lock.unlock();
    }
  }

  // --- the sandbox's view --------------------------------------------------------------------

  List<ChatEntry> chat(long chatId) {
    lock.lock();
    try {
      Chat chat = chats.get(chatId);
      if (chat == null) {
        return List.of();
      }
      List<ChatEntry> entries = new ArrayList<>(chat.entries.size());
      chat.entries.forEach(entry -> entries.add(entry.snapshot()));
      return Collections.unmodifiableList(entries);
    } finally {
      lock.unlock();
    }
  }

  List<Long> chatIds() {
    lock.lock();
    try {
      return List.copyOf(chats.keySet());
    } finally {
      lock.unlock();
    }
  }

  BotStats stats() {
    lock.lock();
    try {
      List<String> names = new ArrayList<>();
      ArrayNode defaults = commands.get(commandsKey(null, null));
      if (defaults != null) {
        defaults.forEach(command -> names.add(command.path("command").asText()));
      }
      return new BotStats(
          bot.id(),
          bot.username(),
          bot.firstName(),
          bot.token(),
          revoked,
          polls,
          updates,
          sent,
          pending.size(),
          waiting > 0,
          webhookUrl,
          chats.size(),
          Collections.unmodifiableMap(new TreeMap<>(calls)),
          List.copyOf(names),
          firstPollAt,
          managerBotId,
          owner == null ? null : owner.id());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Revokes the token (every call with it is then 401, an open long poll included, as when its
   * owner revokes it in BotFather) or takes the revocation back.
   */
  void revoke(boolean revoke) {
    lock.lock();
    try {
      revoked = revoke;
      changed.signalAll();
      save();
    } finally {
      lock.unlock();
    }
  }

  boolean isRevoked() {
    lock.lock();
    try {
      return revoked;
    } finally {
      lock.unlock();
    }
  }

  /** Releases open long polls (they answer what is pending), so stopping does not wait for them. */
  void stop() {
    lock.lock();
    try {
      stopped = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Hands the whole state to the saver; called with the lock held, after every change. */
  private void save() {
    if (saver == Saver.NONE) {
      return;
    }
    List<SavedBot.SavedUpdate> queued = new ArrayList<>(pending.size());
    pending.forEach(update -> queued.add(new SavedBot.SavedUpdate(update.id(), update.json())));
    List<SavedBot.SavedChat> savedChats = new ArrayList<>(chats.size());
    for (Chat chat : chats.values()) {
      List<SavedBot.SavedEntry> entries = new ArrayList<>(chat.entries.size());
      chat.entries.forEach(entry -> entries.add(entry.saved()));
      savedChats.add(
          new SavedBot.SavedChat(
              chat.id, chat.user, chat.nextMessageId, chat.nextSeq, entries, chat.keyboard));
    }
    saver.save(
        new SavedBot(
            bot,
            revoked,
            nextUpdateId,
            queued,
            savedChats,
            new TreeMap<>(commands),
            new TreeMap<>(calls),
            webhookUrl,
            allowedUpdates,
            polls,
            firstPollAt,
            updates,
            sent,
            managerBotId,
            owner));
  }

  // --- JSON as Telegram writes it ------------------------------------------------------------

  ObjectNode botUser() {
    ObjectNode user = Json.MAPPER.createObjectNode();
    user.put("id", bot.id())
        .put("is_bot", true)
        .put("first_name", bot.firstName())
        .put("username", bot.username());
    return user;
  }

  static ObjectNode user(User user) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("id", user.id()).put("is_bot", false).put("first_name", user.firstName());
    if (user.lastName() != null) {
      json.put("last_name", user.lastName());
    }
    if (user.username() != null) {
      json.put("username", user.username());
    }
    if (user.languageCode() != null) {
      json.put("language_code", user.languageCode());
    }
    return json;
  }

  private static ObjectNode chatJson(Chat chat) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("id", chat.id);
    if (chat.id < 0) {
      json.put("title", "Sandbox group " + chat.id).put("type", "group");
      return json;
    }
    User user = chat.user;
    json.put("first_name", user == null ? "User " + chat.id : user.firstName());
    if (user != null && user.lastName() != null) {
      json.put("last_name", user.lastName());
    }
    if (user != null && user.username() != null) {
      json.put("username", user.username());
    }
    json.put("type", "private");
    return json;
  }

  private ObjectNode message(Chat chat, Entry entry, boolean withReply) {
    ObjectNode message = Json.MAPPER.createObjectNode();
    message.put("message_id", entry.messageId);
    message.set(
        "from", entry.sender == Sender.BOT ? botUser() : user(Objects.requireNonNull(chat.user)));
    message.set("chat", chatJson(chat));
    message.put("date", entry.date);
    if (entry.editDate != null) {
      message.put("edit_date", entry.editDate);
    }
    if (withReply && entry.replyTo != null) {
      Entry replied = chat.find(entry.replyTo);
      if (replied != null) {
        message.set("reply_to_message", message(chat, replied, false));
      }
    }
    if (entry.managedBotCreated != null) {
      message.set("managed_bot_created", entry.managedBotCreated.deepCopy());
      return message;
    }
    message.put("text", entry.text);
    if (!entry.entities.isEmpty()) {
      message.set("entities", entry.entities.deepCopy());
    }
    // Telegram echoes only an inline keyboard in the message
    if (ReplyMarkup.isInline(entry.replyMarkup)) {
      message.set("reply_markup", entry.replyMarkup.deepCopy());
    }
    return message;
  }

  private static ArrayNode commandEntity(String text) {
    ArrayNode entities = Json.MAPPER.createArrayNode();
    Matcher command = BOT_COMMAND.matcher(text);
    if (command.find()) {
      entities.addObject().put("offset", 0).put("length", command.end()).put("type", "bot_command");
    }
    return entities;
  }

  private Chat chatOf(long chatId) {
    return chats.computeIfAbsent(chatId, id -> new Chat(id, chatHistory));
  }

  // --- values --------------------------------------------------------------------------------

  /** A queued update. */
  private record Pending(long id, ObjectNode json) {}

  /** What {@link #userMessage} made: the update, and its JSON as getUpdates delivers it. */
  record Posted(Update update, ObjectNode json) {}

  /**
   * A press of an inline button: the callback query's id, the update that carries it, the message
   * the button is on, and the button's callback_data.
   */
  record CallbackPress(String queryId, long updateId, long messageId, String data) {}

  /** A chat's bounded history; guarded by the bot's lock. */
  private static final class Chat {
    final long id;
    final int limit;
    final ArrayDeque<Entry> entries = new ArrayDeque<>();
    User user;
    JsonNode keyboard; // the reply keyboard shown, or null
    long nextMessageId = clockBase();
    long nextSeq = 1;

    Chat(long id, int limit) {
      this.id = id;
      this.limit = limit;
    }

    void add(Entry entry) {
      entries.addLast(entry);
      while (entries.size() > limit) {
        entries.removeFirst();
      }
    }

    Entry find(long messageId) {
      Iterator<Entry> it = entries.descendingIterator();
      while (it.hasNext()) {
        Entry entry = it.next();
        if (entry.kind == Kind.MESSAGE && entry.messageId == messageId) {
          return entry;
        }
      }
      return null;
    }
  }

  /** A chat entry while it can still change (edit, delete); guarded by the bot's lock. */
  private static final class Entry {
    final long seq;
    final Kind kind;
    final Sender sender;
    final long messageId;
    final long date;
    String text;
    String rawText;
    String parseMode;
    ArrayNode entities = Json.MAPPER.createArrayNode();
    JsonNode replyMarkup;
    String action;
    Long replyTo;
    Long editDate;
    List<String> reactions = List.of();
    JsonNode managedBotCreated;
    String callbackQueryId;
    String callbackData;
    String callbackAnswer;

    Entry(long seq, Kind kind, Sender sender, long messageId, long date) {
      this.seq = seq;
      this.kind = kind;
      this.sender = sender;
      this.messageId = messageId;
      this.date = date;
    }

    static Entry restore(SavedBot.SavedEntry saved) {
      Entry entry =
          new Entry(saved.seq(), saved.kind(), saved.sender(), saved.messageId(), saved.date());
      entry.text = saved.text();
      entry.rawText = saved.rawText();
      entry.parseMode = saved.parseMode();
      if (saved.entities() != null) {
        entry.entities = saved.entities();
      }
      entry.replyMarkup = saved.replyMarkup();
      entry.action = saved.action();
      entry.replyTo = saved.replyTo();
      entry.editDate = saved.editDate();
      entry.reactions = saved.reactions() == null ? List.of() : List.copyOf(saved.reactions());
      entry.managedBotCreated = saved.managedBotCreated();
      entry.callbackQueryId = saved.callbackQueryId();
      entry.callbackData = saved.callbackData();
      entry.callbackAnswer = saved.callbackAnswer();
      return entry;
    }

    SavedBot.SavedEntry saved() {
      return new SavedBot.SavedEntry(
          seq,
          kind,
          sender,
          messageId,
          date,
          text,
          rawText,
          parseMode,
          entities,
          replyMarkup,
          action,
          replyTo,
          editDate,
          false,
          reactions,
          managedBotCreated,
          callbackQueryId,
          callbackData,
          callbackAnswer);
    }

    ChatEntry snapshot() {
      return new ChatEntry(
          seq,
          kind,
          sender,
          messageId,
          date,
          text,
          rawText,
          parseMode,
          action,
          replyTo,
          editDate,
          reactions,
          replyMarkup == null ? null : replyMarkup.deepCopy(),
          managedBotCreated == null ? null : managedBotCreated.deepCopy(),
          callbackQueryId,
          callbackData,
          callbackAnswer);
    }
  }
}
