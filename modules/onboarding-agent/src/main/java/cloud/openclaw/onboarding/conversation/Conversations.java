package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.TooManyRequestsException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Every conversation's turns: {@link #input(String, Input)} takes what a person sent (from any
 * transport), applies what it unambiguously says, lets the model (or, without one, the scripted
 * flow) answer, and writes the reply as events to the conversation's log, where the transports read
 * it. One turn at a time per conversation; the state is in Redis, so any instance resumes any
 * conversation.
 *
 * <p>For a transport: the key is {@code tg:<telegram user id>} or {@code web:<session id>}. Send
 * {@link Input.Start} on first contact and on every return (it greets, or repeats the open
 * question), {@link Input.Text} for what the person wrote (a Telegram transport deletes a message
 * in which {@link Extraction#TOKEN} finds a token), {@link Input.Choice} for a button of a {@code
 * choices} event (its slot and the option's value), {@link Input.BotToken} for a token that did not
 * come as text (the managed bot's, from getManagedBotToken). {@link #input} answers the log id
 * before the reply: read the {@link cloud.openclaw.platform.onboarding.ConversationLog} from there
 * (its events: delta, message, choices, managed_bot, owner_link, checkout, progress, live, error).
 * {@link #admit} throws {@link InvalidInputException} (bad key or input) or {@link
 * TooManyRequestsException} (past the conversation's messages per minute).
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
  private final Answers answers;
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
    this.answers = new Answers(machine);
  }

  /**
   * Checks an input before it is taken: the key, the sizes, the conversation's message limit.
   *
   * @throws InvalidInputException bad key or input (400)
   * @throws TooManyRequestsException past the limit (429)
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

  /** An input was refused before it was taken ({@link #admit}): the person is told why. */
  public void refused(String key, String code, String message) {
    events.error(key, code, message);
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
  public Optional<ConversationState> state(String key) {
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
        answers.facts(turn, facts, before);
      }
      case Input.Choice choice -> {
        turn = new Turn(state, isYes(choice) && before == Slot.CONFIRM && state.summaryShown);
        answers.choice(turn, choice);
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
      confirm(state, answered ? null : messageId);
      return;
    }
    if (!answered) {
      if (text != null && facts != null) {
        answers.freeText(turn, facts, before, text);
      }
      events.message(state.key, messageId, Questions.scripted(machine, state, turn));
    }
    ask(state);
  }

  private static boolean isYes(Input.Choice choice) {
    return choice.slot().equals(Slot.CONFIRM.wireName()) && choice.value().equals("yes");
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
    }
    String key = state.key;
    String nonce = state.ownerNonce;
    try {
      // Asked at every showing of the link: a watch lost with a restart of this service resumes.
      ownerProofs.watch(
          machine.openBotToken(state),
          nonce,
          // Never on the watcher's thread: it may call back while this turn holds the lock.
          userId ->
              Thread.ofVirtual()
                  .name("owner-proof-" + key)
                  .start(() -> take(key, new Input.OwnerProven(userId, nonce))));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the owner proof of " + key + " could not be started", e);
    }
    events.ownerLink(state.key, "https://t.me/" + state.botUsername + "?start=" + state.ownerNonce);
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  // --- confirm and after ---------------------------------------------------------------------

  private void confirm(ConversationState state, String messageId) {
    Checkouts.Outcome outcome = checkouts.open(state);
    switch (outcome) {
      case Checkouts.Outcome.Mailed mailed -> {
        events.message(
            state.key,
            messageId == null ? ConversationEvents.newMessageId() : messageId,
            mailedText(mailed.email()));
        events.checkEmail(state.key, mailed.email());
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
            "I could not send the checkout link just now. Say yes to try again.");
      }
    }
  }

  private void afterCheckout(ConversationState state, Input input) {
    if (input instanceof Input.OwnerProven) {
      return; // a late proof: the owner is known already
    }
    String messageId = ConversationEvents.newMessageId();
    if (state.stage == Stage.LIVE) {
      events.message(state.key, messageId, "Your agent is live: " + state.liveUrl);
      events.live(state.key, state.botUsername, state.liveUrl);
      return;
    }
    if (input instanceof Input.Text text && state.progressSent.isEmpty()) {
      if (NEW_LINK.matcher(text.text()).find()) {
        // The mailed link is used up (or lost): a new attempt mails a new one.
        checkouts.abandon(state);
        state.attempt++;
        confirm(state, messageId);
        return;
      }
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
          (state.customerId == null
                  ? mailedText(state.email)
                  : "Your checkout is open in your browser: pay there and I'll tell you here when"
                      + " your agent is live.")
              + " Say \"new link\" for a new link to pay, or tell me what to change.");
      if (state.customerId == null) {
        events.checkEmail(state.key, state.email);
      }
    } else {
      events.message(
          state.key, messageId, "Your agent is being set up; I'll tell you as soon as it's live.");
    }
  }

  /** Asks for another mailed link (the last one was used, lost or its checkout closed). */
  private static final Pattern NEW_LINK =
      Pattern.compile("(?i)\\b(new link|another link|resend|send (it )?again)\\b");

  private static String mailedText(String email) {
    return "All set! The link to pay is on its way to "
        + email
        + ": open it, pay at the checkout, and your agent starts right after. I'll tell you here"
        + " when it is live.";
  }
}
