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
import cloud.openclaw.platform.signup.SignupFollowUps;
import cloud.openclaw.platform.store.BoxStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Follows conversations whose sign-up was mailed: when the email's owner opens the link, the api
 * records what the sign-up became under the conversation's reference ({@link SignupFollowUps}), and
 * the conversation learns its customer and box. Then it tells them how their box gets on: the
 * operator's progress events on the customers' channels (one pattern subscription, {@code
 * {"boxId","job","step","message"}}) become {@code progress} events (paid, provisioning, starting,
 * live) and finally {@code live} with the bot's t.me link. Which conversation waits for which
 * customer is in Redis, so a restarted agent follows them on; and each time a subscription is
 * (re)made the follow-ups and boxes are looked up, since events published meanwhile are lost.
 */
public final class ProgressFollower implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProgressFollower.class.getName());

  private final EventBus bus;
  private final ConversationStore store;
  private final ConversationLock lock;
  private final ConversationEvents events;
  private final BoxStore boxes;
  private final SignupFollowUps followUps;
  private EventBus.Subscription subscription;
  private EventBus.Subscription followUpSubscription;

  public ProgressFollower(
      EventBus bus,
      ConversationStore store,
      ConversationLock lock,
      ConversationEvents events,
      BoxStore boxes,
      SignupFollowUps followUps) {
    this.bus = bus;
    this.store = store;
    this.lock = lock;
    this.events = events;
    this.boxes = boxes;
    this.followUps = followUps;
  }

  public ProgressFollower start() {
    subscription = bus.subscribeAll(EventBus.customerChannelPrefix(), this::onEvent, this::catchUp);
    followUpSubscription = followUps.subscribe(this::followUp, this::catchUpFollowUps);
    return this;
  }

  /** Looks up every mailed sign-up still waiting: what was recorded while not subscribed. */
  void catchUpFollowUps() {
    Thread.ofVirtual()
        .name("onboarding-follow-up-catch-up")
        .start(
            () -> {
              for (String reference : store.awaitingFollowUps().keySet()) {
                try {
                  followUp(reference);
                } catch (RuntimeException e) {
                  LOG.log(Level.WARNING, "catching up on follow-up " + reference + " failed", e);
                }
              }
            });
  }

  /**
   * The sign-up mailed under {@code reference} went on to the checkout: its conversation now waits
   * for that customer's box.
   */
  void followUp(String reference) {
    Optional<String> key = store.followUpConversation(reference);
    Optional<SignupFollowUps.FollowUp> followUp = followUps.find(reference);
    if (key.isEmpty() || followUp.isEmpty()) {
      return;
    }
    String customerId = followUp.get().customerId().toString();
    boolean linked =
        lock.holding(
            key.get(),
            () -> {
              ConversationState state = store.load(key.get()).orElse(null);
              store.stopAwaitingFollowUp(reference);
              if (state == null
                  || state.stage != Stage.CHECKOUT
                  || !reference.equals(state.followUp)) {
                return false; // the conversation changed its answers since, or expired
              }
              state.customerId = customerId;
              state.boxId = followUp.get().boxId().toString();
              state.botUsername = followUp.get().botUsername();
              store.awaitCustomer(customerId, state.key);
              store.save(state);
              events.message(
                  state.key,
                  ConversationEvents.newMessageId(),
                  "Thanks, your email is confirmed. Pay at the checkout in your browser and I'll"
                      + " tell you here when your agent is live.");
              return true;
            });
    if (linked) {
      checkBox(customerId, key.get()); // paid already, if it was meanwhile
    }
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
    if (followUpSubscription != null) {
      followUpSubscription.close();
    }
  }
}
