package cloud.openclaw.api.me;

import static cloud.openclaw.api.http.ApiService.Route.get;
import static cloud.openclaw.api.http.ApiService.Route.post;
import static cloud.openclaw.api.http.ApiService.Route.put;

import cloud.openclaw.api.ApiSettings;
import cloud.openclaw.api.auth.RequestLimit;
import cloud.openclaw.api.auth.Session;
import cloud.openclaw.api.auth.Sessions;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.api.http.Requests;
import cloud.openclaw.api.http.Views;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.errors.ConflictException;
import cloud.openclaw.platform.errors.NotFoundException;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The signed-in customer's own things ({@code /me}). Every lookup starts from the session's
 * customer, so another customer's box or job is simply not found.
 */
public final class MeService implements ApiService {
  private static final int MAX_HISTORY_MONTHS = 24;
  private final Database database;
  private final Sessions sessions;
  private final CustomerStore customers;
  private final BoxStore boxes;
  private final JobStore jobStore;
  private final JobQueue jobs;
  private final Plans plans;
  private final UsageView usage;
  private final BillingView billing;
  private final BoxEvents events;
  private final BillingPortal portal;
  private final ApiSettings settings;
  private final RequestLimit boxChanges;

  public MeService(
      Database database,
      Sessions sessions,
      CustomerStore customers,
      BoxStore boxes,
      JobStore jobStore,
      JobQueue jobs,
      Plans plans,
      UsageView usage,
      BillingView billing,
      BoxEvents events,
      BillingPortal portal,
      ApiSettings settings,
      RequestLimit boxChanges) {
    this.database = database;
    this.sessions = sessions;
    this.customers = customers;
    this.boxes = boxes;
    this.jobStore = jobStore;
    this.jobs = jobs;
    this.plans = plans;
    this.usage = usage;
    this.billing = billing;
    this.events = events;
    this.portal = portal;
    this.settings = settings;
    this.boxChanges = boxChanges;
  }

  @Override
  public String prefix() {
    return "/me";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        get("/", this::me),
        get("/box", this::box),
        get("/box/events", this::events),
        put("/box/settings", this::updateSettings),
        post("/box/restart", this::restart),
        get("/usage", this::usage),
        get("/usage/history", this::usageHistory),
        get("/jobs/{id}", this::job),
        get("/billing", this::billing),
        post("/billing/portal", this::billingPortal));
  }

  private void me(ServerRequest request, ServerResponse response) {
    Session session = sessions.require(request);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("email", session.email());
    body.put("roles", session.roles().stream().sorted().toList());
    body.put(
        "customer",
        session.customerId() == null
            ? null
            : customers.find(session.customerId()).map(Views::customer).orElse(null));
    Json.send(response, Status.OK_200, body);
  }

  private void box(ServerRequest request, ServerResponse response) {
    Customer customer = customer(request);
    Json.send(response, Status.OK_200, Views.box(liveBox(customer), plan(customer)));
  }

  private void events(ServerRequest request, ServerResponse response) {
    events.stream(sessions.requireCustomer(request), response);
  }

  record SettingsRequest(List<Long> allowedTelegramUserIds, String model, String thinkingLevel) {}

  private void updateSettings(ServerRequest request, ServerResponse response) {
    Customer customer = customer(request);
    SettingsRequest body = Requests.body(request, SettingsRequest.class);
    Plan plan = plan(customer);
    if (plan == null) {
      throw new ConflictException("no_plan", "the account has no plan whose settings apply");
    }
    BoxSettings wanted =
        SettingsRules.validate(
            plan, body.allowedTelegramUserIds(), body.model(), body.thinkingLevel());
    Box current = liveBox(customer);
    countBoxChange(customer);
    Map<String, Object> result =
        database.inTransaction(
            tx -> {
              Box updated = boxes.updateSettings(tx.execute(), current.id(), wanted);
              Job job =
                  jobs.enqueue(
                      tx,
                      new NewJob(
                          JobType.UPDATE,
                          updated.id(),
                          "{\"reason\":\"settings\"}",
                          "settings:" + UUID.randomUUID()));
              Map<String, Object> view = new LinkedHashMap<>();
              view.put("box", Views.box(updated, plan));
              view.put("job", Views.job(job));
              return view;
            });
    Json.send(response, Status.ACCEPTED_202, result);
  }

  private void restart(ServerRequest request, ServerResponse response) {
    Customer customer = customer(request);
    Box box = liveBox(customer);
    if (box.desiredState() != BoxDesiredState.RUNNING) {
      throw new ConflictException("box_not_running", "only a running agent can be restarted");
    }
    countBoxChange(customer);
    Job job =
        jobs.enqueue(
            new NewJob(
                JobType.UPDATE,
                box.id(),
                "{\"reason\":\"restart\"}",
                "restart:" + UUID.randomUUID()));
    Json.send(response, Status.ACCEPTED_202, Map.of("job", Views.job(job)));
  }

  private void usage(ServerRequest request, ServerResponse response) {
    Customer customer = customer(request);
    Json.send(response, Status.OK_200, usage.of(customer, plan(customer)));
  }

  private void usageHistory(ServerRequest request, ServerResponse response) {
    Customer customer = customer(request);
    int months = Requests.wholeNumber(request, "months", 1, MAX_HISTORY_MONTHS, 12);
    Json.send(response, Status.OK_200, usage.history(customer, months));
  }

  private void billing(ServerRequest request, ServerResponse response) {
    Json.send(response, Status.OK_200, billing.of(customer(request)));
  }

  private void job(ServerRequest request, ServerResponse response) {
    UUID customerId = sessions.requireCustomer(request);
    UUID id = Requests.pathId(request, "id", "job");
    Job job =
        jobStore
            .find(id)
            .filter(
                j ->
                    boxes
                        .find(j.boxId())
                        .map(box -> box.customerId().equals(customerId))
                        .orElse(false))
            .orElseThrow(() -> new NotFoundException("job"));
    Json.send(response, Status.OK_200, Views.job(job));
  }

  private void billingPortal(ServerRequest request, ServerResponse response) {
    Customer customer = customer(request);
    if (customer.stripeCustomerId() == null) {
      throw new ConflictException("no_billing_account", "there is no billing account yet");
    }
    URI url = portal.portalUrl(customer, settings.webUrl("/dashboard"));
    Json.send(response, Status.OK_200, Map.of("url", url));
  }

  /**
   * Restarts and settings changes queue an update of the agent: limited per customer (429 past it).
   * Updates of the agent that have not started merge into one (JobStore), so the job answered may
   * be one queued by an earlier change.
   */
  private void countBoxChange(Customer customer) {
    boxChanges.count(
        customer.id().toString(),
        "too many restarts and settings changes of your agent; try again later");
  }

  private Customer customer(ServerRequest request) {
    UUID id = sessions.requireCustomer(request);
    return customers.find(id).orElseThrow(() -> new NotFoundException("customer"));
  }

  private Box liveBox(Customer customer) {
    return boxes.findLiveForCustomer(customer.id()).orElseThrow(() -> new NotFoundException("box"));
  }

  private Plan plan(Customer customer) {
    return customer.plan() == null ? null : plans.find(customer.plan()).orElse(null);
  }
}
