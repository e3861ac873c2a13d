package cloud.openclaw.onboarding.conversation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The unambiguous facts in a message, found without a model: a bot token, an email, a plan's name,
 * numeric Telegram ids (when the question asks for them, or the message says "allow"), and the
 * words that steer the conversation (back, yes, "just me", "change my email"). What is not
 * unambiguous (two emails, two plans, a plan named in a question) is left to the model or to the
 * scripted question.
 */
public record Extraction(
    List<String> tokens,
    List<String> emails,
    List<String> plans,
    List<Long> telegramIds,
    boolean back,
    boolean yes,
    boolean nobodyElse,
    Slot change,
    boolean question,
    String redacted) {

  /** What BotFather hands out: the bot's id, a colon, and a long secret. */
  public static final Pattern TOKEN = Pattern.compile("\\b\\d{1,20}:[A-Za-z0-9_-]{30,}");

  private static final String TOKEN_PLACEHOLDER = "[bot token]";
  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
  private static final Pattern NUMBER = Pattern.compile("(?<![\\d.:@])\\d{5,19}(?![\\d.:@])");
  private static final Pattern BACK =
      Pattern.compile("^(?:back|go back|previous|undo|zurück)[.!]?$", Pattern.CASE_INSENSITIVE);
  private static final Pattern YES =
      Pattern.compile(
          "^(?:yes|yep|yeah|y|ok|okay|sure|confirm|confirmed|correct|looks good|go|go ahead"
              + "|let's go|lets go|pay|ja)[.!]*$",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern NOBODY_ELSE =
      Pattern.compile(
          "\\b(?:just me|only me|nobody|no one|noone|none|no others|no|skip)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern CHANGE =
      Pattern.compile(
          "\\b(?:change|edit|fix|correct|update|different|another|wrong)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final int STEERING_WORDS = 12;
  private static final Pattern PLAN_WORD =
      Pattern.compile("\\b(?:plans?|tiers?)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern ALLOW = Pattern.compile("\\ballow", Pattern.CASE_INSENSITIVE);
  private static final Map<Slot, Pattern> SLOT_WORDS =
      Map.of(
          Slot.USE_CASE,
          Pattern.compile("\\b(?:use case|job|purpose|what it does)\\b", Pattern.CASE_INSENSITIVE),
          Slot.BOT,
          Pattern.compile("\\b(?:bot|token)\\b", Pattern.CASE_INSENSITIVE),
          Slot.ALLOWED_USERS,
          Pattern.compile("\\b(?:users?|people|allowed|friends)\\b", Pattern.CASE_INSENSITIVE),
          Slot.PLAN,
          Pattern.compile("\\b(?:plan|tier)\\b", Pattern.CASE_INSENSITIVE),
          Slot.EMAIL,
          Pattern.compile("\\b(?:e-?mail|address)\\b", Pattern.CASE_INSENSITIVE));

  /** The facts of {@code text}, asked while the conversation asks {@code asking}. */
  public static Extraction of(String text, Slot asking, List<String> planNames) {
    String raw = text == null ? "" : text.strip();
    List<String> tokens = all(TOKEN, raw);
    String redacted = TOKEN.matcher(raw).replaceAll(TOKEN_PLACEHOLDER);
    List<String> emails = all(EMAIL, redacted);
    String withoutEmails = EMAIL.matcher(redacted).replaceAll(" ");
    boolean question = withoutEmails.contains("?");
    List<String> plans = new ArrayList<>();
    // Plan names are everyday words ("pro"): only a plan question or the word "plan" makes them
    // one.
    boolean aboutPlans = asking == Slot.PLAN || PLAN_WORD.matcher(withoutEmails).find();
    for (String plan : aboutPlans ? planNames : List.<String>of()) {
      if (Pattern.compile("\\b" + Pattern.quote(plan) + "\\b", Pattern.CASE_INSENSITIVE)
          .matcher(withoutEmails)
          .find()) {
        plans.add(plan);
      }
    }
    List<Long> ids = new ArrayList<>();
    if (asking == Slot.ALLOWED_USERS || ALLOW.matcher(withoutEmails).find()) {
      Matcher numbers = NUMBER.matcher(TOKEN.matcher(raw).replaceAll(" "));
      while (numbers.find()) {
        try {
          ids.add(Long.parseLong(numbers.group()));
        } catch (NumberFormatException e) {
          // longer than a Telegram id can be: not one
        }
      }
    }
    boolean nobodyElse =
        asking == Slot.ALLOWED_USERS && ids.isEmpty() && NOBODY_ELSE.matcher(raw).find();
    Slot change = null;
    // A long message that says "change" describes something (a use case); a short one steers.
    if (withoutEmails.split("\\s+").length <= STEERING_WORDS
        && CHANGE.matcher(withoutEmails).find()) {
      for (Slot slot :
          List.of(Slot.EMAIL, Slot.PLAN, Slot.BOT, Slot.ALLOWED_USERS, Slot.USE_CASE)) {
        if (SLOT_WORDS.get(slot).matcher(withoutEmails).find()) {
          change = slot;
          break;
        }
      }
    }
    return new Extraction(
        tokens,
        emails,
        plans,
        List.copyOf(new LinkedHashSet<>(ids)),
        BACK.matcher(raw).matches(),
        YES.matcher(raw).matches(),
        nobodyElse,
        change,
        question,
        redacted);
  }

  /** The text with every bot token replaced: what the model and its memory may see. */
  public static String redact(String text) {
    return text == null ? null : TOKEN.matcher(text).replaceAll(TOKEN_PLACEHOLDER);
  }

  /** True when the message carried nothing this class understands. */
  public boolean nothing() {
    return tokens.isEmpty()
        && emails.isEmpty()
        && plans.isEmpty()
        && telegramIds.isEmpty()
        && !back
        && !yes
        && !nobodyElse
        && change == null;
  }

  private static List<String> all(Pattern pattern, String text) {
    LinkedHashSet<String> found = new LinkedHashSet<>();
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      found.add(matcher.group());
    }
    return List.copyOf(found);
  }
}
