package cloud.openclaw.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.StripeEvent;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.testkit.TestPostgres;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StripeEventStoreIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  static Database db;
  static StripeEventStore events;

  static final Instant CREATED = Instant.parse("2025-03-01T12:00:00Z");

  @BeforeAll
  static void migrate() {
    db = StoreFixtures.connect(postgres);
    events = new StripeEventStore(db);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @BeforeEach
  void empty() {
    db.execute().dml("DELETE FROM stripe_events");
  }

  static StripeEvent event(String id) {
    return event(id, CREATED);
  }

  static StripeEvent event(String id, Instant created) {
    return StripeEvent.received(
        id,
        "invoice.payment_succeeded",
        created,
        "{\"id\": \"" + id + "\", \"data\": {\"object\": {\"amount_paid\": 1900}}}");
  }

  @Test
  void storesAnEventOnceHoweverOftenItIsDelivered() throws Exception {
    StripeEvent event = event("evt_1");

    assertThat(events.insertIfNew(event)).isTrue();
    assertThat(events.insertIfNew(event)).isFalse();

    StripeEvent stored = events.find(db.execute(), "evt_1").orElseThrow();
    assertThat(stored.type()).isEqualTo("invoice.payment_succeeded");
    assertThat(stored.created()).isEqualTo(CREATED);
    assertThat(stored.receivedAt()).isNotNull();
    assertThat(stored.processed()).isFalse();
    ObjectMapper json = new ObjectMapper();
    JsonNode payload = json.readTree(stored.payload());
    assertThat(payload).isEqualTo(json.readTree(event.payload()));
    assertThat(payload.at("/data/object/amount_paid").asInt()).isEqualTo(1900);
  }

  @Test
  void refusesWhatIsNotAStripeEvent() {
    assertThatThrownBy(() -> events.insertIfNew(event("ch_123")))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("id"));
    assertThatThrownBy(
            () -> events.insertIfNew(StripeEvent.received("evt_2", "x", CREATED, "{not json")))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void marksAnEventProcessedOnce() {
    events.insertIfNew(event("evt_a"));
    events.insertIfNew(event("evt_b"));

    assertThat(events.markProcessed(db.execute(), "evt_a")).isTrue();
    assertThat(events.markProcessed(db.execute(), "evt_a")).isFalse();
    assertThat(events.markProcessed(db.execute(), "evt_unknown")).isFalse();

    assertThat(events.find(db.execute(), "evt_a").orElseThrow().processedAt()).isNotNull();
    assertThat(events.listUnprocessed(db.execute(), 10))
        .extracting(StripeEvent::id)
        .containsExactly("evt_b");
  }

  @Test
  void listsUnprocessedEventsOldestReceivedFirstWhenStripeMadeThemAtOnce() {
    for (String id : new String[] {"evt_3", "evt_1", "evt_2"}) {
      events.insertIfNew(event(id));
    }

    assertThat(events.listUnprocessed(db.execute(), 2))
        .extracting(StripeEvent::id)
        .containsExactly("evt_3", "evt_1");
  }

  @Test
  void theNextEventIsTheOldestStripeMadeWhateverArrivedFirst() {
    events.insertIfNew(event("evt_later", CREATED.plusSeconds(10)));
    events.insertIfNew(event("evt_sooner", CREATED));

    Optional<StripeEventStore.Due> next = db.inTransaction(tx -> events.lockNextDue(tx.execute()));

    assertThat(next.orElseThrow().event().id()).isEqualTo("evt_sooner");
    assertThat(events.listUnprocessed(db.execute(), 10))
        .extracting(StripeEvent::id)
        .containsExactly("evt_sooner", "evt_later");
  }

  @Test
  void anEventWaitingForItsRetryIsNotDue() {
    events.insertIfNew(event("evt_waits"));
    db.execute()
        .dml(
            "UPDATE stripe_events SET attempts = 2, next_attempt_at = now() + interval '1 hour'"
                + " WHERE id = 'evt_waits'");
    events.insertIfNew(event("evt_due", CREATED.plusSeconds(1)));

    StripeEventStore.Due due =
        db.inTransaction(tx -> events.lockNextDue(tx.execute())).orElseThrow();

    assertThat(due.event().id()).isEqualTo("evt_due");
    assertThat(due.attempts()).isZero();
  }

  @Test
  void twoWorkersNeverHoldTheSameEvent() throws Exception {
    events.insertIfNew(event("evt_x"));
    events.insertIfNew(event("evt_y"));
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);

    CompletableFuture<String> first =
        CompletableFuture.supplyAsync(
            () ->
                db.inTransaction(
                    tx -> {
                      StripeEvent held = events.lockNextDue(tx.execute()).orElseThrow().event();
                      locked.countDown();
                      await(release);
                      events.markProcessed(tx.execute(), held.id());
                      return held.id();
                    }));
    assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

    Optional<StripeEvent> second =
        db.inTransaction(tx -> events.lockNextDue(tx.execute()).map(StripeEventStore.Due::event));
    release.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("evt_x");
    assertThat(second).map(StripeEvent::id).contains("evt_y");
    assertThat(events.listUnprocessed(db.execute(), 10))
        .extracting(StripeEvent::id)
        .containsExactly("evt_y");
  }

  @Test
  void forgetsEventsProcessedBeforeTheRetention() {
    events.insertIfNew(event("evt_old"));
    events.insertIfNew(event("evt_open"));
    events.markProcessed(db.execute(), "evt_old");

    assertThat(events.deleteProcessedBefore(db.execute(), Instant.now().plusSeconds(60)))
        .isEqualTo(1);
    assertThat(events.find(db.execute(), "evt_old")).isEmpty();
    assertThat(events.find(db.execute(), "evt_open")).isPresent();
  }

  static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
