package cloud.openclaw.platform.store;

import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.db.SqlErrors;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.CustomerKind;
import cloud.openclaw.platform.domain.CustomerStatus;
import cloud.openclaw.platform.domain.NewCustomer;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.DomainException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Customers: who they are, their status, plan and Stripe customer. */
public final class CustomerStore {
  private static final String INSERT =
      """
      INSERT INTO customers (email, telegram_user_id, display_name, plan)
      VALUES (?, ?, ?, ?)
      RETURNING *\
      """;
  // The platform's own accounts are active from the start and never listed with the customers.
  private static final String INSERT_PLATFORM =
      """
      INSERT INTO customers (email, plan, status, kind) VALUES (?, ?, 'active', 'platform')
      ON CONFLICT ((lower(email))) DO NOTHING
      RETURNING *\
      """;
  private static final String FIND = "SELECT * FROM customers WHERE id = ?";
  private static final String FIND_BY_EMAIL =
      "SELECT * FROM customers WHERE lower(email) = lower(?)";
  private static final String FIND_BY_TELEGRAM_USER =
      "SELECT * FROM customers WHERE telegram_user_id = ?";
  private static final String FIND_BY_STRIPE_CUSTOMER =
      "SELECT * FROM customers WHERE stripe_customer_id = ?";
  private static final String SET_STATUS =
      "UPDATE customers SET status = ?, updated_at = now() WHERE id = ? RETURNING *";
  private static final String SET_PLAN =
      "UPDATE customers SET plan = ?, updated_at = now() WHERE id = ? RETURNING *";
  private static final String SET_STRIPE_CUSTOMER =
      "UPDATE customers SET stripe_customer_id = ?, updated_at = now() WHERE id = ? RETURNING *";
  private static final String SET_TELEGRAM_USER =
      "UPDATE customers SET telegram_user_id = ?, updated_at = now() WHERE id = ? RETURNING *";
  private static final String SET_DISPLAY_NAME =
      "UPDATE customers SET display_name = ?, updated_at = now() WHERE id = ? RETURNING *";
  private static final String LIST_FIRST =
      """
      SELECT * FROM customers WHERE kind = 'customer'
      ORDER BY created_at DESC, id DESC LIMIT ?\
      """;
  private static final String LIST_AFTER =
      """
      SELECT * FROM customers
      WHERE (created_at, id) < (?, ?) AND kind = 'customer'
      ORDER BY created_at DESC, id DESC
      LIMIT ?\
      """;
  private static final String SEARCH =
      """
      SELECT * FROM customers
      WHERE email ILIKE '%' || ? || '%' ESCAPE '\\' AND kind = 'customer'
      ORDER BY created_at DESC, id DESC
      LIMIT ?\
      """;
  private static final String COUNT_BY_STATUS =
      "SELECT status, count(*) AS n FROM customers WHERE kind = 'customer' GROUP BY status";

  private static final Map<String, Supplier<DomainException>> CONSTRAINTS =
      Map.of(
          "customers_email_key",
          () -> new ConflictException("email_taken", "an account with this email exists already"),
          "customers_telegram_user_id_key",
          () ->
              new ConflictException(
                  "telegram_user_taken", "this Telegram user belongs to another account"),
          "customers_stripe_customer_id_key",
          () ->
              new ConflictException(
                  "stripe_customer_taken", "this Stripe customer belongs to another account"),
          "customers_email_format",
          () -> new InvalidInputException("email", "not a valid email address"),
          "customers_telegram_user_id_positive",
          () -> new InvalidInputException("telegramUserId", "a Telegram user id is positive"));

  private final Database database;

  public CustomerStore(Database database) {
    this.database = database;
  }

  /** A position in {@link #list}: the last customer of the previous page. */
  public record Cursor(Instant createdAt, UUID id) {
    public static Cursor after(Customer customer) {
      return new Cursor(customer.createdAt(), customer.id());
    }
  }

