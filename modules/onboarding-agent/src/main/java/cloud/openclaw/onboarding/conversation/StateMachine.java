package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.telegram.TelegramBots;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The conversation's facts and their rules: every change of a {@link ConversationState} goes
 * through here, whoever asks (the deterministic extraction, a button, the model's tools), and each
 * refusal is an {@link InvalidInputException} naming the slot with a message fit for the person.
 * Which question comes next is decided here too, never by the model.
 */
public final class StateMachine {
  static final int MIN_USE_CASE = 10;
  static final int MAX_USE_CASE = 2000;

  /** Telegram users a box may allow, the owner included (the api's SettingsRules). */
  static final int MAX_ALLOWED_USERS = 50;

  // The api's AuthService.email rule: one @, no spaces, a dot in the domain; at most 254 chars.
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
  private static final int MAX_EMAIL = 254;

  private final Plans plans;
  private final TelegramBots telegram;
  private final SecretBox secrets;
  private final Map<String, String> prices;

  public StateMachine(
      Plans plans, TelegramBots telegram, SecretBox secrets, Map<String, String> prices) {
    this.plans = plans;
    this.telegram = telegram;
    this.secrets = secrets;
    this.prices = prices;
  }

  /** The slot the conversation asks for now: a reopened one, else the first unanswered. */
  public Slot asking(ConversationState state) {
    if (state.reopened != null) {
      return state.reopened;
    }
    for (Slot slot : Slot.values()) {
      if (slot != Slot.CONFIRM && !answered(state, slot)) {
        return slot;
      }
    }
    return Slot.CONFIRM;
  }

  public boolean answered(ConversationState state, Slot slot) {
    return switch (slot) {
      case USE_CASE -> state.useCase != null;
      case BOT -> state.botId != null;
      case OWNER -> state.ownerTelegramUserId != null;
      case ALLOWED_USERS -> state.allowedTelegramUserIds != null;
      case PLAN -> state.plan != null;
      case EMAIL -> state.email != null;
      case CONFIRM -> false;
    };
  }

  /** True when every slot is answered (the summary can be confirmed). */
  public boolean complete(ConversationState state) {
    return state.reopened == null && asking(state) == Slot.CONFIRM;
  }

  public String useCase(ConversationState state, String text) {
    String value = text == null ? "" : text.strip();
    if (value.length() < MIN_USE_CASE) {
      throw new InvalidInputException(
          "use_case", "Tell me a bit more about what your agent should do (a sentence or two).");
    }
    if (value.length() > MAX_USE_CASE) {
      throw new InvalidInputException(
          "use_case",
          "That is more than " + MAX_USE_CASE + " characters: please describe the job shorter.");
    }
    state.useCase = value;
    changed(state, Slot.USE_CASE);
    return "Noted what your agent is for.";
  }

  /** Checks the token live with Telegram (getMe), then keeps it sealed only. */
  public String botToken(ConversationState state, String token) {
    String value = token == null ? "" : token.strip();
    TelegramBots.Bot bot;
    try {
      bot = telegram.identify(value, "bot");
    } catch (InvalidInputException e) {
      throw new InvalidInputException(
          "bot",
          "Telegram does not accept that bot token. Copy the whole token BotFather gave you"
              + " (it looks like 123456:ABC-DEF...).");
    }
    SecretBox.Sealed sealed = secrets.seal(value, state.key);
    state.botId = bot.id();
    state.botUsername = bot.username();
    state.botTokenKeyId = sealed.keyId();
    state.botTokenSealed = Base64.getEncoder().encodeToString(sealed.ciphertext());
    state.ownerNonce = null; // a pending proof was for the previous bot's link
    changed(state, Slot.BOT);
    return "Your bot @" + bot.username() + " is connected.";
  }

  /** The bot token, opened for the sign-up call or the owner proof. */
  public String openBotToken(ConversationState state) {
    return secrets.open(
        new SecretBox.Sealed(state.botTokenKeyId, Base64.getDecoder().decode(state.botTokenSealed)),
        state.key);
  }

  public String owner(ConversationState state, long telegramUserId) {
    if (telegramUserId <= 0) {
      throw new InvalidInputException("owner", "A Telegram user id is a positive number.");
    }
    state.ownerTelegramUserId = telegramUserId;
    state.ownerNonce = null;
    changed(state, Slot.OWNER);
    return "You are the owner (Telegram user " + telegramUserId + ").";
  }

  public String allowedUsers(ConversationState state, List<Long> ids) {
    if (ids == null) {
      throw new InvalidInputException("allowed_users", "Tell me their Telegram user ids, or none.");
    }
    LinkedHashSet<Long> unique = new LinkedHashSet<>();
    for (Long id : ids) {
      if (id == null || id <= 0) {
        throw new InvalidInputException(
            "allowed_users", "A Telegram user id is a positive number, like 123456789.");
      }
      if (!id.equals(state.ownerTelegramUserId)) {
        unique.add(id);
      }
    }
    if (unique.size() > MAX_ALLOWED_USERS - 1) {
      throw new InvalidInputException(
          "allowed_users",
          "An agent can talk to at most "
              + MAX_ALLOWED_USERS
              + " people, you included: please list at most "
              + (MAX_ALLOWED_USERS - 1)
              + ".");
    }
    state.allowedTelegramUserIds = List.copyOf(unique);
    changed(state, Slot.ALLOWED_USERS);
    return unique.isEmpty()
        ? "Only you will talk to your agent."
        : "Besides you, "
            + unique.size()
            + " more "
            + (unique.size() == 1 ? "person" : "people")
            + " may talk to your agent.";
  }

  public String plan(ConversationState state, String name) {
    String value = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    Plan plan =
        plans
            .find(value)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "plan",
                        "There is no plan '"
                            + (name == null ? "" : name.strip())
                            + "'. The plans are: "
                            + String.join(", ", planNames())
                            + "."));
    state.plan = plan.name();
    changed(state, Slot.PLAN);
    return "Plan " + plan.name() + " it is.";
  }

  public String email(ConversationState state, String raw) {
    String value = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
    if (value.isEmpty() || value.length() > MAX_EMAIL || !EMAIL.matcher(value).matches()) {
      throw new InvalidInputException("email", "That does not look like an email address.");
    }
    state.email = value;
    changed(state, Slot.EMAIL);
    return "I'll use " + value + " for receipts and sign-in.";
  }

  /** Asks the slot before the current one again; at the first one, stays there. */
  public Slot back(ConversationState state) {
    Slot current = asking(state);
    Slot target = current;
    for (int i = current.ordinal() - 1; i >= 0; i--) {
      Slot candidate = Slot.values()[i];
      if (candidate == Slot.OWNER && telegramConversation(state)) {
        continue; // the owner of a Telegram conversation is its sender, nothing to ask
      }
      target = candidate;
      break;
    }
    reopen(state, target);
    return target;
  }

  /** Asks {@code slot} again, whatever it holds now (the answer stays until replaced). */
  public void reopen(ConversationState state, Slot slot) {
    if (slot == Slot.CONFIRM) {
      state.reopened = null;
      return;
    }
    if (slot == Slot.OWNER && telegramConversation(state)) {
      return;
    }
    state.reopened = answered(state, slot) ? slot : null;
    state.summaryShown = false;
  }

  private void changed(ConversationState state, Slot slot) {
    if (state.reopened == slot) {
      state.reopened = null;
    }
    state.summaryShown = false;
  }

  public static boolean telegramConversation(ConversationState state) {
    return state.key.startsWith("tg:");
  }

  public List<String> planNames() {
    return plans.all().stream().map(Plan::name).toList();
  }

  public List<Plan> plans() {
    return plans.all();
  }

  /** What the plans configuration says about each plan, in plain words: nothing else is claimed. */
  public String plansInfo() {
    StringBuilder text = new StringBuilder();
    for (Plan plan : plans.all()) {
      if (!text.isEmpty()) {
        text.append('\n');
      }
      text.append("• ").append(plan.name()).append(": ");
      String price = prices.getOrDefault(plan.name(), "");
      text.append(price.isEmpty() ? "price shown at checkout" : price);
      text.append(", ")
          .append(String.format(Locale.ROOT, "%,d", plan.monthlyTokens()))
          .append(" model tokens a month, up to ")
          .append(plan.requestsPerSecond())
          .append(" requests a second, models ")
          .append(String.join(", ", plan.models()))
          .append('.');
    }
    return text.toString();
  }

  /** The facts so far, for the summary and the model's prompt; never the token. */
  public String summary(ConversationState state) {
    StringBuilder text = new StringBuilder();
    line(text, "What your agent does", state.useCase);
    line(text, "Your bot", state.botUsername == null ? null : "@" + state.botUsername);
    line(
        text,
        "Owner (Telegram user id)",
        state.ownerTelegramUserId == null ? null : state.ownerTelegramUserId.toString());
    line(
        text,
        "Also allowed",
        state.allowedTelegramUserIds == null
            ? null
            : state.allowedTelegramUserIds.isEmpty()
                ? "nobody else"
                : state.allowedTelegramUserIds.stream().map(String::valueOf).toList().toString());
    line(text, "Plan", state.plan);
    line(text, "Email", state.email);
    return text.toString();
  }

  private static void line(StringBuilder text, String label, String value) {
    text.append("• ").append(label).append(": ").append(value == null ? "(not yet)" : value);
    text.append('\n');
  }
}
