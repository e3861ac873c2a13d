package cloud.openclaw.platform.store;

import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.NewBox;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Boxes: a customer's agent, its bot (token sealed at rest), settings, and the state the operator
 * drives it to. Destroyed boxes stay for the record; a destroyed box changes no more.
 */
public final class BoxStore {
  private static final String INSERT =
      """
      INSERT INTO boxes (id, customer_id, bot_id, bot_username, bot_token_ciphertext,
          bot_token_key_id, allowed_telegram_user_ids, model, thinking_level, runtime, use_case)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      RETURNING *\
      """;
  private static final String FIND = "SELECT * FROM boxes WHERE id = ?";
  private static final String FIND_LIVE_FOR_CUSTOMER =
      "SELECT * FROM boxes WHERE customer_id = ? AND destroyed_at IS NULL";
  private static final String FIND_LIVE_BY_BOT =
      "SELECT * FROM boxes WHERE bot_id = ? AND destroyed_at IS NULL";
  private static final String LIST_FOR_CUSTOMER =
      "SELECT * FROM boxes WHERE customer_id = ? ORDER BY created_at DESC, id DESC";
  private static final String LIST_LIVE =
      "SELECT * FROM boxes WHERE destroyed_at IS NULL ORDER BY created_at, id";
  private static final String LIST_LIVE_BY_DESIRED =
      """
      SELECT * FROM boxes WHERE destroyed_at IS NULL AND desired_state = ?
      ORDER BY created_at, id\
      """;
  private static final String LIST_UNCONVERGED =
      """
      SELECT * FROM boxes WHERE destroyed_at IS NULL AND observed_state <> desired_state
      ORDER BY updated_at, id\
      """;
  private static final String LIST_PAGE_BY_ID =
      "SELECT * FROM boxes WHERE id > ? ORDER BY id LIMIT ?";
  private static final String UPDATE_SETTINGS =
      """
      UPDATE boxes SET allowed_telegram_user_ids = ?, model = ?, thinking_level = ?,
          updated_at = now()
      WHERE id = ? AND destroyed_at IS NULL
      RETURNING *\
      """;
  // A box meant to be destroyed stays meant to be destroyed; destroying again is a no-op.
  private static final String SET_DESIRED =
      """
      UPDATE boxes SET desired_state = ?, updated_at = now()
      WHERE id = ? AND (? = 'destroyed' OR (destroyed_at IS NULL AND desired_state <> 'destroyed'))
      RETURNING *\
      """;
  // ready_at is the first time the box ran; destroyed_at the time it was seen destroyed, which is
  // final (so it is meant to be destroyed too).
  private static final String MARK_OBSERVED =
      """
      UPDATE boxes SET observed_state = ?, last_error = ?, updated_at = now(),
          desired_state = CASE WHEN ? = 'destroyed' THEN 'destroyed' ELSE desired_state END,
          ready_at = CASE WHEN ? = 'running' THEN coalesce(ready_at, now()) ELSE ready_at END,
          destroyed_at = CASE WHEN ? = 'destroyed' THEN now() ELSE NULL END
      WHERE id = ? AND destroyed_at IS NULL
      RETURNING *\
      """;
  // The same change, only from the observed state the caller saw and while the box should run.
  private static final String MARK_OBSERVED_IF =
      """
      UPDATE boxes SET observed_state = ?, last_error = ?, updated_at = now(),
          ready_at = CASE WHEN ? = 'running' THEN coalesce(ready_at, now()) ELSE ready_at END
      WHERE id = ? AND observed_state = ? AND desired_state = 'running' AND destroyed_at IS NULL
      RETURNING *\
      """;
  private static final String SET_USE_CASE =
      """
      UPDATE boxes SET use_case = ?, updated_at = now()
      WHERE id = ? AND destroyed_at IS NULL
      RETURNING *\
      """;
  private static final String SET_NAMESPACE =
      """
      UPDATE boxes SET namespace = ?, updated_at = now()
      WHERE id = ? AND destroyed_at IS NULL
      RETURNING *\
      """;
  // Only if nobody re-sealed it meanwhile (same key, same bytes).
  private static final String RESEAL =
      """
      UPDATE boxes SET bot_token_ciphertext = ?, bot_token_key_id = ?, updated_at = now()
      WHERE id = ? AND bot_token_key_id = ? AND bot_token_ciphertext = ?
      RETURNING *\
      """;

