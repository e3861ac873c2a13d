package cloud.openclaw.sandbox.telegram;

import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.sandbox.StateDir;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A stand-in for the Telegram Bot API, mounted at {@value #MOUNT}: a client's API root is {@code
 * http://<sandbox>/telegram} (OpenClaw: {@code channels.telegram.apiRoot}; grammY: {@code
 * client.apiRoot}), and it calls {@code /telegram/bot<token>/<method>} as it would call
 * api.telegram.org. Many bots at once, all in memory.
 *
 * <h2>The Bot API</h2>
 *
 * <p>{@code GET} or {@code POST /telegram/bot<token>/<method>}, method names case-insensitive,
 * parameters as a JSON body, a form (urlencoded or multipart) or the query string; unknown
 * parameters are ignored. Answers {@code {"ok":true,"result":...}}; errors {@code
 * {"ok":false,"error_code":N,"description":"..."}} with HTTP status N: 401 "Unauthorized" (unknown
 * token), 404 "Not Found" (unknown method or path), 400 "Bad Request: ..." and 409 "Conflict: ...".
 * Methods: getMe, getUpdates, sendMessage, sendChatAction, setMyCommands, deleteMyCommands,
 * getMyCommands, setWebhook, deleteWebhook, getWebhookInfo, editMessageText, deleteMessage,
 * answerCallbackQuery, getManagedBotToken, replaceManagedBotToken, and (OpenClaw calls them)
 * setMessageReaction and getChat. getUpdates follows Telegram's server (tdlib/telegram-bot-api): a
 * long poll (timeout in seconds, at most 50) answers as soon as an update arrives; a newer long
 * poll on the same bot terminates the open one with 409 "Conflict: terminated by other getUpdates
 * request; ..."; while a webhook is set getUpdates is a 409, and setWebhook terminates an open
 * poll.
 *
 * <p>Buttons: sendMessage's {@code reply_markup} is checked as Telegram checks it ({@link
 * ReplyMarkup}: 400 "Bad Request: ..." for malformed markup, callback_data over 64 bytes, a URL
 * that is not http(s) or tg, a request_managed_bot button outside a private chat, a request_id used
 * twice) and kept on the chat entry; a reply keyboard stays shown in the chat until a
 * ReplyKeyboardRemove (or, one-time, until pressed). editMessageText takes only an inline keyboard
 * and, without one, removes it. A press of an inline button is a {@code callback_query} update
 * ({@code id, from, message, chat_instance, data}); answerCallbackQuery answers it once. The
 * request_managed_bot button (KeyboardButtonRequestManagedBot {@code request_id, suggested_name?,
 * suggested_username?}) makes a new bot owned by the person and managed by the bot: the bot gets a
 * {@code managed_bot} update (ManagedBotUpdated {@code user, bot}) and the person's service message
 * with {@code managed_bot_created} (ManagedBotCreated {@code bot}). getManagedBotToken {@code
 * {user_id}} (the managed bot's id) answers its token, replaceManagedBotToken a new one (the old
 * one is 401 at once, and the manager gets another managed_bot update); for a bot it does not
 * manage, 400 "Bad Request: BOT_INVALID". deleteMessage removes the message (the bot's, or in the
 * private chat the person's) from the chat.
 *
 * <h2>The chat page</h2>
 *
 * <p>{@code GET /telegram/} (also {@code /telegram/chat}): a page where a person picks a bot (or
 * makes one, and sees its token), says which Telegram user they are, and chats with the bot: reply
 * keyboards and inline keyboards are buttons (a text button sends its text, a callback button
 * presses, a request_managed_bot button creates the bot), URL buttons are links, and t.me links in
 * messages open the deep link. It uses only the sandbox API below.
 *
 * <h2>The sandbox's own API (JSON, camelCase; errors in the platform's shape)</h2>
 *
 * <ul>
 *   <li>{@code POST /telegram/_sandbox/bots} {@code {"username"?, "first_name"?, "token"?}} → 201
 *       {@link Bot}. Without a token one is made: {@code <id>:<35 random characters>}.
 *   <li>{@code GET /telegram/_sandbox/bots} → {@code {"bots": [BotStats...]}}; {@code GET
 *       /telegram/_sandbox/bots/{botId}} → one {@link BotStats}.
 *   <li>{@code POST /telegram/_sandbox/bots/{botId}/messages} {@code {"from": {"id", "first_name",
 *       "last_name"?, "username"?, "language_code"?}, "text"}} → 201 and the update exactly as
 *       getUpdates will deliver it (Telegram's snake_case): a private-chat message, chat id =
 *       from.id.
 *   <li>{@code POST /telegram/_sandbox/bots/{botId}/revoke} and {@code .../unrevoke} → {@link
 *       BotStats}: the token stops working (every Bot API call with it is 401 "Unauthorized", an
 *       open long poll too), as when its owner revokes it in BotFather; or works again.
 *   <li>{@code GET /telegram/_sandbox/bots/{botId}/chats} → {@code {"chats": [ids]}}; {@code GET
 *       /telegram/_sandbox/bots/{botId}/chats/{chatId}} → {@code {"botId", "chatId", "entries":
 *       [ChatEntry...], "keyboard": ReplyKeyboardMarkup or null}}: the person's messages, the
 *       bot's, its chat actions and the person's button presses, in order, and the reply keyboard
 *       shown.
 *   <li>{@code POST /telegram/_sandbox/bots/{botId}/keyboard} {@code {"from", "text"}} → 201 {@link
 *       Update}: the person presses a text button of the reply keyboard shown to them.
 *   <li>{@code POST /telegram/_sandbox/bots/{botId}/callbacks} {@code {"from", "callbackData" or
 *       "text", "messageId"?}} → 201 {@link CallbackQuery}: the person presses the inline button
 *       with that callback data, or that label (on that message; without it, the newest message
 *       with such a button).
 *   <li>{@code POST /telegram/_sandbox/bots/{botId}/managed-bots} {@code {"from", "requestId"?}} →
 *       201 {@link Bot} (the new bot, with its token): the person presses the request_managed_bot
 *       button (without requestId, the only one shown) and creates the bot.
 *   <li>{@code POST /telegram/_sandbox/bots/{botId}/start} {@code {"from", "payload"?}} → 201
 *       {@link Update}: the person opens {@code t.me/<bot>?start=<payload>} ("/start <payload>").
 *   <li>{@code POST /telegram/_sandbox/links} {@code {"from", "url"}} → 201 {@link Update}: the
 *       person opens a bot link ({@code https://t.me/<username>?start=<payload>}, telegram.me, or
 *       {@code tg://resolve?domain=...&start=...}); 404 when no bot has the username.
 * </ul>
 *
 * <p>A person pressing a button that is not shown, or a malformed sandbox call, is a 400 in the
 * platform's error shape. The same as Java: {@link #createBot}, {@link #addBot}, {@link #bots},
 * {@link #stats}, {@link #sendAsUser}, {@link #chat}, {@link #revoke}, {@link #pressButton}, {@link
 * #pressInlineButton}, {@link #pressInlineButtonByText}, {@link #createManagedBot}, {@link
 * #openDeepLink}, {@link #openLink}, {@link #replyKeyboard}.
 *
 * <h2>State</h2>
 *
 * <p>In memory, unless the stand-in is given a {@link StateDir} ({@code sandbox.state-dir}; dev
 * mode keeps it in .openclaw-dev/sandbox): then every bot is written to {@code
 * telegram/bot-<id>.json} after each change, before the change is answered, and read back at start,
 * so bots, tokens (replaced ones too), managed bots' managers and owners, updates not yet
 * confirmed, the update id counter, the chats, their reply keyboards and button presses outlive a
 * restart.
 *
 * <h2>Not as Telegram</h2>
 *
 * <p>Only private chats with simulated people (a negative chat_id is a group nobody is in), and
 * sendMessage takes any chat id, even one nobody wrote from. A webhook is recorded, never called.
 * parse_mode HTML is parsed into entities; Markdown and MarkdownV2 are not (the text stays as
 * sent). No files, media, inline mode or groups; other methods are 404. Every bot may manage bots
 * (getMe says can_manage_bots: true; Telegram needs it enabled in BotFather), and managed_bot
 * updates come without being named in allowed_updates. Reply keyboard buttons other than text and
 * request_managed_bot (contact, location, ...) are shown but cannot be pressed. Repeated 409
 * conflicts are answered at once (Telegram holds them up to 3 s). Update and message ids start from
 * a clock-derived value (ten a second since 2024), so they keep growing across sandbox restarts, as
 * OpenClaw with a kept state dir needs (and a kept state keeps them anyway).
 */
public final class TelegramStandIn implements HttpService {
  /** Where the sandbox mounts it. */
  public static final String MOUNT = "/telegram";

  /** The first id given to a bot made without a token; ids taken by preset bots are skipped. */
  static final long FIRST_BOT_ID = 7_000_000_001L;

  /** The state directory's file of bot {@code <id>}: {@code bot-<id>.json}. */
  private static final String BOT_FILE = "bot-";

  private static final Logger LOG = Logger.getLogger(TelegramStandIn.class.getName());
  private static final String SECRET_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  private static final int SECRET_LENGTH = 35;
  private static final String DEFAULT_FIRST_NAME = "Sandbox Bot";
  private static final Pattern START_PAYLOAD = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final byte[] CHAT_PAGE = chatPage();

  private final int chatHistory;
  private final int pendingUpdates;
  private final StateDir saved;
  private final SecureRandom random = new SecureRandom();
  private final ReentrantLock creating = new ReentrantLock();
  private final Map<Long, BotState> byId = new ConcurrentHashMap<>();
  private final Map<String, BotState> byToken = new ConcurrentHashMap<>();
  private final Map<String, BotState> byUsername = new ConcurrentHashMap<>();
  private long nextBotId = FIRST_BOT_ID; // guarded by creating
  private volatile boolean stopped;

  /** A stand-in whose state is in memory only. */
  public TelegramStandIn(TelegramSettings settings) {
    this(settings, null);
  }

  /**
   * A stand-in that keeps its bots in {@code state} (null: in memory only) and starts with those an
   * earlier run left there.
   */
  public TelegramStandIn(TelegramSettings settings, StateDir state) {
    this.chatHistory = settings.chatHistory();
    this.pendingUpdates = settings.pendingUpdates();
    this.saved = state;
    if (state != null) {
      for (Path file : state.files(BOT_FILE)) {
        state.readJson(file.getFileName().toString(), SavedBot.class).ifPresent(this::restore);
      }
    }
    for (TelegramSettings.PresetBot preset : settings.bots()) {
      if (!byId.containsKey(preset.id())) {
        addBot(preset.token(), preset.username(), null);
      }
    }
  }

  private void restore(SavedBot saved) {
    BotState bot = new BotState(saved, chatHistory, pendingUpdates, saver(saved.bot().id()));
    byId.put(bot.bot().id(), bot);
    byToken.put(bot.bot().token(), bot);
    byUsername.put(bot.bot().username().toLowerCase(Locale.ROOT), bot);
  }

  private BotState.Saver saver(long botId) {
    if (saved == null) {
      return BotState.Saver.NONE;
    }
    String name = BOT_FILE + botId + ".json";
    return bot -> saved.writeJson(name, bot);
  }

  // --- the Java API --------------------------------------------------------------------------

  /** A new bot with a fresh token; {@code username} null for {@code sandbox_<id>_bot}. */
  public Bot createBot(String username) {
    return createBot(username, null);
  }

  /** A new bot with a fresh token; null username or first name for the defaults. */
  public Bot createBot(String username, String firstName) {
    creating.lock();
    try {
      while (byId.containsKey(nextBotId)) {
        nextBotId++;
      }
      long id = nextBotId++;
      return register(id + ":" + secret(), username, firstName, null, null);
    } finally {
      creating.unlock();
    }
  }

  /** A bot with a given token ({@code <id>:<secret>}), as a developer would paste one. */
  public Bot addBot(String token, String username, String firstName) {
    if (token == null || !TelegramSettings.TOKEN.matcher(token).matches()) {
      throw new InvalidInputException("token", "not a bot token (<id>:<secret>)");
    }
    creating.lock();
    try {
      return register(token, username, firstName, null, null);
    } finally {
      creating.unlock();
    }
  }

  private Bot register(
      String token, String username, String firstName, Long managerBotId, User owner) {
    long id = Long.parseLong(token.substring(0, token.indexOf(':')));
    String name = username == null || username.isBlank() ? "sandbox_" + id + "_bot" : username;
    if (!TelegramSettings.USERNAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "username", "a username is 5-32 of a-z, A-Z, 0-9 and _, starting with a letter");
    }
    if (byId.containsKey(id)) {
      throw new ConflictException("bot_exists", "a bot with the id " + id + " exists");
    }
    if (byUsername.containsKey(name.toLowerCase(Locale.ROOT))) {
      throw new ConflictException("username_taken", "the username " + name + " is taken");
    }
    String first =
        firstName == null || firstName.isBlank() ? DEFAULT_FIRST_NAME : firstName.strip();
    Bot bot = new Bot(id, token, name, first);
    BotState made = new BotState(bot, managerBotId, owner, chatHistory, pendingUpdates, saver(id));
    if (stopped) {
      made.stop();
    }
    byId.put(id, made);
    byToken.put(token, made);
    byUsername.put(name.toLowerCase(Locale.ROOT), made);
    return bot;
  }

  public Optional<Bot> bot(long botId) {
    return Optional.ofNullable(byId.get(botId)).map(BotState::bot);
  }

  public Optional<Bot> botByToken(String token) {
    return Optional.ofNullable(byToken.get(token)).map(BotState::bot);
  }

  /** Every bot with its counters, by id. */
  public List<BotStats> bots() {
    return byId.values().stream()
        .map(BotState::stats)
        .sorted(Comparator.comparingLong(BotStats::id))
        .toList();
  }

  public BotStats stats(long botId) {
    return state(botId).stats();
  }

  /**
   * Revokes the bot's token ({@code revoke}: every Bot API call with it is 401, as after
   * BotFather's /revoke) or makes it work again.
   */
  public BotStats revoke(long botId, boolean revoke) {
    BotState bot = state(botId);
    bot.revoke(revoke);
    return bot.stats();
  }

  /**
   * A person writes to the bot: a message in their private chat (chat id = their id), queued as an
   * update for getUpdates (which it wakes).
   */
  public Update sendAsUser(long botId, User from, String text) {
    return posted(botId, from, text).update();
  }

  private BotState.Posted posted(long botId, User from, String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidInputException("text", "text is empty");
    }
    if (text.length() > BotState.MAX_TEXT) {
      throw new InvalidInputException("text", "text is longer than 4096 characters");
    }
    return state(botId).userMessage(from, text);
  }

  /**
   * The person presses the text button {@code text} of the reply keyboard the bot shows them: their
   * message with that text (a one-time keyboard hides).
   *
   * @throws InvalidInputException when no such button is shown, or it is not a text button
   */
  public Update pressButton(long botId, User from, String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidInputException("text", "text is empty");
    }
    return state(botId).pressButton(from, text).update();
  }

  /**
   * The person presses the inline button with {@code callbackData} on the bot's message {@code
   * messageId} (null: its newest message with such a button): a callback_query update.
   *
   * @throws InvalidInputException when no message of the bot has such a button
   */
  public CallbackQuery pressInlineButton(
      long botId, User from, Long messageId, String callbackData) {
    if (callbackData == null || callbackData.isEmpty()) {
      throw new InvalidInputException("callbackData", "callbackData is empty");
    }
    BotState.CallbackPress press = state(botId).callbackQuery(from, messageId, callbackData);
    return new CallbackQuery(press.queryId(), press.updateId(), press.messageId(), press.data());
  }

  /**
   * The person presses the inline button labelled {@code text} (a callback button) on the bot's
   * message {@code messageId} (null: its newest message with such a button).
   *
   * @throws InvalidInputException when no message of the bot has such a button
   */
  public CallbackQuery pressInlineButtonByText(long botId, User from, Long messageId, String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidInputException("text", "text is empty");
    }
    BotState.CallbackPress press = state(botId).callbackQueryByText(from, messageId, text);
    return new CallbackQuery(press.queryId(), press.updateId(), press.messageId(), press.data());
  }

  /**
   * The person presses the bot's request_managed_bot button ({@code requestId}; null: the only one
   * on the keyboard shown to them) and creates the bot: a new bot owned by them and managed by
   * {@code managerBotId}, named as the button suggests (its suggested_username if free, else a
   * variant of it). The manager gets the managed_bot update and the managed_bot_created message.
   *
   * @throws InvalidInputException when the keyboard shown has no such button
   */
  public Bot createManagedBot(long managerBotId, User owner, Integer requestId) {
    BotState manager = state(managerBotId);
    JsonNode request = manager.managedBotRequest(owner, requestId);
    String suggestedName = request.path("suggested_name").asText(null);
    Bot made;
    creating.lock();
    try {
      while (byId.containsKey(nextBotId)) {
        nextBotId++;
      }
      long id = nextBotId++;
      String username = freeUsername(request.path("suggested_username").asText(null));
      String firstName =
          suggestedName == null || suggestedName.isBlank() || suggestedName.length() > 64
              ? null
              : suggestedName;
      made = register(id + ":" + secret(), username, firstName, managerBotId, owner);
    } finally {
      creating.unlock();
    }
    manager.managedBotCreated(owner, byId.get(made.id()).botUser());
    return made;
  }

  /**
   * The suggested username when it is valid and free, else a free variant ({@code <stem>_2_bot},
   * ...); null (the default name) without a suggestion. Called while creating is locked.
   */
  private String freeUsername(String suggested) {
    if (suggested == null || suggested.isBlank()) {
      return null;
    }
    String wanted = suggested.strip().replaceFirst("^@", "");
    if (TelegramSettings.USERNAME.matcher(wanted).matches()
        && !byUsername.containsKey(wanted.toLowerCase(Locale.ROOT))) {
      return wanted;
    }
    String stem = wanted.replaceAll("[^A-Za-z0-9_]", "").replaceFirst("(?i)_?bot$", "");
    if (stem.isEmpty() || !Character.isLetter(stem.charAt(0))) {
      stem = "b" + stem;
    }
    for (int n = 2; ; n++) {
      String tail = "_" + n + "_bot";
      String candidate = stem.substring(0, Math.min(stem.length(), 32 - tail.length())) + tail;
      if (TelegramSettings.USERNAME.matcher(candidate).matches()
          && !byUsername.containsKey(candidate.toLowerCase(Locale.ROOT))) {
        return candidate;
      }
    }
  }

  /**
   * The person opens {@code t.me/<bot>?start=<payload>}: their message "/start <payload>" to the
   * bot ("/start" without a payload).
   *
   * @throws InvalidInputException when the payload is not 1-64 of A-Z, a-z, 0-9, _ and -
   */
  public Update openDeepLink(long botId, User from, String payload) {
    if (payload != null && !payload.isEmpty() && !START_PAYLOAD.matcher(payload).matches()) {
      throw new InvalidInputException(
          "payload", "a start payload is 1-64 of A-Z, a-z, 0-9, _ and -");
    }
    return sendAsUser(
        botId, from, payload == null || payload.isEmpty() ? "/start" : "/start " + payload);
  }

  /**
   * The person opens a bot link ({@code https://t.me/<username>?start=<payload>}, {@code
   * telegram.me}, or {@code tg://resolve?domain=<username>&start=<payload>}): as {@link
   * #openDeepLink} on the bot with that username.
   *
   * @throws InvalidInputException when the link is not a bot link
   * @throws NotFoundException when no bot has the username
   */
  public Update openLink(User from, String url) {
    BotLink link = BotLink.parse(url);
    BotState bot = byUsername.get(link.username().toLowerCase(Locale.ROOT));
    if (bot == null) {
      throw new NotFoundException("bot @" + link.username());
    }
    return openDeepLink(bot.bot().id(), from, link.startPayload());
  }

  /** The reply keyboard (ReplyKeyboardMarkup) the bot shows in the chat, if any. */
  public Optional<JsonNode> replyKeyboard(long botId, long chatId) {
    return Optional.ofNullable(state(botId).keyboard(chatId));
  }

  /** Everything in a chat, oldest first (the last {@code chat-history} entries); may be empty. */
  public List<ChatEntry> chat(long botId, long chatId) {
    return state(botId).chat(chatId);
  }

  /** The bot's messages in a chat, oldest first. */
  public List<ChatEntry> botMessages(long botId, long chatId) {
    return chat(botId, chatId).stream().filter(ChatEntry::isBotMessage).toList();
  }

  public List<Long> chats(long botId) {
    return state(botId).chatIds();
  }

  private BotState state(long botId) {
    BotState state = byId.get(botId);
    if (state == null) {
      throw new NotFoundException("bot " + botId);
    }
    return state;
  }

  // --- HTTP ----------------------------------------------------------------------------------

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/", this::chatPage)
        .get("/chat", this::chatPage)
        .post("/_sandbox/bots", this::createBotHttp)
        .get("/_sandbox/bots", (req, res) -> Json.send(res, Status.OK_200, Map.of("bots", bots())))
        .get("/_sandbox/bots/{botId}", (req, res) -> Json.send(res, Status.OK_200, stats(id(req))))
        .post("/_sandbox/bots/{botId}/messages", this::sendAsUserHttp)
        .post(
            "/_sandbox/bots/{botId}/revoke",
            (req, res) -> Json.send(res, Status.OK_200, revoke(id(req), true)))
        .post(
            "/_sandbox/bots/{botId}/unrevoke",
            (req, res) -> Json.send(res, Status.OK_200, revoke(id(req), false)))
        .get(
            "/_sandbox/bots/{botId}/chats",
            (req, res) -> Json.send(res, Status.OK_200, Map.of("chats", chats(id(req)))))
        .get("/_sandbox/bots/{botId}/chats/{chatId}", this::chatHttp)
        .post("/_sandbox/bots/{botId}/keyboard", this::pressButtonHttp)
        .post("/_sandbox/bots/{botId}/callbacks", this::pressInlineButtonHttp)
        .post("/_sandbox/bots/{botId}/managed-bots", this::createManagedBotHttp)
        .post("/_sandbox/bots/{botId}/start", this::openDeepLinkHttp)
        .post("/_sandbox/links", this::openLinkHttp)
        .any("/{bot}/{method}", this::botApi)
        .any((req, res) -> sendError(res, BotApiException.notFound()));
  }

  /** Releases open long polls, so that stopping the sandbox does not wait for them. */
  @Override
  public void afterStop() {
    stopped = true;
    byId.values().forEach(BotState::stop);
  }

  private void chatPage(ServerRequest request, ServerResponse response) {
    response.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    response.send(CHAT_PAGE);
  }

  private static byte[] chatPage() {
    try (var in = TelegramStandIn.class.getResourceAsStream("/sandbox/telegram-chat.html")) {
      if (in == null) {
        throw new IllegalStateException("sandbox/telegram-chat.html is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void createBotHttp(ServerRequest request, ServerResponse response) {
    JsonNode body = body(request);
    String username = field(body, "username");
    String firstName = field(body, "first_name");
    if (firstName == null) {
      firstName = field(body, "firstName");
    }
    String token = field(body, "token");
    Bot bot = token == null ? createBot(username, firstName) : addBot(token, username, firstName);
    Json.send(response, Status.CREATED_201, bot);
  }

  private void sendAsUserHttp(ServerRequest request, ServerResponse response) {
    long botId = id(request);
    JsonNode body = body(request);
    User user = from(body);
    JsonNode text = body.path("text");
    if (!text.isTextual()) {
      throw new InvalidInputException("text", "text must be a string");
    }
    Json.send(response, Status.CREATED_201, posted(botId, user, text.asText()).json());
  }

  private void pressButtonHttp(ServerRequest request, ServerResponse response) {
    long botId = id(request);
    JsonNode body = body(request);
    User user = from(body);
    JsonNode text = body.path("text");
    if (!text.isTextual()) {
      throw new InvalidInputException("text", "text must be a string");
    }
    Json.send(response, Status.CREATED_201, pressButton(botId, user, text.asText()));
  }

  private void pressInlineButtonHttp(ServerRequest request, ServerResponse response) {
    long botId = id(request);
    JsonNode body = body(request);
    User user = from(body);
    JsonNode data = body.path("callbackData");
    JsonNode text = body.path("text");
    if (!data.isTextual() && !text.isTextual()) {
      throw new InvalidInputException(
          "callbackData", "callbackData (or the button's text) must be a string");
    }
    JsonNode messageId = body.path("messageId");
    if (!messageId.isMissingNode() && !messageId.isNull() && !messageId.canConvertToLong()) {
      throw new InvalidInputException("messageId", "messageId must be a whole number");
    }
    Long message = messageId.canConvertToLong() ? messageId.asLong() : null;
    CallbackQuery query =
        data.isTextual()
            ? pressInlineButton(botId, user, message, data.asText())
            : pressInlineButtonByText(botId, user, message, text.asText());
    Json.send(response, Status.CREATED_201, query);
  }

  private void createManagedBotHttp(ServerRequest request, ServerResponse response) {
    long botId = id(request);
    JsonNode body = body(request);
    User user = from(body);
    JsonNode requestId = body.path("requestId");
    if (!requestId.isMissingNode() && !requestId.isNull() && !requestId.canConvertToInt()) {
      throw new InvalidInputException("requestId", "requestId must be a whole number");
    }
    Integer id = requestId.canConvertToInt() ? requestId.asInt() : null;
    Json.send(response, Status.CREATED_201, createManagedBot(botId, user, id));
  }

  private void openDeepLinkHttp(ServerRequest request, ServerResponse response) {
    long botId = id(request);
    JsonNode body = body(request);
    User user = from(body);
    JsonNode payload = body.path("payload");
    if (!payload.isMissingNode() && !payload.isNull() && !payload.isTextual()) {
      throw new InvalidInputException("payload", "payload must be a string");
    }
    Json.send(
        response,
        Status.CREATED_201,
        openDeepLink(botId, user, payload.isTextual() ? payload.asText() : null));
  }

  private void openLinkHttp(ServerRequest request, ServerResponse response) {
    JsonNode body = body(request);
    User user = from(body);
    JsonNode url = body.path("url");
    if (!url.isTextual()) {
      throw new InvalidInputException("url", "url must be a string");
    }
    Json.send(response, Status.CREATED_201, openLink(user, url.asText()));
  }

  /** The person a sandbox call acts as: {@code from} {id, first_name/firstName?, ...}. */
  private static User from(JsonNode body) {
    JsonNode from = body.path("from");
    if (!from.isObject()) {
      throw new InvalidInputException("from", "from must be an object with at least an id");
    }
    JsonNode id = from.path("id");
    if (!id.canConvertToLong() || id.asLong() <= 0) {
      throw new InvalidInputException("from.id", "from.id must be a positive whole number");
    }
    String firstName = field(from, "first_name");
    if (firstName == null) {
      firstName = field(from, "firstName");
    }
    User user =
        new User(
            id.asLong(),
            firstName == null ? "User " + id.asLong() : firstName,
            either(field(from, "last_name"), field(from, "lastName")),
            field(from, "username"),
            either(field(from, "language_code"), field(from, "languageCode")));
    return user;
  }

  private void chatHttp(ServerRequest request, ServerResponse response) {
    long botId = id(request);
    long chatId = number(request, "chatId");
    ObjectNode answer = Json.MAPPER.createObjectNode();
    answer.put("botId", botId).put("chatId", chatId);
    answer.set("entries", Json.MAPPER.valueToTree(chat(botId, chatId)));
    answer.set("keyboard", replyKeyboard(botId, chatId).orElse(null));
    Json.send(response, Status.OK_200, answer);
  }

  private static String either(String a, String b) {
    return a != null ? a : b;
  }

  private static long id(ServerRequest request) {
    return number(request, "botId");
  }

  private static long number(ServerRequest request, String name) {
    String raw = request.path().pathParameters().get(name);
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(name, name + " must be a whole number: '" + raw + "'");
    }
  }

  private static JsonNode body(ServerRequest request) {
    if (!request.content().hasEntity()) {
      return Json.MAPPER.createObjectNode();
    }
    byte[] bytes = request.content().as(byte[].class);
    if (bytes.length == 0) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      JsonNode body = Json.MAPPER.readTree(bytes);
      if (body == null || !body.isObject()) {
        throw new InvalidInputException(null, "the request body must be a JSON object");
      }
      return body;
    } catch (IOException e) {
      throw new InvalidInputException(null, "the request body is not valid JSON");
    }
  }

  private static String field(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isValueNode() && !value.isNull() && !value.asText().isBlank()
        ? value.asText().strip()
        : null;
  }

  // --- the Bot API ---------------------------------------------------------------------------

  private void botApi(ServerRequest request, ServerResponse response) {
    Answer answer;
    try {
      String path = request.path().pathParameters().get("bot");
      String method = request.path().pathParameters().get("method");
      if (!path.startsWith("bot")) {
        throw BotApiException.notFound();
      }
      String token = path.substring(3);
      BotState bot = byToken.get(token);
      if (bot == null || bot.isRevoked()) {
        throw BotApiException.unauthorized();
      }
      answer = call(bot, token, method, Params.read(request));
    } catch (BotApiException e) {
      sendError(response, e);
      return;
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "telegram stand-in: unexpected failure on " + request.prologue(), e);
      sendError(response, new BotApiException(500, "Internal Server Error"));
      return;
    }
    if (stopped && Thread.currentThread().isInterrupted()) {
      // the sandbox stops and has interrupted this request: its connection is closing anyway
      throw new CloseConnectionException("sandbox stopping");
    }
    // a failure to write (the client went away) is Helidon's to handle
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("ok", true);
    body.set("result", answer.result());
    if (answer.description() != null) {
      body.put("description", answer.description());
    }
    send(response, Status.OK_200, body);
  }

  private Answer call(BotState bot, String token, String method, Params params) {
    String name = method.toLowerCase(Locale.ROOT);
    String canonical = CANONICAL.get(name);
    bot.called(canonical == null ? method : canonical, canonical != null);
    return switch (name) {
      case "getme" -> new Answer(bot.me());
      case "getupdates" -> getUpdates(bot, token, params);
      case "sendmessage" -> sendMessage(bot, params);
      case "sendchataction" -> {
        bot.chatAction(chatId(params), params.string("action"));
        yield Answer.TRUE;
      }
      case "setmycommands" -> {
        bot.setCommands(
            params.json("commands"), params.json("scope"), params.string("language_code"));
        yield Answer.TRUE;
      }
      case "deletemycommands" -> {
        bot.deleteCommands(params.json("scope"), params.string("language_code"));
        yield Answer.TRUE;
      }
      case "getmycommands" ->
          new Answer(bot.getCommands(params.json("scope"), params.string("language_code")));
      case "setwebhook" -> setWebhook(bot, params);
      case "deletewebhook" -> {
        boolean had = bot.deleteWebhook(params.bool("drop_pending_updates"));
        yield new Answer(
            BooleanNode.TRUE, had ? "Webhook was deleted" : "Webhook is already deleted");
      }
      case "getwebhookinfo" -> new Answer(bot.webhookInfo());
      case "editmessagetext" -> editMessageText(bot, params);
      case "deletemessage" -> {
        bot.deleteMessage(chatId(params), messageId(params));
        yield Answer.TRUE;
      }
      case "answercallbackquery" -> {
        String id = params.string("callback_query_id");
        if (id == null) {
          throw BotApiException.badRequest("query_id is empty");
        }
        bot.answerCallbackQuery(id, params.string("text"));
        yield Answer.TRUE;
      }
      case "getmanagedbottoken" -> new Answer(TextNode.valueOf(managed(bot, params).bot().token()));
      case "replacemanagedbottoken" ->
          new Answer(TextNode.valueOf(replaceToken(managed(bot, params))));
      case "setmessagereaction" -> {
        bot.react(chatId(params), messageId(params), params.json("reaction"));
        yield Answer.TRUE;
      }
      case "getchat" -> new Answer(bot.chatInfo(chatId(params)));
      default -> throw BotApiException.notFound();
    };
  }

  private static final Map<String, String> CANONICAL =
      Map.ofEntries(
          Map.entry("getme", "getMe"),
          Map.entry("getupdates", "getUpdates"),
          Map.entry("sendmessage", "sendMessage"),
          Map.entry("sendchataction", "sendChatAction"),
          Map.entry("setmycommands", "setMyCommands"),
          Map.entry("deletemycommands", "deleteMyCommands"),
          Map.entry("getmycommands", "getMyCommands"),
          Map.entry("setwebhook", "setWebhook"),
          Map.entry("deletewebhook", "deleteWebhook"),
          Map.entry("getwebhookinfo", "getWebhookInfo"),
          Map.entry("editmessagetext", "editMessageText"),
          Map.entry("deletemessage", "deleteMessage"),
          Map.entry("answercallbackquery", "answerCallbackQuery"),
          Map.entry("getmanagedbottoken", "getManagedBotToken"),
          Map.entry("replacemanagedbottoken", "replaceManagedBotToken"),
          Map.entry("setmessagereaction", "setMessageReaction"),
          Map.entry("getchat", "getChat"));

  /** The bot {@code manager} manages whose id is the user_id parameter; else 400. */
  private BotState managed(BotState manager, Params params) {
    Long userId = params.optionalInteger("user_id");
    if (userId == null) {
      throw BotApiException.badRequest("invalid user_id specified");
    }
    BotState managed = byId.get(userId);
    if (managed == null || !Long.valueOf(manager.bot().id()).equals(managed.managerBotId())) {
      throw BotApiException.badRequest("BOT_INVALID");
    }
    return managed;
  }

  /** A new token for a managed bot; the old one is 401 from now on. The manager is told. */
  private String replaceToken(BotState managed) {
    long id = managed.bot().id();
    String token;
    creating.lock();
    try {
      token = id + ":" + secret();
      byToken.remove(managed.bot().token());
      managed.replaceToken(token);
      byToken.put(token, managed);
    } finally {
      creating.unlock();
    }
    BotState manager = byId.get(managed.managerBotId());
    if (manager != null && managed.owner() != null) {
      manager.managedBotTokenReplaced(managed.owner(), managed.botUser());
    }
    return token;
  }

  private static Answer getUpdates(BotState bot, String token, Params params) {
    long offset = clamp(params.integer("offset", 0), Integer.MIN_VALUE, Integer.MAX_VALUE);
    int limit = (int) clamp(params.integer("limit", 100), 1, 100);
    int timeout = (int) clamp(params.integer("timeout", 0), 0, BotState.MAX_TIMEOUT_SECONDS);
    return new Answer(
        bot.getUpdates(token, offset, limit, timeout, params.json("allowed_updates")));
  }

  private static Answer sendMessage(BotState bot, Params params) {
    long chatId = chatId(params);
    String raw = params.string("text");
    String parseMode = params.string("parse_mode");
    TelegramHtml.Parsed text = text(raw, parseMode);
    Long replyTo = params.optionalInteger("reply_to_message_id");
    JsonNode replyParameters = params.json("reply_parameters");
    if (replyParameters != null && replyParameters.path("message_id").canConvertToLong()) {
      replyTo = replyParameters.path("message_id").asLong();
    }
    JsonNode markup = ReplyMarkup.check(params.json("reply_markup"), chatId > 0);
    return new Answer(bot.sendMessage(chatId, text, raw, parseMode, replyTo, markup));
  }

  private static Answer editMessageText(BotState bot, Params params) {
    if (params.has("inline_message_id") && !params.has("chat_id")) {
      throw BotApiException.badRequest("message to edit not found");
    }
    long chatId = chatId(params);
    long messageId = messageId(params);
    String raw = params.string("text");
    String parseMode = params.string("parse_mode");
    return new Answer(
        bot.editMessageText(
            chatId,
            messageId,
            text(raw, parseMode),
            raw,
            parseMode,
            ReplyMarkup.checkInlineOnly(params.json("reply_markup"))));
  }

  private static Answer setWebhook(BotState bot, Params params) {
    String url = params.string("url");
    boolean drop = params.bool("drop_pending_updates");
    if (url == null || url.isBlank()) {
      boolean had = bot.deleteWebhook(drop);
      return new Answer(
          BooleanNode.TRUE, had ? "Webhook was deleted" : "Webhook is already deleted");
    }
    try {
      URI uri = new URI(url.strip());
      if (!"https".equalsIgnoreCase(uri.getScheme())) {
        throw BotApiException.badRequest("bad webhook: An HTTPS URL must be provided for webhook");
      }
      if (uri.getHost() == null) {
        throw BotApiException.badRequest("bad webhook: Failed to resolve host");
      }
    } catch (java.net.URISyntaxException e) {
      throw BotApiException.badRequest("bad webhook: invalid webhook URL specified");
    }
    bot.setWebhook(url.strip(), drop);
    return new Answer(BooleanNode.TRUE, "Webhook was set");
  }

  private static TelegramHtml.Parsed text(String raw, String parseMode) {
    if (raw == null || raw.isEmpty()) {
      throw BotApiException.badRequest("message text is empty");
    }
    TelegramHtml.Parsed text =
        parseMode != null && parseMode.equalsIgnoreCase("HTML")
            ? TelegramHtml.parse(raw)
            : new TelegramHtml.Parsed(raw, Json.MAPPER.createArrayNode());
    if (text.text().isBlank()) {
      throw BotApiException.badRequest("message text is empty");
    }
    if (text.text().length() > BotState.MAX_TEXT) {
      throw BotApiException.badRequest("message is too long");
    }
    return text;
  }

  private static long chatId(Params params) {
    if (!params.has("chat_id")) {
      throw BotApiException.badRequest("chat_id is empty");
    }
    Long chatId = params.optionalInteger("chat_id");
    if (chatId == null || chatId == 0) {
      throw BotApiException.badRequest("chat not found");
    }
    return chatId;
  }

  private static long messageId(Params params) {
    Long messageId = params.optionalInteger("message_id");
    if (messageId == null) {
      throw BotApiException.badRequest("message identifier is not specified");
    }
    return messageId;
  }

  private static long clamp(long value, long min, long max) {
    return Math.max(min, Math.min(max, value));
  }

  private static void sendError(ServerResponse response, BotApiException error) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("ok", false).put("error_code", error.code).put("description", error.getMessage());
    send(response, Status.create(error.code), body);
  }

  private static void send(ServerResponse response, Status status, JsonNode body) {
    response.status(status);
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    try {
      response.send(Json.MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private String secret() {
    StringBuilder secret = new StringBuilder(SECRET_LENGTH);
    for (int i = 0; i < SECRET_LENGTH; i++) {
      secret.append(SECRET_ALPHABET.charAt(random.nextInt(SECRET_ALPHABET.length())));
    }
    return secret.toString();
  }

  /** A Bot API method's result, and the description Telegram adds to some (setWebhook). */
  private record Answer(JsonNode result, String description) {
    static final Answer TRUE = new Answer(BooleanNode.TRUE, null);

    Answer(JsonNode result) {
      this(result, null);
    }
  }
}
