package cloud.openclaw.onboarding.http;

import cloud.openclaw.onboarding.conversation.ConversationState;
import java.util.List;
import java.util.Locale;

/** A conversation as {@code GET /conversations/{key}} shows it: no token, no nonce. */
record ConversationView(
    String key,
    String stage,
    String asking,
    String useCase,
    Long botId,
    String botUsername,
    Long ownerTelegramUserId,
    List<Long> allowedTelegramUserIds,
    String plan,
    String email,
    int questionsAsked,
    int attempt,
    String customerId,
    String boxId,
    List<String> progress,
    String liveUrl) {

  static ConversationView of(ConversationState state, String asking) {
    return new ConversationView(
        state.key,
        state.stage.name().toLowerCase(Locale.ROOT),
        asking,
        state.useCase,
        state.botId,
        state.botUsername,
        state.ownerTelegramUserId,
        state.allowedTelegramUserIds,
        state.plan,
        state.email,
        state.questionsAsked,
        state.attempt,
        state.customerId,
        state.boxId,
        List.copyOf(state.progressSent),
        state.liveUrl);
  }
}
