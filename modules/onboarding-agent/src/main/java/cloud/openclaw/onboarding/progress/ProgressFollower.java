package cloud.openclaw.onboarding.progress;

import cloud.openclaw.onboarding.conversation.ConversationEvents;
import cloud.openclaw.onboarding.conversation.ConversationLock;
import cloud.openclaw.onboarding.conversation.ConversationState;
import cloud.openclaw.onboarding.conversation.ConversationStore;
import cloud.openclaw.onboarding.conversation.Stage;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.events.EventBus;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.store.BoxStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells conversations that wait for payment how their box gets on: the operator's progress events
 * on the customers' channels (one pattern subscription, {@code {"boxId","job","step","message"}})
 * become {@code progress} events (paid, provisioning, starting, live) and finally {@code live} with
 * the bot's t.me link. Which conversation waits for which customer is in Redis, so a restarted
 * agent follows them on; and each time the subscription is (re)made the boxes are looked up, since
 * events published meanwhile are lost.
 */
public final class ProgressFollower implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProgressFollower.class.getName());

  private final EventBus bus;
  private final ConversationStore store;
  private final ConversationLock lock;
  private final ConversationEvents events;
  private final BoxStore boxes;
  private EventBus.Subscription subscription;

  public ProgressFollower(
      EventBus bus,
      ConversationStore store,
      ConversationLock lock,
      ConversationEvents events,
      BoxStore boxes) {
    this.bus = bus;
    this.store = store;
    this.lock = lock;
    this.events = events;
    this.boxes = boxes;
  }

  public ProgressFollower start() {
    subscription = bus.subscribeAll(EventBus.customerChannelPrefix(), this::onEvent, this::catchUp);
    return this;
  }

  /** Looks up the box of every waiting conversation: what was missed while not subscribed. */
  void catchUp() {
    Thread.ofVirtual()
        .name("onboarding-progress-catch-up")
        .start(
            () -> {
              for (Map.Entry<String, String> waiting : store.awaiting().entrySet()) {
                try {
                  checkBox(waiting.getKey(), waiting.getValue());
                } catch (RuntimeException e) {
                  LOG.log(Level.WARNING, "catching up on " + waiting.getValue() + " failed", e);
                }
              }
            });
  }

  private void checkBox(String customerId, String key) {
    Optional<ConversationState> state = store.load(key);
    if (state.isEmpty() || state.get().boxId == null) {
      return;
    }
    Optional<Box> box = boxes.find(UUID.fromString(state.get().boxId));
    if (box.isPresent() && box.get().observedState() == BoxObservedState.RUNNING) {
      update(customerId, key, "live");
    } else if (box.isPresent() && box.get().observedState() == BoxObservedState.PROVISIONING) {
      update(customerId, key, "accepted");
    }
  }

  private void onEvent(String channel, String message) {
    String customerId = channel.substring(EventBus.customerChannelPrefix().length());
    Optional<String> key = store.awaitingConversation(customerId);
    if (key.isEmpty()) {
      return;
    }
    JsonNode event;
    try {
      event = Json.MAPPER.readTree(message);
    } catch (IOException e) {
      return;
    }
    String step = event.path("step").asText("");
    if (!step.isEmpty()) {
      update(customerId, key.get(), step);
    }
  }

  /** Applies one operator step to the conversation, telling each stage once. */
  void update(String customerId, String key, String step) {
    String stage = ProgressStages.stage(step);
    if (stage == null && !ProgressStages.failed(step)) {
      return;
    }
    lock.holding(
        key,
        () -> {
          ConversationState state = store.load(key).orElse(null);
          if (state == null || state.stage != Stage.CHECKOUT) {
            return null;
          }
          if (ProgressStages.failed(step)) {
            events.error(
                key,
                "provisioning_" + step,
                "Setting up your agent hit a problem; we're on it and will email you.");
            return null;
          }
          tell(state, "paid");
          for (String next : ProgressStages.upTo(stage)) {
            tell(state, next);
          }
          if (stage.equals("live")) {
            state.stage = Stage.LIVE;
            state.liveUrl = "https://t.me/" + state.botUsername;
            events.message(
                key,
                ConversationEvents.newMessageId(),
                "Your agent is live! Say hi to it: " + state.liveUrl);
            events.live(key, state.botUsername, state.liveUrl);
            store.stopAwaiting(customerId);
          }
          store.save(state);
          return null;
        });
  }

  private void tell(ConversationState state, String stage) {
    if (state.progressSent.contains(stage)) {
      return;
    }
    state.progressSent.add(stage);
    events.progress(state.key, stage, ProgressStages.text(stage));
  }

  @Override
  public void close() {
    if (subscription != null) {
      subscription.close();
    }
  }
}
