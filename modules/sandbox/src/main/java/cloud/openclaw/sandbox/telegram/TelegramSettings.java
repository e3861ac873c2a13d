package cloud.openclaw.sandbox.telegram;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import io.helidon.config.Config;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the Telegram stand-in behaves, from {@code sandbox.telegram.*}.
 *
 * @param bots bots that exist from the start, so a developer can paste a token into a config
 * @param chatHistory the entries kept per chat (older ones are forgotten)
 * @param pendingUpdates the updates kept per bot until getUpdates confirms them (older ones are
 *     dropped)
 */
public record TelegramSettings(List<PresetBot> bots, int chatHistory, int pendingUpdates) {
  static final String BOTS = "sandbox.telegram.bots";
  static final String CHAT_HISTORY = "sandbox.telegram.chat-history";
  static final String PENDING_UPDATES = "sandbox.telegram.pending-updates";

  /** {@code <digits>:<secret>}, as Telegram's tokens are; the digits are the bot's user id. */
  static final Pattern TOKEN = Pattern.compile("([1-9][0-9]{0,15}):[A-Za-z0-9_-]{1,128}");

  /** Telegram's rule for usernames: 5 to 32 of a-z, 0-9 and _, starting with a letter. */
  static final Pattern USERNAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{4,31}");

  /**
   * A bot from configuration.
   *
   * @param token its token, {@code <id>:<secret>}
   * @param username its username, or null for the generated {@code sandbox_<id>_bot}
   */
  public record PresetBot(String token, String username) {
    public PresetBot {
      Objects.requireNonNull(token, "token");
      if (!TOKEN.matcher(token).matches()) {
        throw new IllegalArgumentException("not a bot token (<id>:<secret>): '" + token + "'");
      }
      if (username != null && !USERNAME.matcher(username).matches()) {
        throw new IllegalArgumentException(
            "not a Telegram username (5-32 of a-z, 0-9, _): '" + username + "'");
      }
    }

    /** {@code <token>} or {@code <token>=<username>}. */
    public static PresetBot parse(String entry) {
      String raw = entry.strip();
      int equals = raw.indexOf('=');
      return equals < 0
          ? new PresetBot(raw, null)
          : new PresetBot(raw.substring(0, equals).strip(), raw.substring(equals + 1).strip());
    }

    long id() {
      return Long.parseLong(token.substring(0, token.indexOf(':')));
    }
  }

  public TelegramSettings {
    bots = List.copyOf(bots);
    if (chatHistory < 1) {
      throw new IllegalArgumentException("chatHistory must be at least 1: " + chatHistory);
    }
    if (pendingUpdates < 1) {
      throw new IllegalArgumentException("pendingUpdates must be at least 1: " + pendingUpdates);
    }
    Set<Long> ids = new HashSet<>();
    Set<String> usernames = new HashSet<>();
    for (PresetBot bot : bots) {
      if (!ids.add(bot.id())) {
        throw new IllegalArgumentException("two bots with the id " + bot.id());
      }
      if (bot.username() != null && !usernames.add(bot.username().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("two bots with the username " + bot.username());
      }
    }
  }

  /** The defaults of sandbox/application.yaml, for tests that build a stand-in by hand. */
  public static TelegramSettings defaults() {
    return new TelegramSettings(List.of(), 1000, 10_000);
  }

  public static TelegramSettings from(Settings settings) {
    List<PresetBot> bots = new ArrayList<>();
    for (String entry : bots(settings)) {
      try {
        bots.add(PresetBot.parse(entry));
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException(BOTS, e.getMessage());
      }
    }
    int chatHistory = settings.integer(CHAT_HISTORY, 1, 1_000_000);
    int pendingUpdates = settings.integer(PENDING_UPDATES, 1, 1_000_000);
    try {
      return new TelegramSettings(bots, chatHistory, pendingUpdates);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(BOTS, e.getMessage());
    }
  }

  /**
   * The YAML list, element by element overridable ({@code sandbox.telegram.bots.0}), or a whole
   * comma-separated override of {@code sandbox.telegram.bots} (which may be empty).
   */
  private static List<String> bots(Settings settings) {
    Config node = settings.node(BOTS);
    List<String> raw =
        node.hasValue() ? List.of(node.asString().get().split(",")) : settings.list(BOTS);
    return raw.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
