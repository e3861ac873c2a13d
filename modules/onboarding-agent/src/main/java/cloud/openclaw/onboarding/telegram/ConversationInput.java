package cloud.openclaw.onboarding.telegram;

import cloud.openclaw.onboarding.conversation.Questions;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where the setup bot hands what a person did to their conversation. {@code conversationKey} is
 * {@code tg:<telegramUserId>}; {@code input} is one of
 *
 * <ul>
 *   <li>{@code {"type":"text","text"}}: a message; {@code /start} (from a t.me link or typed, its
 *       payload, if any, in {@code "startPayload"}) means "resume or begin"; the reply keyboard's
 *       second button (shown with a {@code managed_bot} event) sends {@link #PASTE_TOKEN_TEXT}
 *   <li>{@code {"type":"choice","slot","value"}}: an inline button of a {@code choices} event
 *   <li>{@code {"type":"bot_token","token"}}: a pasted BotFather token (its message is already
 *       deleted from the chat; never echo or log it)
 *   <li>{@code {"type":"managed_bot","token","botId","botUsername"}}: the person created their bot
 *       with the request_managed_bot button; they own it (Telegram says so), so the owner's user id
 *       is {@code telegramUserId}
 * </ul>
 *
 * and every one also carries {@code "telegramUserId"} (the sender, who in Telegram is the owner)
 * and {@code "firstName"}. The call should return once the input is taken (the reply goes to the
 * ConversationLog): the setup bot confirms updates to Telegram only after this returns, and waits
 * for it before polling again.
 */
@FunctionalInterface
public interface ConversationInput {
  /** What the person sends with the button for pasting a BotFather token instead. */
  String PASTE_TOKEN_TEXT = Questions.PASTE_TOKEN;

  void input(String conversationKey, ObjectNode input);
}
