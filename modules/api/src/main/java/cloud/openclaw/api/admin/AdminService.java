package cloud.openclaw.api.admin;

import static cloud.openclaw.api.http.ApiService.Route.get;
import static cloud.openclaw.api.http.ApiService.Route.post;

import cloud.openclaw.api.auth.Session;
import cloud.openclaw.api.auth.Sessions;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.Page;
import cloud.openclaw.api.http.Requests;
import cloud.openclaw.api.http.Views;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.InvalidInputException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import cloud.openclaw.platform.store.KeyRotation;
import cloud.openclaw.platform.store.SubscriptionStore;
import cloud.openclaw.platform.store.UsageStore;
import io.helidon.dbclient.DbExecute;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The admin's view ({@code /admin}, admins only): customers, boxes, jobs, usage and the audit log;
 * retrying a job, suspending, reactivating or destroying a box, and rotating the token of a box's
 * managed bot, each written to the audit log in the transaction of the action; the sealing keys'
 * counts and the reseal that lets an old key retire (audited when it is done).
 */
public final class AdminService implements ApiService {
  private static final int MAX_QUERY = 254;
  private static final int RECENT_EVENTS = 50;
  private static final int PERIODS = 12;

  private final Database database;
  private final Sessions sessions;
  private final CustomerStore customers;
  private final BoxStore boxes;
  private final SubscriptionStore subscriptions;
  private final UsageStore usage;
  private final JobStore jobStore;
  private final JobQueue jobs;
  private final AuditLog audit;
  private final ManagedBotTokens managedBots;
  private final KeyRotation keyRotation;
  private final Clock clock;

  public AdminService(
      Database database,
      Sessions sessions,
      CustomerStore customers,
      BoxStore boxes,
      SubscriptionStore subscriptions,
      UsageStore usage,
      JobStore jobStore,
      JobQueue jobs,
      AuditLog audit,
      ManagedBotTokens managedBots,
      KeyRotation keyRotation,
      Clock clock) {
    this.database = database;
    this.sessions = sessions;
    this.customers = customers;
    this.boxes = boxes;
    this.subscriptions = subscriptions;
    this.usage = usage;
    this.jobStore = jobStore;
    this.jobs = jobs;
    this.audit = audit;
    this.managedBots = managedBots;
    this.keyRotation = keyRotation;
    this.clock = clock;
  }