  public Customer create(DbExecute exec, NewCustomer customer) {
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            map(
                exec.get(
                        INSERT,
                        customer.email(),
                        customer.telegramUserId(),
                        customer.displayName(),
                        customer.plan())
                    .orElseThrow()));
  }

  /**
   * The platform's own account {@code email}, made (active, on {@code plan}) if it does not exist
   * yet; an existing one keeps its plan.
   */
  public Customer platformAccount(DbExecute exec, String email, String plan) {
    Customer account =
        SqlErrors.guard(
            CONSTRAINTS,
            () ->
                exec.get(INSERT_PLATFORM, email, plan)
                    .map(CustomerStore::map)
                    .or(() -> findByEmail(exec, email))
                    .orElseThrow());
    if (!account.isPlatform()) {
      throw new ConflictException("email_taken", "a customer has this email");
    }
    return account;
  }

  public Optional<Customer> find(DbExecute exec, UUID id) {
    return exec.get(FIND, id).map(CustomerStore::map);
  }

  public Optional<Customer> find(UUID id) {
    return find(database.execute(), id);
  }

  /** The customer with this email, whatever its case. */
  public Optional<Customer> findByEmail(DbExecute exec, String email) {
    return exec.get(FIND_BY_EMAIL, email.strip()).map(CustomerStore::map);
  }

  public Optional<Customer> findByTelegramUserId(DbExecute exec, long telegramUserId) {
    return exec.get(FIND_BY_TELEGRAM_USER, telegramUserId).map(CustomerStore::map);
  }

  public Optional<Customer> findByStripeCustomerId(DbExecute exec, String stripeCustomerId) {
    return exec.get(FIND_BY_STRIPE_CUSTOMER, stripeCustomerId).map(CustomerStore::map);
  }

  public Customer setStatus(DbExecute exec, UUID id, CustomerStatus status) {
    return update(exec, SET_STATUS, status.dbValue(), id);
  }

  public Customer setPlan(DbExecute exec, UUID id, String plan) {
    return update(exec, SET_PLAN, plan, id);
  }

  public Customer setStripeCustomerId(DbExecute exec, UUID id, String stripeCustomerId) {
    return update(exec, SET_STRIPE_CUSTOMER, stripeCustomerId, id);
  }

  /** Links (or, with null, unlinks) the customer's Telegram user. */
  public Customer setTelegramUserId(DbExecute exec, UUID id, Long telegramUserId) {
    return update(exec, SET_TELEGRAM_USER, telegramUserId, id);
  }

  public Customer setDisplayName(DbExecute exec, UUID id, String displayName) {
    return update(exec, SET_DISPLAY_NAME, displayName, id);
  }

  /** Newest first; {@code after} null for the first page, else the last customer seen. */
  public List<Customer> list(DbExecute exec, Cursor after, int limit) {
    try (Stream<DbRow> rows =
        after == null
            ? exec.query(LIST_FIRST, limit)
            : exec.query(LIST_AFTER, Rows.param(after.createdAt()), after.id(), limit)) {
      return rows.map(CustomerStore::map).toList();
    }
  }

  /** Customers whose email contains {@code fragment} (any case), newest first: the admin search. */
  public List<Customer> searchByEmail(DbExecute exec, String fragment, int limit) {
    String escaped = fragment.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    try (Stream<DbRow> rows = exec.query(SEARCH, escaped, limit)) {
      return rows.map(CustomerStore::map).toList();
    }
  }

  /** How many customers are in each status (statuses with none are zero). */
  public Map<CustomerStatus, Long> countByStatus(DbExecute exec) {
    Map<CustomerStatus, Long> counts = new EnumMap<>(CustomerStatus.class);
    for (CustomerStatus status : CustomerStatus.values()) {
      counts.put(status, 0L);
    }
    try (Stream<DbRow> rows = exec.query(COUNT_BY_STATUS)) {
      rows.forEach(
          row ->
              counts.put(
                  CustomerStatus.fromDb(Rows.string(row, "status")), Rows.longValue(row, "n")));
    }
    return counts;
  }

  private Customer update(DbExecute exec, String sql, Object value, UUID id) {
    return SqlErrors.guard(
        CONSTRAINTS,
        () ->
            exec.get(sql, value, id)
                .map(CustomerStore::map)
                .orElseThrow(() -> new NotFoundException("customer")));
  }

  static Customer map(DbRow row) {
    return new Customer(
        Rows.uuid(row, "id"),
        Rows.string(row, "email"),
        Rows.nullableLong(row, "telegram_user_id"),
        Rows.string(row, "display_name"),
        CustomerStatus.fromDb(Rows.string(row, "status")),
        Rows.string(row, "plan"),
        Rows.string(row, "stripe_customer_id"),
        Rows.instant(row, "created_at"),
        Rows.instant(row, "updated_at"),
        CustomerKind.fromDb(Rows.string(row, "kind")));
  }
}
