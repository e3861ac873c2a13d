package cloud.openclaw.sandbox.telegram;

import cloud.openclaw.sandbox.telegram.ChatEntry.Kind;
import cloud.openclaw.sandbox.telegram.ChatEntry.Sender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One bot's whole state as plain data, as {@link BotState} writes it to the sandbox's state
 * directory ({@code telegram/bot-<id>.json}) after every change and reads it back at start: the bot
 * and its token, whether the token is revoked, the updates not yet confirmed and the next update id
 * (OpenClaw drops updates whose ids go backwards), the chats, commands, webhook and counters, and
 * for a managed bot the bot that manages it and the person who owns it (null otherwise, and in
 * files written before managed bots).
 */
record SavedBot(
    Bot bot,
    boolean revoked,
    long nextUpdateId,
    List<SavedUpdate> pending,
    List<SavedChat> chats,
    Map<String, ArrayNode> commands,
    Map<String, Long> calls,
    String webhookUrl,
    List<String> allowedUpdates,
    long polls,
    Instant firstPollAt,
    long updates,
    long sent,
    Long managerBotId,
    User owner) {

  /** An update waiting for getUpdates to confirm it, as it will be delivered. */
  record SavedUpdate(long id, ObjectNode json) {}

  /** A chat and where its ids go on; {@code keyboard} the reply keyboard shown, or null. */
  record SavedChat(
      long id,
      User user,
      long nextMessageId,
      long nextSeq,
      List<SavedEntry> entries,
      JsonNode keyboard) {}

  /**
   * A chat entry with what may still change about it. {@code deleted} is only read (files from
   * before deleteMessage removed entries): such entries are dropped.
   */
  record SavedEntry(
      long seq,
      Kind kind,
      Sender sender,
      long messageId,
      long date,
      String text,
      String rawText,
      String parseMode,
      ArrayNode entities,
      JsonNode replyMarkup,
      String action,
      Long replyTo,
      Long editDate,
      boolean deleted,
      List<String> reactions,
      JsonNode managedBotCreated,
      String callbackQueryId,
      String callbackData,
      String callbackAnswer) {}
}
