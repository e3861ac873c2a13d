package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.InvalidInputException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every conversation's turns: {@link #input(String, Input)} takes what a person sent (from any
 * transport), applies what it unambiguously says, lets the model (or, without one, the scripted
 * flow) answer, and writes the reply as events to the conversation's log, where the transports read
 * it. One turn at a time per conversation; the state is in Redis, so any instance resumes any
 * conversation.
 */
public final class Conversations {
  private static final Logger LOG = Logger.getLogger(Conversations.class.getName());
  private static final int MAX_TEXT = 4096;

  private final StateMachine machine;
  private final ConversationStore store;
  private final ConversationLock lock;
  private final MessageLimit limit;
  private final ConversationEvents events;
  private final ConversationModel model;
  private final Checkouts checkouts;
  private final OwnerProofs ownerProofs;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param model null: the scripted flow only
   */
  public Conversations(
      StateMachine machine,
      ConversationStore store,
      ConversationLock lock,
      MessageLimit limit,
      ConversationEvents events,
      ConversationModel model,
      Checkouts checkouts,
      OwnerProofs ownerProofs) {
    this.machine = machine;
    this.store = store;
    this.lock = lock;
    this.limit = limit;
    this.events = events;
    this.model = model;
    this.checkouts = checkouts;
    this.ownerProofs = ownerProofs;
  }

  /**
   * Checks an input before it is taken: the key, the sizes, the conversation's message limit.
   *
   * @throws InvalidInputException bad key or input (400)
   * @throws TooManyMessagesException past the limit (429)
   */
  public void admit(String key, Input input) {
    ConversationKey.check(key);
    switch (input) {
      case Input.Text text -> {
        if (text.text() == null || text.text().isBlank()) {
          throw new InvalidInputException("text", "'text' is required");
        }
        if (text.text().length() > MAX_TEXT) {
          throw new InvalidInputException(
              "text", "a message is at most " + MAX_TEXT + " characters");
        }
      }
      case Input.Choice choice -> {
        if (Slot.fromWire(choice.slot()) == null) {
          throw new InvalidInputException("slot", "no question '" + choice.slot() + "'");
        }
        if (choice.value() == null || choice.value().isBlank() || choice.value().length() > 200) {
          throw new InvalidInputException("value", "'value' is required (at most 200 characters)");
        }
      }
      case Input.BotToken token -> {
        if (token.token() == null || token.token().isBlank() || token.token().length() > 200) {
          throw new InvalidInputException("token", "'token' is required");
        }
      }
      case Input.Start start -> {}
      case Input.OwnerProven proven -> {}
    }
    limit.count(key);
  }

  /**
   * Takes one input and writes the reply to the conversation's log; returns the log's last id
   * before the reply (where a transport reads from).
   */
  public String input(String key, Input input) {
    admit(key, input);
    String before = events.last(key);
    take(key, input);
    return before;
  }

  /** Takes an input already admitted ({@link #admit}); the reply goes to the log. */
  public void take(String key, Input input) {
    lock.holding(
        key,
        () -> {
          ConversationState state = store.load(key).orElseGet(() -> fresh(key));
          if (state.stage == Stage.COLLECTING) {
            collect(state, input);
          } else {
            afterCheckout(state, input);
          }
          store.save(state);
          return null;
        });
  }

  /** The id of the conversation's last event ("0": none), where a reader starts for the next. */
  public String lastEventId(String key) {
    return events.last(ConversationKey.check(key));
  }

  /** The slot the conversation asks for now (wire name), or null once it is past the questions. */
  public String asking(ConversationState state) {
    return state.stage == Stage.COLLECTING ? machine.asking(state).wireName() : null;
  }

  /** A turn failed unexpectedly: the person is told to send it again. */
  public void failed(String key) {
    try {
      events.error(key, "turn_failed", "Something went wrong on our side; please send that again.");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not tell conversation " + key + " that its turn failed", e);
    }
  }

