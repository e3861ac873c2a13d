/**
 * The onboarding conversation's Telegram transport: the setup bot.
 *
 * <p>{@link cloud.openclaw.onboarding.telegram.SetupBot#start} (null-free: empty when {@code
 * onboarding.telegram.token} is empty) polls the setup bot's updates and hands each person's input
 * to a {@link cloud.openclaw.onboarding.telegram.ConversationInput} under the key {@code
 * tg:<telegramUserId>}; the conversation answers by appending events to the {@link
 * cloud.openclaw.platform.onboarding.ConversationLog}, which the setup bot renders in the person's
 * chat from a cursor kept in Redis. The service's Main wires it to the conversation with {@link
 * cloud.openclaw.onboarding.telegram.ConversationsInput}.
 *
 * <p>How events look in Telegram: {@code message} is sent whole ({@code delta} is skipped); {@code
 * choices} are inline buttons with callback data {@code <slot>:<value>} on the message before them;
 * {@code managed_bot} is a reply keyboard with a request_managed_bot button and a button sending
 * {@link cloud.openclaw.onboarding.telegram.ConversationInput#PASTE_TOKEN_TEXT}; {@code owner_link}
 * is an "Open my bot" URL button; {@code check_email} shows nothing (its message says it); {@code
 * progress} is one message edited as the stages advance; {@code live} is an "Open @bot" URL button
 * (and the reply keyboard goes); {@code error} is a plain message with its {@code message}.
 */
package cloud.openclaw.onboarding.telegram;
