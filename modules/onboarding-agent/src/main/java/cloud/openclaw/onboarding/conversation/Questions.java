package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.onboarding.conversation.ConversationEvents.Option;
import cloud.openclaw.platform.config.Plan;
import java.util.List;

/**
 * The fixed wording of each question: what the scripted flow says, and what the model is told to
 * ask (in its own words). Choices are the buttons that go with a question.
 */
public final class Questions {
  static final String GREETING =
      "Hi! I'll set up your own AI agent on Telegram: a few questions, then you pay, and it's live"
          + " in a couple of minutes.";

  /** What a person says (the setup bot's second button) to make a bot with BotFather instead. */
  public static final String PASTE_TOKEN = "I'll paste a BotFather token";

  private Questions() {}

  public static String ask(StateMachine machine, ConversationState state, Slot slot) {
    return switch (slot) {
      case USE_CASE -> "What should your agent do for you? Describe its job in a sentence or two.";
      case BOT ->
          StateMachine.telegramConversation(state)
              ? "Now its Telegram bot: press \"Create my bot\" below, or create one with"
                  + " @BotFather (/newbot) and paste the token it gives you."
              : "Now its Telegram bot: create one with @BotFather (send /newbot) and paste the"
                  + " token it gives you (it looks like 123456:ABC-DEF...).";
      case OWNER ->
          "To prove the bot is yours, open the link below in Telegram and press Start. I'll notice"
              + " on my own.";
      case ALLOWED_USERS ->
          "Should anyone besides you talk to your agent? Send their numeric Telegram user ids, or"
              + " say \"just me\".";
      case PLAN -> "Which plan would you like?\n" + machine.plansInfo();
      case EMAIL -> "Which email address should receipts and dashboard sign-in go to?";
      case CONFIRM ->
          "Here is everything:\n"
              + machine.summary(state)
              + "Shall I email you the link to pay? Say yes, or tell me what to change.";
    };
  }

  static List<Option> choices(StateMachine machine, Slot slot) {
    return switch (slot) {
      case PLAN ->
          machine.plans().stream().map(Plan::name).map(name -> new Option(name, name)).toList();
      case ALLOWED_USERS -> List.of(new Option("none", "Just me"));
      case CONFIRM ->
          List.of(new Option("yes", "Yes, email me the link"), new Option("back", "Go back"));
      default -> List.of();
    };
  }

  /** The scripted reply: what was taken, what was refused, plan facts if asked, the question. */
  static String scripted(StateMachine machine, ConversationState state, Turn turn) {
    StringBuilder reply = new StringBuilder();
    for (String note : turn.accepted) {
      reply.append(note).append('\n');
    }
    for (String problem : turn.refused) {
      reply.append(problem).append('\n');
    }
    Slot next = machine.asking(state);
    if (turn.plansAsked && next != Slot.PLAN) {
      reply.append("The plans:\n").append(machine.plansInfo()).append('\n');
    }
    reply.append(ask(machine, state, next));
    return reply.toString().strip();
  }
}