  /** The conversation's state (a copy from Redis), if it exists. */
  public java.util.Optional<ConversationState> state(String key) {
    return store.load(ConversationKey.check(key));
  }

  private ConversationState fresh(String key) {
    ConversationState state = new ConversationState(key);
    long sender = ConversationKey.telegramUser(key);
    if (sender > 0) {
      state.ownerTelegramUserId = sender; // in Telegram the sender is the owner
    }
    return state;
  }

  // --- collecting ----------------------------------------------------------------------------

  private void collect(ConversationState state, Input input) {
    Slot before = machine.asking(state);
    String text = null;
    Extraction facts = null;
    Turn turn;
    switch (input) {
      case Input.Start start -> {
        turn = new Turn(state, false);
        if (!state.greeted) {
          turn.accepted.add(Questions.GREETING);
        } else {
          turn.accepted.add("Welcome back! Let's carry on.");
        }
      }
      case Input.Text message -> {
        text = message.text().strip();
        if (text.equalsIgnoreCase("/start")
            || text.toLowerCase(Locale.ROOT).startsWith("/start ")) {
          collect(state, new Input.Start());
          return;
        }
        facts = Extraction.of(text, before, machine.planNames());
        turn = new Turn(state, facts.yes() && before == Slot.CONFIRM && state.summaryShown);
        applyFacts(turn, facts, before);
      }
      case Input.Choice choice -> {
        turn = new Turn(state, isYes(choice) && before == Slot.CONFIRM && state.summaryShown);
        applyChoice(turn, choice);
      }
      case Input.BotToken token -> {
        turn = new Turn(state, false);
        turn.apply(() -> machine.botToken(state, token.token()));
      }
      case Input.OwnerProven proven -> {
        if (state.ownerNonce == null || !state.ownerNonce.equals(proven.nonce())) {
          return; // a stale or foreign proof says nothing about this conversation
        }
        turn = new Turn(state, false);
        turn.apply(() -> machine.owner(state, proven.telegramUserId()));
      }
    }
    state.greeted = true;
    if (turn.personConfirmed && machine.complete(state)) {
      turn.requestConfirm();
    }
    String messageId = ConversationEvents.newMessageId();
    boolean answered = false;
    if (model != null && text != null && !turn.confirmRequested) {
      answered = modelReply(state, turn, facts, messageId);
    }
    if (turn.confirmRequested && machine.complete(state) && state.summaryShown) {
      confirm(state, turn, answered ? null : messageId);
      return;
    }
    if (!answered) {
      if (text != null && facts != null) {
        readFreeText(turn, facts, before, text);
      }
      events.message(state.key, messageId, scripted(state, turn));
    }
    ask(state);
  }

  private static boolean isYes(Input.Choice choice) {
    return choice.slot().equals(Slot.CONFIRM.wireName()) && choice.value().equals("yes");
  }

  /** What the message says unambiguously, applied through the state machine. */
  private void applyFacts(Turn turn, Extraction facts, Slot asking) {
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

  private void applyChoice(Turn turn, Input.Choice choice) {
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
  private void readFreeText(Turn turn, Extraction facts, Slot asking, String text) {
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
              "That is not a bot token: BotFather's look like 123456:ABC-DEF... (about 45"
                  + " characters).");
      case EMAIL -> turn.refused.add("That does not look like an email address.");
      case CONFIRM -> turn.refused.add("Say yes to open the checkout, or tell me what to change.");
      case OWNER -> {}
    }
  }

  /** The scripted reply: what was taken, what was refused, plan facts if asked, the question. */
  private String scripted(ConversationState state, Turn turn) {
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
    reply.append(Questions.ask(machine, state, next));
    return reply.toString().strip();
  }

