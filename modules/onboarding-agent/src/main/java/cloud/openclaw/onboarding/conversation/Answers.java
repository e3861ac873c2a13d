package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what a person sent into the turn: the unambiguous facts of a message, a button, and
 * (without a model) a free text as the answer to the question asked. Every change goes through the
 * {@link StateMachine} via {@link Turn#apply}.
 */
final class Answers {
  private final StateMachine machine;

  Answers(StateMachine machine) {
    this.machine = machine;
  }

  /** What the message says unambiguously, applied through the state machine. */
  void facts(Turn turn, Extraction facts, Slot asking) {
    ConversationState state = turn.state;
    if (facts.back()) {
      machine.back(state);
      return;
    }
    if (facts.tokens().size() == 1) {
      turn.apply(() -> machine.botToken(state, facts.tokens().getFirst()));
    } else if (facts.tokens().size() > 1) {
      turn.refused.add("I see several bot tokens: please send just the one for your agent.");
    }
    if (facts.emails().size() == 1) {
      turn.apply(() -> machine.email(state, facts.emails().getFirst()));
    } else if (facts.emails().size() > 1) {
      turn.refused.add("I see several email addresses: which one should I use?");
    }
    if (facts.plans().size() == 1 && !facts.question()) {
      turn.apply(() -> machine.plan(state, facts.plans().getFirst()));
    } else if (!facts.plans().isEmpty()) {
      turn.plansAsked();
    }
    if (!facts.telegramIds().isEmpty()) {
      turn.apply(() -> machine.allowedUsers(state, facts.telegramIds()));
    } else if (facts.nobodyElse()) {
      turn.apply(() -> machine.allowedUsers(state, List.of()));
    }
    if (facts.change() != null && !carriesValue(facts, facts.change())) {
      machine.reopen(state, facts.change());
    }
    if (asking == Slot.CONFIRM && facts.question() && facts.plans().isEmpty()) {
      turn.plansAsked();
    }
  }

  /** "Change my email to a@b.c" changes it at once: nothing to ask again. */
  private static boolean carriesValue(Extraction facts, Slot slot) {
    return switch (slot) {
      case EMAIL -> !facts.emails().isEmpty();
      case PLAN -> !facts.plans().isEmpty();
      case BOT -> !facts.tokens().isEmpty();
      case ALLOWED_USERS -> !facts.telegramIds().isEmpty() || facts.nobodyElse();
      default -> false;
    };
  }

  void choice(Turn turn, Input.Choice choice) {
    ConversationState state = turn.state;
    Slot slot = Slot.fromWire(choice.slot());
    String value = choice.value().strip();
    if (value.equals("back")) {
      machine.back(state);
      return;
    }
    if (value.startsWith("change:")) {
      Slot target = Slot.fromWire(value.substring("change:".length()));
      if (target != null) {
        machine.reopen(state, target);
      }
      return;
    }
    switch (slot) {
      case PLAN -> turn.apply(() -> machine.plan(state, value));
      case ALLOWED_USERS -> {
        if (value.equals("none")) {
          turn.apply(() -> machine.allowedUsers(state, List.of()));
        } else {
          turn.apply(() -> machine.allowedUsers(state, ids(value)));
        }
      }
      case EMAIL -> turn.apply(() -> machine.email(state, value));
      case USE_CASE -> turn.apply(() -> machine.useCase(state, value));
      case BOT -> turn.apply(() -> machine.botToken(state, value));
      case CONFIRM, OWNER -> {}
    }
  }

  private static List<Long> ids(String value) {
    List<Long> ids = new ArrayList<>();
    for (String part : value.split("[,\\s]+")) {
      try {
        ids.add(Long.parseLong(part));
      } catch (NumberFormatException e) {
        throw new InvalidInputException("allowed_users", "A Telegram user id is a number.");
      }
    }
    return ids;
  }

  /** Without a model: a message that matched no fact answers the question asked, if it can. */
  void freeText(Turn turn, Extraction facts, Slot asking, String text) {
    ConversationState state = turn.state;
    boolean steered = facts.back() || facts.change() != null;
    if (!turn.accepted.isEmpty() || steered || !turn.refused.isEmpty()) {
      return;
    }
    if (facts.question()) {
      turn.plansAsked();
      return;
    }
    switch (asking) {
      case USE_CASE -> turn.apply(() -> machine.useCase(state, text));
      case ALLOWED_USERS ->
          turn.refused.add("Send their numeric Telegram user ids, or say \"just me\".");
      case PLAN ->
          turn.refused.add(
              "Please pick one of the plans: " + String.join(", ", machine.planNames()) + ".");
      case BOT ->
          turn.refused.add(
              text.equalsIgnoreCase(Questions.PASTE_TOKEN)
                  ? "Open @BotFather, send /newbot, pick a name and a username ending in \"bot\","
                      + " then paste the token it gives you here."
                  : "That is not a bot token: BotFather's look like 123456:ABC-DEF... (about 45"
                      + " characters).");
      case EMAIL -> turn.refused.add("That does not look like an email address.");
      case CONFIRM ->
          turn.refused.add("Say yes to get the link to pay by email, or tell me what to change.");
      case OWNER -> {}
    }
  }
}
