package cloud.openclaw.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.testkit.TestPostgres;
import io.helidon.dbclient.DbRow;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BoxStoreIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  static Database db;
  static CryptoSettings classKeys;
  static SecretBox secrets;
  static BoxStore boxes;

  @BeforeAll
  static void migrate() {
    db = StoreFixtures.connect(postgres);
    classKeys = StoreFixtures.crypto("k1", "k1");
    secrets = new SecretBox(classKeys);
    boxes = new BoxStore(db, secrets);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  static DbRow raw(UUID boxId) {
    return db.execute()
        .get("SELECT bot_token_ciphertext, bot_token_key_id FROM boxes WHERE id = ?", boxId)
        .orElseThrow();
  }

  static void assertConflict(Runnable action, String code) {
    assertThatThrownBy(action::run)
        .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  @Test
  void createsALiveBoxWaitingToBeProvisioned() {
    UUID customer = StoreFixtures.customer(db).id();
    NewBox request =
        new NewBox(
            customer,
            StoreFixtures.next(),
            "helper_bot",
            StoreFixtures.botToken(1),
            List.of(11L, 22L, 9_000_000_000L),
            "claude-opus",
            ThinkingLevel.XHIGH,
            BoxRuntime.KUBERNETES);

    Box box = boxes.create(db.execute(), request);

    assertThat(box.customerId()).isEqualTo(customer);
    assertThat(box.botId()).isEqualTo(request.botId());
    assertThat(box.allowedTelegramUserIds()).containsExactly(11L, 22L, 9_000_000_000L);
    assertThat(box.thinkingLevel()).isEqualTo(ThinkingLevel.XHIGH);
    assertThat(box.runtime()).isEqualTo(BoxRuntime.KUBERNETES);
    assertThat(box.desiredState()).isEqualTo(BoxDesiredState.RUNNING);
    assertThat(box.observedState()).isEqualTo(BoxObservedState.PENDING);
    assertThat(box.isLive()).isTrue();
    assertThat(box.readyAt()).isNull();
    assertThat(boxes.find(box.id()).orElseThrow().allowedTelegramUserIds())
        .containsExactly(11L, 22L, 9_000_000_000L);
    assertThat(boxes.findLiveForCustomer(customer)).map(Box::id).contains(box.id());
    assertThat(boxes.findLiveByBotId(db.execute(), request.botId()))
        .map(Box::id)
        .contains(box.id());
  }

  @Test
  void storesTheBotTokenSealedAndOpensItBack() {
    UUID customer = StoreFixtures.customer(db).id();
    NewBox request = StoreFixtures.newBox(customer);

    Box box = boxes.create(db.execute(), request);

    DbRow row = raw(box.id());
    byte[] stored = Rows.bytes(row, "bot_token_ciphertext");
    String asText = new String(stored, StandardCharsets.ISO_8859_1);
    assertThat(asText)
        .doesNotContain(request.botToken())
        .doesNotContain(request.botToken().substring(12));
    assertThat(Rows.string(row, "bot_token_key_id")).isEqualTo("k1");
    assertThat(boxes.openBotToken(boxes.find(box.id()).orElseThrow()))
        .isEqualTo(request.botToken());
    assertThat(box.toString()).doesNotContain(request.botToken());
    assertThat(request.toString()).doesNotContain(request.botToken());
  }

  @Test
  void aTokenCopiedOntoAnotherBoxDoesNotOpen() {
    Box first = StoreFixtures.customerWithBox(db, secrets);
    Box second = StoreFixtures.customerWithBox(db, secrets);

    db.execute()
        .dml(
            "UPDATE boxes SET bot_token_ciphertext = ? WHERE id = ?",
            first.botToken().ciphertext(),
            second.id());
    Box tampered = boxes.find(second.id()).orElseThrow();

    assertThat(tampered.botToken().ciphertext()).isEqualTo(first.botToken().ciphertext());
    assertThatThrownBy(() -> boxes.openBotToken(tampered))
        .isInstanceOf(SecretBox.SecretException.class);
  }

  @Test
  void aCustomerHasOneLiveBoxAndMayHaveAnotherOnceItIsDestroyed() {
    UUID customer = StoreFixtures.customer(db).id();
    Box first = boxes.create(db.execute(), StoreFixtures.newBox(customer));

    assertConflict(() -> boxes.create(db.execute(), StoreFixtures.newBox(customer)), "box_exists");

    boxes.setDesiredState(db.execute(), first.id(), BoxDesiredState.DESTROYED);
    assertConflict(() -> boxes.create(db.execute(), StoreFixtures.newBox(customer)), "box_exists");

    Box destroyed = boxes.markObserved(db.execute(), first.id(), BoxObservedState.DESTROYED, null);
    assertThat(destroyed.destroyedAt()).isNotNull();
    Box second = boxes.create(db.execute(), StoreFixtures.newBox(customer));

    assertThat(boxes.findLiveForCustomer(customer)).map(Box::id).contains(second.id());
    assertThat(boxes.listForCustomer(db.execute(), customer))
        .extracting(Box::id)
        .containsExactly(second.id(), first.id());
  }

  @Test
  void aBotRunsInOneLiveBoxOnly() {
    long botId = StoreFixtures.next();
    Box first =
        boxes.create(db.execute(), StoreFixtures.newBox(StoreFixtures.customer(db).id(), botId));
    UUID otherCustomer = StoreFixtures.customer(db).id();

    assertConflict(
        () -> boxes.create(db.execute(), StoreFixtures.newBox(otherCustomer, botId)), "bot_in_use");

    boxes.markObserved(db.execute(), first.id(), BoxObservedState.DESTROYED, null);
    assertThat(boxes.create(db.execute(), StoreFixtures.newBox(otherCustomer, botId)).botId())
        .isEqualTo(botId);
  }

  @Test
  void refusesAllowedUserListsOutsideOneToFifty() {
    UUID customer = StoreFixtures.customer(db).id();
    NewBox base = StoreFixtures.newBox(customer);
    List<Long> fiftyOne = LongStream.rangeClosed(1, 51).boxed().toList();

    for (List<Long> allowed : List.of(List.<Long>of(), fiftyOne)) {
      NewBox invalid =
          new NewBox(
              customer,
              base.botId(),
              base.botUsername(),
              base.botToken(),
              allowed,
              base.model(),
              base.thinkingLevel(),
              base.runtime());
      assertThatThrownBy(() -> boxes.create(db.execute(), invalid))
          .isInstanceOfSatisfying(
              InvalidInputException.class,
              e -> assertThat(e.field()).isEqualTo("allowedTelegramUserIds"));
    }
    assertThat(boxes.findLiveForCustomer(customer)).isEmpty();
  }

  @Test
  void aBoxForAnUnknownCustomerIsNotFound() {
    assertThatThrownBy(() -> boxes.create(db.execute(), StoreFixtures.newBox(UUID.randomUUID())))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void readyAtIsTheFirstTimeTheBoxRan() throws InterruptedException {
    Box box = StoreFixtures.customerWithBox(db, secrets);

    boxes.markObserved(db.execute(), box.id(), BoxObservedState.PROVISIONING, null);
    Box running = boxes.markObserved(db.execute(), box.id(), BoxObservedState.RUNNING, null);
    assertThat(running.readyAt()).isNotNull();

    Thread.sleep(5);
    boxes.markObserved(db.execute(), box.id(), BoxObservedState.SUSPENDED, null);
    Box failed = boxes.markObserved(db.execute(), box.id(), BoxObservedState.FAILED, "image pull");
    assertThat(failed.lastError()).isEqualTo("image pull");
    Box again = boxes.markObserved(db.execute(), box.id(), BoxObservedState.RUNNING, null);

    assertThat(again.readyAt()).isEqualTo(running.readyAt());
    assertThat(again.lastError()).isNull();
    assertThat(again.destroyedAt()).isNull();
  }

  @Test
  void aDestroyedBoxChangesNoMore() {
    Box box = StoreFixtures.customerWithBox(db, secrets);
    Box destroyed = boxes.markObserved(db.execute(), box.id(), BoxObservedState.DESTROYED, null);
    assertThat(destroyed.desiredState()).isEqualTo(BoxDesiredState.DESTROYED);

    assertConflict(
        () -> boxes.markObserved(db.execute(), box.id(), BoxObservedState.RUNNING, null),
        "box_destroyed");
    assertConflict(
        () -> boxes.setDesiredState(db.execute(), box.id(), BoxDesiredState.RUNNING),
        "box_destroyed");
    assertConflict(
        () ->
            boxes.updateSettings(
                db.execute(), box.id(), new BoxSettings(List.of(1L), "m", ThinkingLevel.OFF)),
        "box_destroyed");
    assertConflict(() -> boxes.setNamespace(db.execute(), box.id(), "ns-x"), "box_destroyed");

    // Seeing it destroyed again (a retried job) is no error and keeps the first time.
    Box again = boxes.markObserved(db.execute(), box.id(), BoxObservedState.DESTROYED, null);
    assertThat(again.destroyedAt()).isEqualTo(destroyed.destroyedAt());
    assertThat(boxes.setDesiredState(db.execute(), box.id(), BoxDesiredState.DESTROYED).isLive())
        .isFalse();
  }

  @Test
  void aBoxMeantToBeDestroyedCannotBeBroughtBack() {
    Box box = StoreFixtures.customerWithBox(db, secrets);
    boxes.setDesiredState(db.execute(), box.id(), BoxDesiredState.SUSPENDED);
    boxes.setDesiredState(db.execute(), box.id(), BoxDesiredState.RUNNING);
    boxes.setDesiredState(db.execute(), box.id(), BoxDesiredState.DESTROYED);

    assertConflict(
        () -> boxes.setDesiredState(db.execute(), box.id(), BoxDesiredState.RUNNING),
        "box_destroyed");
    assertThat(
            boxes.setDesiredState(db.execute(), box.id(), BoxDesiredState.DESTROYED).desiredState())
        .isEqualTo(BoxDesiredState.DESTROYED);
  }

  @Test
  void updatesSettingsOfALiveBox() {
    Box box = StoreFixtures.customerWithBox(db, secrets);

    Box updated =
        boxes.updateSettings(
            db.execute(), box.id(), new BoxSettings(List.of(7L, 8L), "gpt-x", ThinkingLevel.HIGH));

    assertThat(updated.allowedTelegramUserIds()).containsExactly(7L, 8L);
    assertThat(updated.model()).isEqualTo("gpt-x");
    assertThat(updated.thinkingLevel()).isEqualTo(ThinkingLevel.HIGH);
    assertThat(boxes.openBotToken(updated)).isEqualTo(boxes.openBotToken(box));
    assertThatThrownBy(
            () ->
                boxes.updateSettings(
                    db.execute(), box.id(), new BoxSettings(List.of(), "m", ThinkingLevel.OFF)))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(
            () ->
                boxes.updateSettings(
                    db.execute(),
                    UUID.randomUUID(),
                    new BoxSettings(List.of(1L), "m", ThinkingLevel.OFF)))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void keepsWhatTheBoxIsFor() {
    UUID customer = StoreFixtures.customer(db).id();
    NewBox base = StoreFixtures.newBox(customer);
    Box box =
        boxes.create(
            db.execute(),
            new NewBox(
                customer,
                base.botId(),
                base.botUsername(),
                base.botToken(),
                base.allowedTelegramUserIds(),
                base.model(),
                base.thinkingLevel(),
                base.runtime(),
                "A tutor for my kids"));
    assertThat(boxes.find(box.id()).orElseThrow().useCase()).isEqualTo("A tutor for my kids");

    assertThat(boxes.setUseCase(db.execute(), box.id(), "A chess coach").useCase())
        .isEqualTo("A chess coach");
    assertThat(boxes.setUseCase(db.execute(), box.id(), null).useCase()).isNull();
    assertThat(StoreFixtures.customerWithBox(db, secrets).useCase()).isNull();
    assertThatThrownBy(() -> boxes.setUseCase(db.execute(), box.id(), "x".repeat(2001)))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("useCase"));
  }

  @Test
  void aNamespaceBelongsToOneBox() {
    Box first = StoreFixtures.customerWithBox(db, secrets);
    Box second = StoreFixtures.customerWithBox(db, secrets);
    String namespace = "oc-" + StoreFixtures.next();

    assertThat(boxes.setNamespace(db.execute(), first.id(), namespace).namespace())
        .isEqualTo(namespace);
    assertConflict(
        () -> boxes.setNamespace(db.execute(), second.id(), namespace), "namespace_taken");
  }

  @Test
  void listsLiveBoxesByStateAndThoseNotConverged() {
    Box running = StoreFixtures.customerWithBox(db, secrets);
    boxes.markObserved(db.execute(), running.id(), BoxObservedState.RUNNING, null);
    Box suspending = StoreFixtures.customerWithBox(db, secrets);
    boxes.setDesiredState(db.execute(), suspending.id(), BoxDesiredState.SUSPENDED);
    Box destroyed = StoreFixtures.customerWithBox(db, secrets);
    boxes.markObserved(db.execute(), destroyed.id(), BoxObservedState.DESTROYED, null);

    assertThat(boxes.listLive(db.execute()))
        .extracting(Box::id)
        .contains(running.id(), suspending.id())
        .doesNotContain(destroyed.id());
    assertThat(boxes.listByDesiredState(db.execute(), BoxDesiredState.SUSPENDED))
        .extracting(Box::id)
        .contains(suspending.id())
        .doesNotContain(running.id(), destroyed.id());
    assertThat(boxes.listUnconverged(db.execute()))
        .extracting(Box::id)
        .contains(suspending.id())
        .doesNotContain(running.id(), destroyed.id());
  }

  @Test
  void aTokenSealedWithTheOldKeyOpensAfterRotationAndResealMovesItToTheNewKey() {
    CryptoSettings keys = StoreFixtures.crypto("a", "a", "b");
    BoxStore underA = new BoxStore(db, new SecretBox(keys));
    NewBox request = StoreFixtures.newBox(StoreFixtures.customer(db).id());
    Box box = underA.create(db.execute(), request);
    assertThat(box.botToken().keyId()).isEqualTo("a");

    SecretBox rotated = new SecretBox(StoreFixtures.withActive(keys, "b"));
    BoxStore underB = new BoxStore(db, rotated);
    Box stillA = underB.find(box.id()).orElseThrow();
    assertThat(underB.openBotToken(stillA)).isEqualTo(request.botToken());
    assertThat(rotated.needsRotation(stillA.botToken())).isTrue();

    Box resealed = underB.reseal(db.execute(), stillA);

    assertThat(resealed.botToken().keyId()).isEqualTo("b");
    assertThat(Rows.string(raw(box.id()), "bot_token_key_id")).isEqualTo("b");
    assertThat(underB.reseal(db.execute(), resealed).botToken().ciphertext())
        .isEqualTo(resealed.botToken().ciphertext());
    // Key a can now be retired: a store that knows only b opens the token.
    CryptoSettings onlyB = new CryptoSettings("b", Map.of("b", keys.keys().get("b")));
    BoxStore withoutA = new BoxStore(db, new SecretBox(onlyB));
    assertThat(withoutA.openBotToken(withoutA.find(box.id()).orElseThrow()))
        .isEqualTo(request.botToken());
  }

  @Test
  void resealAllMovesEveryBoxOffRetiredKeys() {
    Map<String, byte[]> keys = new HashMap<>(StoreFixtures.crypto("old", "old", "new").keys());
    keys.putAll(classKeys.keys());
    BoxStore underOld = new BoxStore(db, new SecretBox(new CryptoSettings("old", keys)));
    Box live = underOld.create(db.execute(), StoreFixtures.newBox(StoreFixtures.customer(db).id()));
    Box gone = underOld.create(db.execute(), StoreFixtures.newBox(StoreFixtures.customer(db).id()));
    underOld.markObserved(db.execute(), gone.id(), BoxObservedState.DESTROYED, null);
    String liveToken = underOld.openBotToken(live);
    String goneToken = underOld.openBotToken(gone);
    long notUnderNew = countNotUnder("new");

    BoxStore underNew = new BoxStore(db, new SecretBox(new CryptoSettings("new", keys)));
    BoxStore.ResealReport report = underNew.resealAll(db.execute());

    // Every box it can open moved, under "old" or "k1", destroyed ones included; a box sealed
    // under a key this store lacks (another test's) is reported, not lost.
    assertThat(notUnderNew).isGreaterThanOrEqualTo(2);
    assertThat(report.moved()).isGreaterThanOrEqualTo(2);
    assertThat(report.moved() + report.unopenable().size()).isEqualTo(notUnderNew);
    assertThat(countNotUnder("new")).isEqualTo(report.unopenable().size());
    assertThat(report.unopenable()).doesNotContain(live.id(), gone.id());
    for (UUID id : report.unopenable()) {
      assertThat(keys).doesNotContainKey(Rows.string(raw(id), "bot_token_key_id"));
    }
    assertThat(underNew.resealAll(db.execute()).moved()).isZero();
    // Only the new key is needed now.
    BoxStore onlyNew =
        new BoxStore(db, new SecretBox(new CryptoSettings("new", Map.of("new", keys.get("new")))));
    assertThat(onlyNew.openBotToken(onlyNew.find(live.id()).orElseThrow())).isEqualTo(liveToken);
    assertThat(onlyNew.openBotToken(onlyNew.find(gone.id()).orElseThrow())).isEqualTo(goneToken);
  }

  static long countNotUnder(String keyId) {
    return Rows.longValue(
        db.execute()
            .get("SELECT count(*) AS n FROM boxes WHERE bot_token_key_id <> ?", keyId)
            .orElseThrow(),
        "n");
  }
}
