package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.UnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One input's effect on a conversation: the state being changed, what was accepted (notes for the
 * reply) and what was refused (problems, in words for the person). Whoever changes the state in a
 * turn (extraction, a button, the model's tools) goes through {@link #apply}, so every change is
 * validated by the {@link StateMachine} and reported the same way.
 */
public final class Turn {
  final ConversationState state;
  final List<String> accepted = new ArrayList<>();
  final List<String> refused = new ArrayList<>();

  /** The person said yes to the summary in this message (the only way a confirm may happen). */
  final boolean personConfirmed;

  boolean confirmRequested;
  boolean plansAsked;

  Turn(ConversationState state, boolean personConfirmed) {
    this.state = state;
    this.personConfirmed = personConfirmed;
  }

  /** Applies one validated change; a refusal is kept as a problem and the state stays as it was. */
  public String apply(Supplier<String> change) {
    try {
      String note = change.get();
      accepted.add(note);
      return note;
    } catch (InvalidInputException e) {
      refused.add(e.getMessage());
      return "Refused: " + e.getMessage();
    } catch (UnavailableException e) {
      String message = "I could not check that right now (" + e.getMessage() + "). Try again.";
      refused.add(message);
      return "Refused: " + message;
    }
  }

  public ConversationState state() {
    return state;
  }

  public boolean personConfirmed() {
    return personConfirmed;
  }

  /** Asks for the sign-up once the turn's changes are in (only if the summary may be confirmed). */
  public void requestConfirm() {
    confirmRequested = true;
  }

  public void plansAsked() {
    plansAsked = true;
  }

  public List<String> accepted() {
    return List.copyOf(accepted);
  }

  public List<String> refused() {
    return List.copyOf(refused);
  }
}
