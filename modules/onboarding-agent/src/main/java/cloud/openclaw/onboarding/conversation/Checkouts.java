package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.UnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Confirmed conversations become sign-ups: the api's POST /signup with the conversation's facts
 * (the token opened only for the call); the api mails the checkout link, and the conversation waits
 * for its follow-up (the email's owner opened the link) and then for its customer's box.
 */
public final class Checkouts {
  private static final Logger LOG = Logger.getLogger(Checkouts.class.getName());

  private final SignupClient signup;
  private final StateMachine machine;
  private final ConversationStore store;

  public Checkouts(SignupClient signup, StateMachine machine, ConversationStore store) {
    this.signup = signup;
    this.machine = machine;
    this.store = store;
  }

  /** How a confirm ended. */
  public sealed interface Outcome {
    /** The way on is in the mail at {@code email}. */
    record Mailed(String email) implements Outcome {}

    /** The api refused; {@code slot} is the answer to ask again (null: none in particular). */
    record Refused(String message, Slot slot) implements Outcome {}

    record Unavailable(String message) implements Outcome {}
  }

  /** Signs the conversation up (once per attempt: the api keys it by the Idempotency-Key). */
  public Outcome open(ConversationState state) {
    List<Long> allowed = new ArrayList<>();
    // Until the api reads ownerTelegramUserId, the owner is the first allowed user.
    allowed.add(state.ownerTelegramUserId);
    allowed.addAll(state.allowedTelegramUserIds);
    SignupClient.Request request =
        new SignupClient.Request(
            state.email,
            state.plan,
            machine.openBotToken(state),
            state.ownerTelegramUserId,
            List.copyOf(allowed),
            state.useCase,
            reference(state));
    try {
      signup.signup(reference(state), request);
      state.stage = Stage.CHECKOUT;
      state.followUp = reference(state);
      store.awaitFollowUp(state.followUp, state.key);
      return new Outcome.Mailed(state.email);
    } catch (SignupClient.Refused refused) {
      return new Outcome.Refused(refused.getMessage(), slot(refused.code(), refused.field()));
    } catch (UnavailableException e) {
      LOG.log(Level.WARNING, "sign-up of conversation " + state.key + " failed", e);
      return new Outcome.Unavailable(e.getMessage());
    }
  }

  /** One sign-up attempt of the conversation: its Idempotency-Key and follow-up reference. */
  private static String reference(ConversationState state) {
    return state.key + ":" + state.attempt;
  }

  /** The conversation changes its answers after checkout: it waits for that checkout no more. */
  public void abandon(ConversationState state) {
    if (state.followUp != null) {
      store.stopAwaitingFollowUp(state.followUp);
    }
    if (state.customerId != null) {
      store.stopAwaiting(state.customerId);
    }
    state.followUp = null;
    state.customerId = null;
    state.boxId = null;
  }

  /** The answer the api's refusal is about: by its field, else by its code (docs/api.md). */
  private static Slot slot(String code, String field) {
    if (field == null) {
      return switch (code == null ? "" : code) {
        case "already_customer" -> Slot.EMAIL;
        case "bot_in_use" -> Slot.BOT; // another agent has that bot
        default -> null;
      };
    }
    return switch (field) {
      case "email" -> Slot.EMAIL;
      case "plan" -> Slot.PLAN;
      case "botToken" -> Slot.BOT;
      case "allowedTelegramUserIds" -> Slot.ALLOWED_USERS;
      case "useCase" -> Slot.USE_CASE;
      default -> null;
    };
  }
}