  private static final String REPLACE_BOT_TOKEN =
      """
      UPDATE boxes SET bot_token_ciphertext = ?, bot_token_key_id = ?, updated_at = now()
      WHERE id = ? AND destroyed_at IS NULL
      RETURNING *\
      """;

  private static final String COUNT_BY_KEY =
      "SELECT bot_token_key_id AS key_id, count(*) AS n FROM boxes GROUP BY bot_token_key_id";

  private static final int RESEAL_PAGE = 200;

  private static final Map<String, Supplier<DomainException>> CONSTRAINTS =
      Map.of(
          "boxes_one_live_per_customer",
          () -> new ConflictException("box_exists", "the customer has a box already"),
          "boxes_one_live_per_bot",
          () -> new ConflictException("bot_in_use", "this Telegram bot runs in another box"),
          "boxes_namespace_key",
          () -> new ConflictException("namespace_taken", "another box has this namespace"),
          "boxes_customer_id_fkey",
          () -> new NotFoundException("customer"),
          "boxes_bot_id_check",
          () -> new InvalidInputException("botId", "a Telegram bot id is positive"),
          "boxes_use_case_length",
          () ->
              new InvalidInputException(
                  "useCase", "the use case is at most " + Box.USE_CASE_MAX + " characters"),
          "boxes_allowed_telegram_user_ids_check",
          () ->
              new InvalidInputException(
                  "allowedTelegramUserIds", "allow between 1 and 50 Telegram users"));

  private final Database database;
  private final SecretBox secrets;

  public BoxStore(Database database, SecretBox secrets) {
    this.database = database;
    this.secrets = secrets;
  }