  @Override
  public String prefix() {
    return "/admin";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        get("/customers", this::listCustomers),
        get("/customers/{id}", this::customer),
        get("/customers/{id}/usage", this::customerUsage),
        get("/boxes", this::listBoxes),
        get("/boxes/{id}", this::box),
        post("/boxes/{id}/suspend", this::suspend),
        post("/boxes/{id}/reactivate", this::reactivate),
        post("/boxes/{id}/destroy", this::destroy),
        post("/boxes/{id}/rotate-bot-token", this::rotateBotToken),
        get("/jobs", this::listJobs),
        post("/jobs/{id}/retry", this::retryJob),
        get("/audit", this::listAudit),
        get("/crypto/keys", this::cryptoKeys),
        post("/crypto/reseal", this::reseal));
  }

  private void listCustomers(ServerRequest request, ServerResponse response) {
    sessions.requireAdmin(request);
    int limit = Page.limit(request);
    DbExecute exec = database.execute();
    String query = Requests.query(request, "q").orElse(null);
    Page<Customer> page;
    if (query != null) {
      Requests.text("q", query, MAX_QUERY);
      page = new Page<>(customers.searchByEmail(exec, query, limit), null);
    } else {
      CustomerStore.Cursor after =
          Requests.query(request, "cursor").map(AdminService::customerCursor).orElse(null);
      page =
          Page.byCursor(
              customers.list(exec, after, limit + 1), limit, AdminService::customerCursor);
    }
    Json.send(response, Status.OK_200, page.map(Views::customer));
  }

  private void customer(ServerRequest request, ServerResponse response) {
    sessions.requireAdmin(request);
    Customer customer = findCustomer(request);
    DbExecute exec = database.execute();
    Map<String, Object> body = new LinkedHashMap<>(Views.customer(customer));
    body.put("stripeCustomerId", customer.stripeCustomerId());
    body.put(
        "boxes", boxes.listForCustomer(exec, customer.id()).stream().map(Views::adminBox).toList());
    body.put(
        "subscription", subscriptions.findCurrentForCustomer(exec, customer.id()).orElse(null));
    body.put("usage", usage.currentPeriod(exec, customer.id(), clock.instant()).orElse(null));
    Json.send(response, Status.OK_200, body);
  }

  private void customerUsage(ServerRequest request, ServerResponse response) {
    sessions.requireAdmin(request);
    Customer customer = findCustomer(request);
    DbExecute exec = database.execute();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("periods", usage.listPeriods(exec, customer.id(), PERIODS));
    body.put("recentEvents", usage.recentEvents(exec, customer.id(), RECENT_EVENTS));
    Json.send(response, Status.OK_200, body);
  }

  private void listBoxes(ServerRequest request, ServerResponse response) {
    sessions.requireAdmin(request);
    int limit = Page.limit(request);
    var customerId = Requests.query(request, "customerId");
    if (customerId.isPresent()) {
      // A customer has few boxes (one live, the destroyed ones before it): one page.
      List<Box> owned =
          boxes.listForCustomer(database.execute(), Requests.uuid("customerId", customerId.get()));
      Json.send(response, Status.OK_200, new Page<>(owned, null).map(Views::adminBox));
      return;
    }
    UUID after = Requests.query(request, "cursor").map(AdminService::uuidCursor).orElse(null);
    Page<Box> page =
        Page.byCursor(
            boxes.listPage(database.execute(), after, limit + 1),
            limit,
            box -> box.id().toString());
    Json.send(response, Status.OK_200, page.map(Views::adminBox));
  }

  private void box(ServerRequest request, ServerResponse response) {
    sessions.requireAdmin(request);
    Box box = findBox(request);
    Map<String, Object> body = Views.adminBox(box);
    body.put("jobs", jobStore.listForBox(box.id(), 20).stream().map(Views::job).toList());
    Json.send(response, Status.OK_200, body);
  }

  private void suspend(ServerRequest request, ServerResponse response) {
    boxAction(request, response, "box.suspend", BoxDesiredState.SUSPENDED, JobType.SUSPEND);
  }

  private void reactivate(ServerRequest request, ServerResponse response) {
    boxAction(request, response, "box.reactivate", BoxDesiredState.RUNNING, JobType.REACTIVATE);
  }

  private void destroy(ServerRequest request, ServerResponse response) {
    boxAction(request, response, "box.destroy", BoxDesiredState.DESTROYED, JobType.DESTROY);
  }

  /** Sets what the box should be and asks the operator to make it so, with its audit entry. */
  private void boxAction(
      ServerRequest request,
      ServerResponse response,
      String action,
      BoxDesiredState desired,
      JobType type) {
    Session admin = sessions.requireAdmin(request);
    Box box = findBox(request);
    if (!box.isLive()) {
      throw new ConflictException("box_destroyed", "the box is destroyed");
    }
    Map<String, Object> result =
        database.inTransaction(
            tx -> {
              Box changed = boxes.setDesiredState(tx.execute(), box.id(), desired);
              Job job =
                  jobs.enqueue(
                      tx,
                      new NewJob(
                          type,
                          box.id(),
                          Json.write(Map.of("reason", "admin", "by", admin.email())),
                          "admin:" + action + ":" + box.id() + ":" + UUID.randomUUID()));
              audit.record(
                  tx.execute(),
                  admin.email(),
                  action,
                  "box",
                  box.id().toString(),
                  Map.of("jobId", job.id().toString(), "was", box.desiredState().dbValue()));
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("box", Views.adminBox(changed));
              body.put("job", Views.job(job));
              return body;
            });
    Json.send(response, Status.ACCEPTED_202, result);
  }

  /**
   * A managed bot's token leaked: Telegram replaces it (the old one dies at once), the new one is
   * stored sealed, and an update job restarts the gateway with it.
   */
  private void rotateBotToken(ServerRequest request, ServerResponse response) {
    Session admin = sessions.requireAdmin(request);
    Box box = findBox(request);
    if (!box.isLive()) {
      throw new ConflictException("box_destroyed", "the box is destroyed");
    }
    String token = managedBots.replace(box.botId());
    Job job =
        database.inTransaction(
            tx -> {
              boxes.replaceBotToken(tx.execute(), box.id(), token);
              Job update =
                  jobs.enqueue(
                      tx,
                      new NewJob(
                          JobType.UPDATE,
                          box.id(),
                          Json.write(Map.of("reason", "bot-token", "by", admin.email())),
                          "admin:box.rotate-bot-token:" + box.id() + ":" + UUID.randomUUID()));
              audit.record(
                  tx.execute(),
                  admin.email(),
                  "box.rotate-bot-token",
                  "box",
                  box.id().toString(),
                  Map.of("jobId", update.id().toString(), "botId", box.botId()));
              return update;
            });
    Json.send(response, Status.ACCEPTED_202, Map.of("job", Views.job(job)));
  }

  private void listJobs(ServerRequest request, ServerResponse response) {
    sessions.requireAdmin(request);
    int limit = Page.limit(request);
    int offset = Page.offset(request);
    List<Job> fetched;
    var boxId = Requests.query(request, "boxId");
    if (boxId.isPresent()) {
      UUID id = Requests.uuid("boxId", boxId.get());
      fetched = jobStore.listForBox(id, offset + limit + 1);
      fetched = fetched.subList(Math.min(offset, fetched.size()), fetched.size());
    } else {
      JobStatus status = status(Requests.query(request, "status").orElse("dead"));
      fetched = jobStore.listByStatus(status, limit + 1, offset);
    }
    Json.send(response, Status.OK_200, Page.byOffset(fetched, offset, limit).map(Views::job));
  }

  private void retryJob(ServerRequest request, ServerResponse response) {
    Session admin = sessions.requireAdmin(request);
    UUID id = Requests.pathId(request, "id", "job");
    Job existing = jobStore.find(id).orElseThrow(() -> new NotFoundException("job"));
    Job retried =
        database.inTransaction(
            tx -> {
              Job job =
                  jobStore
                      .retryNow(tx.execute(), id)
                      .orElseThrow(
                          () ->
                              new ConflictException(
                                  "job_not_retryable",
                                  "only a dead or failed job can be retried (this one is "
                                      + existing.status().dbValue()
                                      + ")"));
              audit.record(
                  tx.execute(),
                  admin.email(),
                  "job.retry",
                  "job",
                  id.toString(),
                  Map.of(
                      "was", existing.status().dbValue(),
                      "lastError", String.valueOf(existing.lastError())));
              return job;
            });
    Json.send(response, Status.ACCEPTED_202, Views.job(retried));
  }

  private void listAudit(ServerRequest request, ServerResponse response) {
    sessions.requireAdmin(request);
    int limit = Page.limit(request);
    int offset = Page.offset(request);
    Json.send(response, Status.OK_200, Page.byOffset(audit.list(limit + 1, offset), offset, limit));
  }

  /** Sealed values by key id: a key may be retired once it is listed in retirableKeys. */
  private void cryptoKeys(ServerRequest request, ServerResponse response) {
    sessions.requireAdmin(request);
    Json.send(response, Status.OK_200, keyRotation.counts().view());
  }

  /**
   * Re-seals everything under the active key. Values move one by one (each with a compare-and-set),
   * so the audit entry follows the work instead of sharing its transaction.
   */
  private void reseal(ServerRequest request, ServerResponse response) {
    Session admin = sessions.requireAdmin(request);
    KeyRotation.Report report = keyRotation.resealAll();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("before", report.before().total());
    details.put("after", report.after().total());
    details.put("botTokensMoved", report.botTokensMoved());
    details.put("conversationsMoved", report.conversationsMoved());
    details.put(
        "unopenable", report.unopenableBoxes().size() + report.unopenableConversations().size());
    audit.record(
        database.execute(),
        admin.email(),
        "crypto.reseal",
        "crypto-key",
        report.after().activeKey(),
        details);
    Json.send(response, Status.OK_200, report.view());
  }

  private Customer findCustomer(ServerRequest request) {
    UUID id = Requests.pathId(request, "id", "customer");
    return customers.find(id).orElseThrow(() -> new NotFoundException("customer"));
  }

  private Box findBox(ServerRequest request) {
    UUID id = Requests.pathId(request, "id", "box");
    return boxes.find(id).orElseThrow(() -> new NotFoundException("box"));
  }

  private static JobStatus status(String raw) {
    try {
      return JobStatus.fromDb(raw.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "status", "'status' is one of queued, running, succeeded, failed, dead, superseded");
    }
  }

  private static UUID uuidCursor(String raw) {
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("cursor", "'cursor' is not one this list handed out");
    }
  }

  private static String customerCursor(Customer last) {
    String raw = last.createdAt() + "|" + last.id();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  private static CustomerStore.Cursor customerCursor(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String[] parts = raw.split("\\|", 2);
      return new CustomerStore.Cursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
    } catch (RuntimeException e) {
      throw new InvalidInputException("cursor", "'cursor' is not one this list handed out");
    }
  }
}