  private boolean modelReply(
      ConversationState state, Turn turn, Extraction facts, String messageId) {
    try {
      String prompt = SystemPrompt.of(machine, state, turn);
      String text =
          model.reply(
              state.key,
              turn,
              prompt,
              facts.redacted(),
              delta -> events.delta(state.key, messageId, delta));
      if (text == null || text.isBlank()) {
        return false;
      }
      events.message(state.key, messageId, text.strip());
      return true;
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "the model failed in conversation " + state.key + "; the scripted flow answers",
          e);
      return false;
    }
  }

  /** The question of the slot asked now, with its buttons and links; counted. */
  private void ask(ConversationState state) {
    Slot slot = machine.asking(state);
    state.questionsAsked++;
    if (slot == Slot.CONFIRM) {
      state.summaryShown = true;
    }
    List<ConversationEvents.Option> options = Questions.choices(machine, slot);
    if (!options.isEmpty()) {
      events.choices(state.key, slot, options);
    }
    if (slot == Slot.BOT && StateMachine.telegramConversation(state)) {
      String suffix = Long.toHexString(random.nextLong() & 0xffffffL);
      events.managedBot(
          state.key,
          "bot-" + state.key.substring(3),
          "My OpenClaw agent",
          "openclaw_" + suffix + "_bot");
    }
    if (slot == Slot.OWNER) {
      ownerLink(state);
    }
  }

  private void ownerLink(ConversationState state) {
    if (state.ownerNonce == null) {
      state.ownerNonce = HexFormat.of().formatHex(randomBytes(16));
      String key = state.key;
      String nonce = state.ownerNonce;
      try {
        ownerProofs.watch(
            machine.openBotToken(state),
            nonce,
            userId -> take(key, new Input.OwnerProven(userId, nonce)));
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "the owner proof of " + key + " could not be started", e);
      }
    }
    events.ownerLink(state.key, "https://t.me/" + state.botUsername + "?start=" + state.ownerNonce);
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  // --- confirm and after ---------------------------------------------------------------------

  private void confirm(ConversationState state, Turn turn, String messageId) {
    Checkouts.Outcome outcome = checkouts.open(state);
    switch (outcome) {
      case Checkouts.Outcome.Opened opened -> {
        if (messageId != null) {
          events.message(
              state.key,
              messageId,
              "All set! Pay at the checkout and your agent starts right after: " + opened.url());
        }
        events.checkout(state.key, opened.url());
      }
      case Checkouts.Outcome.Refused refused -> {
        if (refused.slot() != null) {
          machine.reopen(state, refused.slot());
        }
        events.message(
            state.key,
            messageId == null ? ConversationEvents.newMessageId() : messageId,
            refused.message() + "\n" + Questions.ask(machine, state, machine.asking(state)));
        ask(state);
      }
      case Checkouts.Outcome.Unavailable unavailable -> {
        events.error(state.key, "signup_unavailable", unavailable.message());
        events.message(
            state.key,
            messageId == null ? ConversationEvents.newMessageId() : messageId,
            "I could not open the checkout just now. Say yes to try again.");
      }
    }
  }

  private void afterCheckout(ConversationState state, Input input) {
    String messageId = ConversationEvents.newMessageId();
    if (state.stage == Stage.LIVE) {
      events.message(state.key, messageId, "Your agent is live: " + state.liveUrl);
      events.live(state.key, state.botUsername, state.liveUrl);
      return;
    }
    if (input instanceof Input.Text text && state.progressSent.isEmpty()) {
      Extraction facts = Extraction.of(text.text(), Slot.CONFIRM, machine.planNames());
      if (facts.change() != null || facts.back()) {
        state.stage = Stage.COLLECTING;
        state.attempt++;
        checkouts.abandon(state);
        collect(state, input);
        return;
      }
    }
    if (state.progressSent.isEmpty()) {
      events.message(
          state.key,
          messageId,
          "Your checkout is waiting: " + state.checkoutUrl + " (or tell me what to change).");
      events.checkout(state.key, state.checkoutUrl);
    } else {
      events.message(
          state.key, messageId, "Your agent is being set up; I'll tell you as soon as it's live.");
    }
  }
}
