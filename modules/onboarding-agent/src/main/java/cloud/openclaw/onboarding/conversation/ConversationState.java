package cloud.openclaw.onboarding.conversation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * What one conversation knows, as stored in Redis (JSON). The bot token is only ever here sealed
 * ({@link #botTokenSealed}, SecretBox with the conversation key as associated data). Changed only
 * through {@link StateMachine}, which validates every value.
 */
// A state saved by an earlier version may hold a field this one dropped (checkoutUrl).
@JsonIgnoreProperties(ignoreUnknown = true)
public final class ConversationState {
  public String key;
  public Stage stage = Stage.COLLECTING;

  /** A slot asked again (go back, "change my email") before the first unanswered one; or null. */
  public Slot reopened;

  public boolean greeted;
  public String useCase;
  public Long botId;
  public String botUsername;
  public String botTokenKeyId;
  public String botTokenSealed;
  public Long ownerTelegramUserId;

  /** The one-time nonce of the owner's deep link (web), while the proof is awaited. */
  public String ownerNonce;

  /** Who else may talk to the agent; null until answered (empty: only the owner). */
  public List<Long> allowedTelegramUserIds;

  public String plan;
  public String email;
  public boolean summaryShown;

  /** Questions asked so far (each time the conversation asked for a slot or the confirmation). */
  public int questionsAsked;

  /** The checkout attempt: a change after checkout opens a new one (a new Idempotency-Key). */
  public int attempt = 1;

  /** The reference of the mailed sign-up this conversation waits on (see SignupFollowUps). */
  public String followUp;

  /** The customer and box the mailed sign-up became, once its email's owner opened the link. */
  public String customerId;

  public String boxId;

  /** Progress stages already told (paid, provisioning, starting, live). */
  public List<String> progressSent = new ArrayList<>();

  public String liveUrl;

  public ConversationState() {}

  public ConversationState(String key) {
    this.key = key;
  }
}