  /**
   * Creates a live box with its bot token sealed to it; refused while the customer or bot has one.
   */
  public Box create(DbExecute exec, NewBox box) {
    UUID id = UUID.randomUUID();
    SecretBox.Sealed token = secrets.seal(box.botToken(), Box.botTokenAssociatedData(id));
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            map(
                exec.get(
                        INSERT,
                        id,
                        box.customerId(),
                        box.botId(),
                        box.botUsername(),
                        token.ciphertext(),
                        token.keyId(),
                        Rows.param(box.allowedTelegramUserIds()),
                        box.model(),
                        box.thinkingLevel().dbValue(),
                        box.runtime().dbValue(),
                        box.useCase())
                    .orElseThrow()));
  }

  public Optional<Box> find(DbExecute exec, UUID id) {
    return exec.get(FIND, id).map(BoxStore::map);
  }

  public Optional<Box> find(UUID id) {
    return find(database.execute(), id);
  }

  /** The customer's box that is not destroyed, if any (there is at most one). */
  public Optional<Box> findLiveForCustomer(DbExecute exec, UUID customerId) {
    return exec.get(FIND_LIVE_FOR_CUSTOMER, customerId).map(BoxStore::map);
  }

  public Optional<Box> findLiveForCustomer(UUID customerId) {
    return findLiveForCustomer(database.execute(), customerId);
  }

  /** The live box that polls this bot, if any (there is at most one). */
  public Optional<Box> findLiveByBotId(DbExecute exec, long botId) {
    return exec.get(FIND_LIVE_BY_BOT, botId).map(BoxStore::map);
  }

  /** All the customer's boxes, destroyed ones included, newest first. */
  public List<Box> listForCustomer(DbExecute exec, UUID customerId) {
    return list(exec, LIST_FOR_CUSTOMER, customerId);
  }

  public List<Box> listLive(DbExecute exec) {
    return list(exec, LIST_LIVE);
  }

  public List<Box> listByDesiredState(DbExecute exec, BoxDesiredState desired) {
    return list(exec, LIST_LIVE_BY_DESIRED, desired.dbValue());
  }

  /** All boxes (destroyed ones too) by id, the page after {@code after} (null: the first). */
  public List<Box> listPage(DbExecute exec, UUID after, int limit) {
    return list(exec, LIST_PAGE_BY_ID, after == null ? new UUID(0, 0) : after, limit);
  }

  /** Live boxes whose observed state is not (yet) their desired one: the reconciler's work list. */
  public List<Box> listUnconverged(DbExecute exec) {
    return list(exec, LIST_UNCONVERGED);
  }

  /** The bot token in clear, for the one place that hands it to the gateway. */
  public String openBotToken(Box box) {
    return secrets.open(box.botToken(), Box.botTokenAssociatedData(box.id()));
  }

  public Box updateSettings(DbExecute exec, UUID id, BoxSettings settings) {
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            exec.get(
                    UPDATE_SETTINGS,
                    Rows.param(settings.allowedTelegramUserIds()),
                    settings.model(),
                    settings.thinkingLevel().dbValue(),
                    id)
                .map(BoxStore::map)
                .orElseThrow(() -> missing(exec, id)));
  }

  /** Sets what the box is for (null: not said); the operator writes it into the workspace. */
  public Box setUseCase(DbExecute exec, UUID id, String useCase) {
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            exec.get(SET_USE_CASE, useCase, id)
                .map(BoxStore::map)
                .orElseThrow(() -> missing(exec, id)));
  }

  /** Sets what the box should be; a box once meant to be destroyed cannot be brought back. */
  public Box setDesiredState(DbExecute exec, UUID id, BoxDesiredState desired) {
    return exec.get(SET_DESIRED, desired.dbValue(), id, desired.dbValue())
        .map(BoxStore::map)
        .orElseThrow(() -> missing(exec, id));
  }

  /**
   * Records what the operator saw: {@code readyAt} is set the first time the box runs, and {@code
   * destroyedAt} when it is destroyed, after which the box changes no more.
   */
  public Box markObserved(DbExecute exec, UUID id, BoxObservedState observed, String lastError) {
    String state = observed.dbValue();
    return exec.get(MARK_OBSERVED, state, lastError, state, state, state, id)
        .map(BoxStore::map)
        // Only a destroyed box refuses: seeing it destroyed again is a no-op (retries).
        .or(() -> find(exec, id).filter(box -> box.observedState() == observed))
        .orElseThrow(() -> missing(exec, id));
  }

  /**
   * As {@link #markObserved}, but only while the box is still in the observed state {@code from}
   * and meant to run: what a watcher outside the job queue may change without overriding a job.
   *
   * @return the box as changed; empty when it was no longer {@code from}
   */
  public Optional<Box> markObservedIf(
      DbExecute exec, UUID id, BoxObservedState from, BoxObservedState observed, String lastError) {
    String state = observed.dbValue();
    return exec.get(MARK_OBSERVED_IF, state, lastError, state, id, from.dbValue())
        .map(BoxStore::map);
  }

  public Box setNamespace(DbExecute exec, UUID id, String namespace) {
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            exec.get(SET_NAMESPACE, namespace, id)
                .map(BoxStore::map)
                .orElseThrow(() -> missing(exec, id)));
  }

  /**
   * Re-seals the box's bot token under the active key when it is under another (key rotation), and
   * returns the box as stored. A concurrent re-seal wins; this one then returns that one's result.
   */
  public Box reseal(DbExecute exec, Box box) {
    if (!secrets.needsRotation(box.botToken())) {
      return box;
    }
    String associatedData = Box.botTokenAssociatedData(box.id());
    SecretBox.Sealed fresh =
        secrets.seal(secrets.open(box.botToken(), associatedData), associatedData);
    return exec.get(
            RESEAL,
            fresh.ciphertext(),
            fresh.keyId(),
            box.id(),
            box.botToken().keyId(),
            box.botToken().ciphertext())
        .map(BoxStore::map)
        .or(() -> find(exec, box.id()))
        .orElseThrow(() -> new NotFoundException("box"));
  }

  /**
   * The box's bot has a new token (Telegram replaced the old one): sealed under the active key and
   * stored; the gateway gets it with the next update job.
   */
  public Box replaceBotToken(DbExecute exec, UUID id, String token) {
    SecretBox.Sealed sealed = secrets.seal(token, Box.botTokenAssociatedData(id));
    return exec.get(REPLACE_BOT_TOKEN, sealed.ciphertext(), sealed.keyId(), id)
        .map(BoxStore::map)
        .orElseThrow(() -> missing(exec, id));
  }

  /** What {@link #resealAll} did: how many boxes moved, and those it could not open. */
  public record ResealReport(int moved, List<UUID> unopenable) {}

  /**
   * Re-seals every box (destroyed ones too) not under the active key, so that old keys can be
   * retired. A token that does not open (its key is no longer configured, or it was tampered with)
   * stays as it is and is reported.
   */
  public ResealReport resealAll(DbExecute exec) {
    int moved = 0;
    List<UUID> unopenable = new ArrayList<>();
    UUID after = new UUID(0, 0); // PostgreSQL orders uuids as unsigned bytes: this is the least
    while (true) {
      List<Box> page = list(exec, LIST_PAGE_BY_ID, after, RESEAL_PAGE);
      for (Box box : page) {
        if (secrets.needsRotation(box.botToken())) {
          try {
            reseal(exec, box);
            moved++;
          } catch (SecretBox.SecretException e) {
            unopenable.add(box.id());
          }
        }
      }
      if (page.size() < RESEAL_PAGE) {
        return new ResealReport(moved, List.copyOf(unopenable));
      }
      after = page.getLast().id();
    }
  }

  /** How many bot tokens (destroyed boxes' too) each key id seals. */
  public Map<String, Long> countByKey(DbExecute exec) {
    try (Stream<DbRow> rows = exec.query(COUNT_BY_KEY)) {
      Map<String, Long> counts = new java.util.TreeMap<>();
      rows.forEach(row -> counts.put(Rows.string(row, "key_id"), Rows.longValue(row, "n")));
      return counts;
    }
  }

  /** Boxes not destroyed, by observed state. */
  public Map<BoxObservedState, Long> countLiveByObservedState(DbExecute exec) {
    try (Stream<DbRow> rows =
        exec.query(
            "SELECT observed_state, count(*) AS n FROM boxes WHERE destroyed_at IS NULL"
                + " GROUP BY observed_state")) {
      Map<BoxObservedState, Long> counts = new java.util.EnumMap<>(BoxObservedState.class);
      rows.forEach(
          row ->
              counts.put(
                  BoxObservedState.fromDb(Rows.string(row, "observed_state")),
                  Rows.longValue(row, "n")));
      return counts;
    }
  }

  /** Why an update of a live box found no row: the box is gone, or destroyed. */
  private DomainException missing(DbExecute exec, UUID id) {
    return find(exec, id)
        .<DomainException>map(
            box ->
                new ConflictException(
                    "box_destroyed",
                    box.isLive()
                        ? "the box is being destroyed and cannot be changed"
                        : "the box is destroyed"))
        .orElseGet(() -> new NotFoundException("box"));
  }

  private static List<Box> list(DbExecute exec, String sql, Object... params) {
    try (Stream<DbRow> rows = exec.query(sql, params)) {
      return rows.map(BoxStore::map).toList();
    }
  }

  static Box map(DbRow row) {
    return new Box(
        Rows.uuid(row, "id"),
        Rows.uuid(row, "customer_id"),
        Rows.longValue(row, "bot_id"),
        Rows.string(row, "bot_username"),
        new SecretBox.Sealed(
            Rows.string(row, "bot_token_key_id"), Rows.bytes(row, "bot_token_ciphertext")),
        Rows.longList(row, "allowed_telegram_user_ids"),
        Rows.string(row, "model"),
        ThinkingLevel.fromDb(Rows.string(row, "thinking_level")),
        BoxRuntime.fromDb(Rows.string(row, "runtime")),
        Rows.string(row, "namespace"),
        BoxDesiredState.fromDb(Rows.string(row, "desired_state")),
        BoxObservedState.fromDb(Rows.string(row, "observed_state")),
        Rows.string(row, "last_error"),
        Rows.instant(row, "created_at"),
        Rows.instant(row, "updated_at"),
        Rows.instant(row, "ready_at"),
        Rows.instant(row, "destroyed_at"),
        Rows.string(row, "use_case"));
  }
}
