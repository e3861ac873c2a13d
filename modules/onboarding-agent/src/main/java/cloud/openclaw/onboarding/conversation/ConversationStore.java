package cloud.openclaw.onboarding.conversation;

import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.params.SetParams;

/**
 * Conversations in Redis: each state as JSON under {@code onboarding:state:<key>} with a TTL
 * renewed on every save, the conversations that wait for their mailed sign-up to be opened ({@code
 * onboarding:follow-ups}, reference to conversation key) and those that wait for payment ({@code
 * onboarding:awaiting}, customer id to conversation key), which outlive a restart of the agent.
 */
public final class ConversationStore {
  private final Redis redis;
  private final Duration ttl;

  public ConversationStore(Redis redis, Duration ttl) {
    this.redis = redis;
    this.ttl = ttl;
  }

  public Optional<ConversationState> load(String key) {
    String json = redis.client().get(stateKey(key));
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.MAPPER.readValue(json, ConversationState.class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("conversation " + key + " is stored unreadable", e);
    }
  }

  public void save(ConversationState state) {
    redis
        .client()
        .set(stateKey(state.key), Json.write(state), SetParams.setParams().px(ttl.toMillis()));
  }

  /** Remembers that {@code key} waits for the sign-up mailed under {@code reference}. */
  public void awaitFollowUp(String reference, String key) {
    redis.client().hset(followUpsKey(), reference, key);
  }

  public void stopAwaitingFollowUp(String reference) {
    redis.client().hdel(followUpsKey(), reference);
  }

  /** Reference to conversation key, for every conversation waiting for its mailed sign-up. */
  public Map<String, String> awaitingFollowUps() {
    return redis.client().hgetAll(followUpsKey());
  }

  public Optional<String> followUpConversation(String reference) {
    return Optional.ofNullable(redis.client().hget(followUpsKey(), reference));
  }

  /** Remembers that {@code key} waits for the box of {@code customerId}. */
  public void awaitCustomer(String customerId, String key) {
    redis.client().hset(awaitingKey(), customerId, key);
  }

  public void stopAwaiting(String customerId) {
    redis.client().hdel(awaitingKey(), customerId);
  }

  /** Customer id to conversation key, for every conversation waiting for its box. */
  public Map<String, String> awaiting() {
    return redis.client().hgetAll(awaitingKey());
  }

  public Optional<String> awaitingConversation(String customerId) {
    return Optional.ofNullable(redis.client().hget(awaitingKey(), customerId));
  }

  private String stateKey(String key) {
    return redis.key("onboarding", "state", key);
  }

  private String followUpsKey() {
    return redis.key("onboarding", "follow-ups");
  }

  private String awaitingKey() {
    return redis.key("onboarding", "awaiting");
  }
}
