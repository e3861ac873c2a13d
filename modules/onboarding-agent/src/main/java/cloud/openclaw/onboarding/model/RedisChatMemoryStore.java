package cloud.openclaw.onboarding.model;

import cloud.openclaw.onboarding.conversation.Extraction;
import cloud.openclaw.platform.redis.Redis;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.params.SetParams;

/**
 * The model's memory of each conversation, in Redis ({@code onboarding:memory:<key>}, langchain4j's
 * JSON of the messages) with the conversation's TTL. Whatever looks like a bot token is redacted
 * before it is stored: the memory never holds one in the clear.
 */
public final class RedisChatMemoryStore implements ChatMemoryStore {
  private final Redis redis;
  private final Duration ttl;

  public RedisChatMemoryStore(Redis redis, Duration ttl) {
    this.redis = redis;
    this.ttl = ttl;
  }

  @Override
  public List<ChatMessage> getMessages(Object memoryId) {
    String json = redis.client().get(key(memoryId));
    return json == null ? List.of() : ChatMessageDeserializer.messagesFromJson(json);
  }

  @Override
  public void updateMessages(Object memoryId, List<ChatMessage> messages) {
    String json = Extraction.redact(ChatMessageSerializer.messagesToJson(messages));
    redis.client().set(key(memoryId), json, SetParams.setParams().px(ttl.toMillis()));
  }

  @Override
  public void deleteMessages(Object memoryId) {
    redis.client().del(key(memoryId));
  }

  private String key(Object memoryId) {
    return redis.key("onboarding", "memory", String.valueOf(memoryId));
  }
}
