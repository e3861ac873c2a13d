package cloud.openclaw.platform.signup;

import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.redis.Redis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import redis.clients.jedis.params.SetParams;

/**
 * Where a sign-up continued from its mailed link meets the conversation that asked for it. The api
 * answers every sign-up alike (so nobody learns whether an email has an account), so the onboarding
 * agent only knows the reference it sent along; when the link's owner goes on to the checkout, the
 * api records under that reference which customer and box the sign-up became (in Redis for {@code
 * ttl}) and nudges {@link #CHANNEL}; the agent reads it there and follows the box.
 */
public final class SignupFollowUps {
  /** Carries the reference of each follow-up as it is recorded. */
  public static final String CHANNEL = "events:signup-follow-ups";

  /** The longest reference the api keeps. */
  public static final int REFERENCE_MAX = 200;

  /** Long enough for an agent down a while to catch up; a conversation itself lasts less. */
  static final Duration TTL = Duration.ofDays(1);

  private final Redis redis;
  private final EventBus bus;

  public SignupFollowUps(Redis redis, EventBus bus) {
    this.redis = redis;
    this.bus = bus;
  }

  /** What a continued sign-up became. */
  public record FollowUp(UUID customerId, UUID boxId, String botUsername) {}

  public void record(String reference, FollowUp followUp) {
    redis
        .client()
        .set(key(reference), Json.write(followUp), SetParams.setParams().px(TTL.toMillis()));
    bus.publish(CHANNEL, reference);
  }

  public Optional<FollowUp> find(String reference) {
    String json = redis.client().get(key(reference));
    return json == null
        ? Optional.empty()
        : Optional.of(Json.read(json.getBytes(StandardCharsets.UTF_8), FollowUp.class));
  }

  /**
   * Hands each recorded reference to {@code references}; {@code subscribed} runs whenever the
   * subscription is (re)made, to look up what was recorded meanwhile.
   */
  public EventBus.Subscription subscribe(Consumer<String> references, Runnable subscribed) {
    return bus.subscribe(CHANNEL, references, subscribed);
  }

  private String key(String reference) {
    return redis.key("signup", "follow-up", reference);
  }
}
