package cloud.openclaw.onboarding.model;

import cloud.openclaw.onboarding.conversation.Questions;
import cloud.openclaw.onboarding.conversation.Slot;
import cloud.openclaw.onboarding.conversation.StateMachine;
import cloud.openclaw.onboarding.conversation.Turn;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolMemoryId;
import java.util.List;
import java.util.function.Function;

/**
 * The model's only way to change a conversation: each tool goes through the {@link StateMachine}
 * (the same validation as a typed answer or a button) within the current {@link Turn}, and answers
 * the model with what was accepted or why it was refused. There is no tool for a price, a rule or a
 * skipped check, and confirm works only when the person has just said yes to the summary.
 *
 * <p>One instance serves every conversation (building langchain4j's assistant per turn costs more
 * than the rest of the turn): each call finds its conversation's current turn by the memory id.
 */
public final class OnboardingTools {
  private final StateMachine machine;
  private final Function<Object, Turn> turns;

  /**
   * @param turns the current turn of a conversation, by its key (the memory id)
   */
  public OnboardingTools(StateMachine machine, Function<Object, Turn> turns) {
    this.machine = machine;
    this.turns = turns;
  }

  @Tool(name = "set_use_case", value = "Records what the person's agent should do, in their words")
  public String setUseCase(
      @ToolMemoryId Object conversation,
      @P("the agent's job, 10 to 2000 characters") String useCase) {
    Turn turn = turns.apply(conversation);
    return turn.apply(() -> machine.useCase(turn.state(), useCase)) + next(turn);
  }

  @Tool(name = "set_bot_token", value = "Records the Telegram bot token BotFather gave the person")
  public String setBotToken(
      @ToolMemoryId Object conversation, @P("the token, like 123456:ABC-DEF...") String token) {
    Turn turn = turns.apply(conversation);
    return turn.apply(() -> machine.botToken(turn.state(), token)) + next(turn);
  }

  @Tool(name = "set_plan", value = "Chooses the plan, by its name")
  public String setPlan(@ToolMemoryId Object conversation, @P("the plan's name") String plan) {
    Turn turn = turns.apply(conversation);
    return turn.apply(() -> machine.plan(turn.state(), plan)) + next(turn);
  }

  @Tool(name = "set_email", value = "Records the email for receipts and dashboard sign-in")
  public String setEmail(@ToolMemoryId Object conversation, @P("the email address") String email) {
    Turn turn = turns.apply(conversation);
    return turn.apply(() -> machine.email(turn.state(), email)) + next(turn);
  }

  @Tool(
      name = "set_allowed_users",
      value =
          "Records who besides the owner may talk to the agent: their numeric Telegram user ids;"
              + " an empty list for nobody else")
  public String setAllowedUsers(
      @ToolMemoryId Object conversation,
      @P("numeric Telegram user ids") List<Long> telegramUserIds) {
    Turn turn = turns.apply(conversation);
    return turn.apply(() -> machine.allowedUsers(turn.state(), telegramUserIds)) + next(turn);
  }

  @Tool(name = "go_back", value = "Asks the previous question again")
  public String goBack(@ToolMemoryId Object conversation) {
    Turn turn = turns.apply(conversation);
    machine.back(turn.state());
    return "Accepted." + next(turn);
  }

  @Tool(
      name = "change_answer",
      value = "Asks one question again so the person can change its answer")
  public String changeAnswer(
      @ToolMemoryId Object conversation,
      @P("one of use_case, bot, allowed_users, plan, email") String slot) {
    Turn turn = turns.apply(conversation);
    Slot target = Slot.fromWire(slot);
    if (target == null || target == Slot.CONFIRM || target == Slot.OWNER) {
      return "Refused: no such question to change: " + slot;
    }
    machine.reopen(turn.state(), target);
    return "Accepted." + next(turn);
  }

  @Tool(
      name = "confirm",
      value = "Emails the person the link to pay, only when they have just said yes to the summary")
  public String confirm(@ToolMemoryId Object conversation) {
    Turn turn = turns.apply(conversation);
    if (!machine.complete(turn.state()) || !turn.state().summaryShown) {
      return "Refused: the summary has not been confirmed; ask the current question.";
    }
    if (!turn.personConfirmed()) {
      return "Refused: only the person's own yes to the summary sends the link to pay.";
    }
    turn.requestConfirm();
    return "Accepted: a message telling them to check their email follows; add nothing.";
  }

  /** What to ask now, after the change: the model's next words follow the state machine. */
  private String next(Turn turn) {
    Slot slot = machine.asking(turn.state());
    return " Next question ("
        + slot.wireName()
        + "): "
        + Questions.ask(machine, turn.state(), slot);
  }

  @Tool(name = "plans_info", value = "The plans on sale and what each includes, as configured")
  public String plansInfo(@ToolMemoryId Object conversation) {
    Turn turn = turns.apply(conversation);
    turn.plansAsked();
    return machine.plansInfo();
  }
}
