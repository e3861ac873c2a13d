package cloud.openclaw.operator.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.openclaw.operator.OperatorServiceConfig;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.db.Rows;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
import cloud.openclaw.platform.domain.BoxSettings;
import cloud.openclaw.platform.domain.ProxyToken;
import cloud.openclaw.platform.domain.ProxyTokenStatus;
import cloud.openclaw.platform.domain.ThinkingLevel;
import cloud.openclaw.platform.http.Json;
import cloud.openclaw.platform.http.RunningService;
import cloud.openclaw.platform.jobs.Job;
import cloud.openclaw.platform.jobs.JobQueue;
import cloud.openclaw.platform.jobs.JobStatus;
import cloud.openclaw.platform.jobs.JobStore;
import cloud.openclaw.platform.jobs.JobStream;
import cloud.openclaw.platform.jobs.JobType;
import cloud.openclaw.platform.jobs.NewJob;
import cloud.openclaw.platform.proxy.TokenProxyClient;
import cloud.openclaw.platform.redis.Redis;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.ProxyTokenStore;
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The interleavings of issue 14, run by the operator service itself (16 workers, the relay, retries
 * with backoff) on one runtime: SUSPEND and REACTIVATE enqueued at once (a subscription going
 * {@code unpaid} and straight back to {@code active}, or an admin's suspend then reactivate), and
 * the other way round; a reactivate that times out, then a suspend, then the reactivate's retry; an
 * admin's retry of an old reactivate of a box suspended since. Whatever the order the jobs happen
 * to be taken in, the end state is the one the box's desired state asks for: an active customer's
 * gateway serving with its token active, a suspended customer's stopped with its tokens suspended.
 * The racy ones repeat 10 rounds over 10 boxes.
 *
 * <p>Each runtime's test class supplies the fixture and what "serving", "stopped" and "will not
 * start" mean there.
 */
public abstract class JobInterleavings {
  protected static final int BOXES = 10;
  protected static final int ROUNDS = 10;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Everything but the runtime: PostgreSQL, Redis, the sandbox and a real token proxy. */
  protected record Fixture(
      TestPostgres postgres,
      TestRedis testRedis,
      Database database,
      Redis redis,
      cloud.openclaw.sandbox.Main.Sandbox sandbox,
      RunningService proxyService,
      String proxyInternalUrl,
      TokenProxyClient proxy,
      BoxStore boxes,
      ProxyTokenStore tokens,
      JobStore jobs,
      JobQueue queue)
      implements AutoCloseable {

    public static Fixture start(TestPostgres postgres, TestRedis testRedis) {
      Database database = TestServices.database(postgres);
      Redis redis = TestServices.redis(testRedis);
      cloud.openclaw.sandbox.Main.Sandbox sandbox = TestServices.sandbox();
      TestTokenProxy.Started proxy = TestTokenProxy.start(postgres, testRedis, sandbox.port());
      BoxStore boxes =
          new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
      JobStore jobs = new JobStore(database, 8);
      JobQueue queue = new JobQueue(jobs, new JobStream(redis, cloud.openclaw.operator.Main.QUEUE));
      return new Fixture(
          postgres,
          testRedis,
          database,
          redis,
          sandbox,
          proxy.service(),
          proxy.internalUrl(),
          proxy.client(),
          boxes,
          new ProxyTokenStore(database),
          jobs,
          queue);
    }

    /**
     * The operator service's configuration on this fixture: its database and Redis, the token
     * proxy, and the sandbox's Telegram for the bot check; no reconcile pass during a test.
     */
    public Map<String, String> operatorOverrides() {
      Map<String, String> overrides = OperatorServiceConfig.base(postgres, testRedis);
      overrides.put("operator.token-proxy.internal-url", proxyInternalUrl);
      overrides.put("operator.token-proxy.internal-token", TestTokenProxy.INTERNAL_TOKEN);
      overrides.put("telegram.api-root", "http://127.0.0.1:" + sandbox.port() + "/telegram");
      overrides.put("operator.reconcile-interval", "PT1H");
      overrides.put("redis.pool-size", "40");
      return overrides;
    }

    /**
     * A new box of an active customer with an open period, its bot known to the sandbox's Telegram
     * (a box runs only once its bot answered).
     */
    public Box newBox(BoxRuntime runtime) {
      UUID customer = TestTokenProxy.activeCustomer(database, "starter");
      Box box = boxes.create(database.execute(), TestTokenProxy.newBox(customer, runtime));
      sandbox.telegram().addBot(boxes.openBotToken(box), box.botUsername(), null);
      TestTokenProxy.openPeriod(proxy, customer, 1_000_000);
      return box;
    }

    @Override
    public void close() {
      TestServices.closeAll(proxyService, sandbox, redis, database);
    }
  }

  protected abstract Fixture fixture();

  protected abstract BoxRuntime runtime();

  /** The operator service's overrides for this runtime (on top of the test's base). */
  protected abstract Map<String, String> runtimeOverrides();

  /** The operator service for this runtime. */
  protected abstract RunningService startOperator(Map<String, String> overrides);

  /** The box's gateway runs and serves (/startupz, an available replica). */
  protected abstract boolean serving(Box box);

  /** The box's gateway is stopped (no process, no replica wanted). */
  protected abstract boolean stopped(Box box);

  /** From now on the box's gateway does not come up (until {@link #release}). */
  protected abstract void hold(Box box);

  protected abstract void release(Box box);

  // --- the interleavings

  @Test
  void unpaidThenStraightBackToActiveLeavesEveryBoxServingWithAnActiveToken() {
    try (RunningService ignored = operator(Map.of())) {
      List<Box> boxes = provisioned(BOXES);
      for (int round = 1; round <= ROUNDS; round++) {
        for (Box box : boxes) {
          // Odd rounds as the billing worker enqueues them, even rounds as an admin does.
          String by = round % 2 == 1 ? "billing" : "admin";
          change(box, BoxDesiredState.SUSPENDED, JobType.SUSPEND, by + "-suspend-" + round);
          change(box, BoxDesiredState.RUNNING, JobType.REACTIVATE, by + "-reactivate-" + round);
        }
        awaitNoJobLeft(boxes);
        for (Box box : boxes) {
          assertServingWithActiveToken(box, "round " + round);
        }
      }
      assertEveryJobSucceededOrWasSuperseded(boxes);
    }
  }

  @Test
  void reactivatedThenStraightBackToSuspendedLeavesEveryBoxStoppedWithSuspendedTokens() {
    try (RunningService ignored = operator(Map.of())) {
      List<Box> boxes = provisioned(BOXES);
      for (Box box : boxes) {
        change(box, BoxDesiredState.SUSPENDED, JobType.SUSPEND, "first-suspend");
      }
      awaitNoJobLeft(boxes);
      for (int round = 1; round <= ROUNDS; round++) {
        for (Box box : boxes) {
          change(box, BoxDesiredState.RUNNING, JobType.REACTIVATE, "reactivate-" + round);
          change(box, BoxDesiredState.SUSPENDED, JobType.SUSPEND, "suspend-" + round);
        }
        awaitNoJobLeft(boxes);
        for (Box box : boxes) {
          assertStoppedWithSuspendedTokens(box, "round " + round);
        }
      }
      assertEveryJobSucceededOrWasSuperseded(boxes);
    }
  }

  @Test
  void aReactivateThatTimesOutThenASuspendThenTheReactivatesRetryLeavesTheBoxSuspended() {
    try (RunningService ignored =
        operator(Map.of("operator.ready-timeout", "PT3S", "jobs.backoff-base", "PT1S"))) {
      List<Box> boxes = provisioned(3);
      for (Box box : boxes) {
        change(box, BoxDesiredState.SUSPENDED, JobType.SUSPEND, "unpaid");
      }
      awaitNoJobLeft(boxes);
      List<Job> reactivates = new ArrayList<>();
      for (Box box : boxes) {
        hold(box);
        reactivates.add(change(box, BoxDesiredState.RUNNING, JobType.REACTIVATE, "paid"));
      }
      for (Job reactivate : reactivates) {
        Awaitility.await("the reactivate's first attempt to time out")
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> {
                  Job now = fixture().jobs().find(reactivate.id()).orElseThrow();
                  return now.status() == JobStatus.QUEUED && now.attempts() >= 1;
                });
      }
      for (Box box : boxes) {
        change(box, BoxDesiredState.SUSPENDED, JobType.SUSPEND, "unpaid-again");
        release(box); // the retry would start the gateway now
      }
      awaitNoJobLeft(boxes);
      for (Box box : boxes) {
        assertStoppedWithSuspendedTokens(box, "after the reactivate's retry");
      }
      for (Job reactivate : reactivates) {
        // Its retry found the box meant to be paused: nothing done, and a line saying why.
        assertThat(fixture().jobs().find(reactivate.id()).orElseThrow().status())
            .isEqualTo(JobStatus.SUPERSEDED);
        assertThat(names(steps(reactivate.id())).toList()).last().isEqualTo("superseded");
      }
    }
  }

  @Test
  void anAdminsRetryOfAnOldReactivateOfABoxSuspendedSinceLeavesItSuspended() {
    try (RunningService ignored = operator(Map.of("operator.ready-timeout", "PT3S"))) {
      Box box = provisioned(1).getFirst();
      change(box, BoxDesiredState.SUSPENDED, JobType.SUSPEND, "unpaid");
      awaitNoJobLeft(List.of(box));
      hold(box);
      Job reactivate = change(box, BoxDesiredState.RUNNING, JobType.REACTIVATE, "admin-1", 1);
      awaitNoJobLeft(List.of(box));
      assertThat(fixture().jobs().find(reactivate.id()).orElseThrow().status())
          .isEqualTo(JobStatus.DEAD);
      change(box, BoxDesiredState.SUSPENDED, JobType.SUSPEND, "admin-2");
      awaitNoJobLeft(List.of(box));
      release(box);

      assertThat(fixture().jobs().retryNow(reactivate.id())).isPresent();
      awaitNoJobLeft(List.of(box));

      assertStoppedWithSuspendedTokens(box, "after the admin's retry");
      Job retried = fixture().jobs().find(reactivate.id()).orElseThrow();
      assertThat(retried.status()).isEqualTo(JobStatus.SUPERSEDED);
      assertThat(retried.lastError()).isNull();
      JsonNode last = steps(reactivate.id()).get(steps(reactivate.id()).size() - 1);
      assertThat(last.path("step").asText()).isEqualTo("superseded");
      assertThat(last.path("message").asText()).contains("meant to stay paused");
    }
  }

  private void assertEveryJobSucceededOrWasSuperseded(List<Box> boxes) {
    for (Box box : boxes) {
      assertThat(fixture().jobs().listForBox(box.id(), 1000))
          .extracting(Job::status)
          .as("the jobs of " + box.id())
          .containsOnly(JobStatus.SUCCEEDED, JobStatus.SUPERSEDED);
    }
  }

  // --- what nothing but the reconciler repairs

  @Test
  void theReconcilerResumesTheTokenOfAServingBoxLeftWithItSuspended() {
    try (RunningService ignored = operator(Map.of("operator.reconcile-interval", "PT1S"))) {
      Box box = provisioned(1).getFirst();
      fixture().proxy().boxTokens(box.id(), "suspend"); // the end state
      Awaitility.await("the reconciler's repair")
          .atMost(Duration.ofMinutes(1))
          .until(() -> liveTokenStatuses(box).equals(List.of(ProxyTokenStatus.ACTIVE)));
      awaitNoJobLeft(List.of(box));
      assertServingWithActiveToken(box, "after the repair");
      assertThat(fixture().jobs().listForBox(box.id(), 10))
          .anySatisfy(job -> assertThat(job.idempotencyKey()).startsWith("reconcile:provision:"));
    }
  }

  @Test
  void theReconcilerStopsASuspendedBoxWhoseGatewayOrTokenCameBack() {
    try (RunningService ignored = operator(Map.of("operator.reconcile-interval", "PT1S"))) {
      Box box = provisioned(1).getFirst();
      change(box, BoxDesiredState.SUSPENDED, JobType.SUSPEND, "unpaid");
      awaitNoJobLeft(List.of(box));
      fixture().proxy().boxTokens(box.id(), "resume");
      startBehindTheOperatorsBack(box);
      Awaitility.await("the reconciler's repair")
          .atMost(Duration.ofMinutes(1))
          .until(() -> liveTokenStatuses(box).equals(List.of(ProxyTokenStatus.SUSPENDED)));
      awaitNoJobLeft(List.of(box));
      assertStoppedWithSuspendedTokens(box, "after the repair");
      assertThat(fixture().jobs().listForBox(box.id(), 10))
          .anySatisfy(job -> assertThat(job.idempotencyKey()).startsWith("reconcile:suspend:"));
    }
  }

  @Test
  void theReconcilerAppliesSettingsThatNoJobApplied() {
    try (RunningService ignored = operator(Map.of("operator.reconcile-interval", "PT1S"))) {
      Box box = provisioned(1).getFirst();
      assertThat(appliedConfig(box)).doesNotContain("4343");
      // Stored with no job (a lost update): only the reconciler notices.
      fixture()
          .boxes()
          .updateSettings(
              fixture().database().execute(),
              box.id(),
              new BoxSettings(List.of(42L, 4343L), "kimi-k2.6", ThinkingLevel.OFF));
      Awaitility.await("the reconciler's update")
          .atMost(Duration.ofMinutes(1))
          .until(() -> appliedConfig(box).contains("4343"));
      awaitNoJobLeft(List.of(box));
      assertServingWithActiveToken(box, "after the update");
      assertThat(fixture().jobs().listForBox(box.id(), 10))
          .anySatisfy(job -> assertThat(job.idempotencyKey()).startsWith("reconcile:update:"));
    }
  }

  /** The gateway of a suspended box started by something other than the operator, if possible. */
  protected void startBehindTheOperatorsBack(Box box) {}

  /** The gateway's openclaw.json as the runtime holds it. */
  protected abstract String appliedConfig(Box box);

  /** Each test starts with no live box, so that the operator's reconciler sees only its own. */
  @AfterEach
  void destroyAll() {
    for (Box box : fixture().boxes().listLive(fixture().database().execute())) {
      fixture()
          .boxes()
          .markObserved(fixture().database().execute(), box.id(), BoxObservedState.DESTROYED, null);
    }
  }

  // --- helpers

  protected RunningService operator(Map<String, String> extra) {
    Map<String, String> overrides = fixture().operatorOverrides();
    overrides.put("operator.ready-timeout", "PT30S");
    overrides.putAll(runtimeOverrides());
    overrides.putAll(extra);
    return startOperator(overrides);
  }

  /** New boxes of active customers, provisioned through the queue and serving. */
  protected List<Box> provisioned(int count) {
    List<Box> boxes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Box box = fixture().newBox(runtime());
      fixture()
          .queue()
          .enqueue(new NewJob(JobType.PROVISION, box.id(), null, "provision:" + box.id()));
      boxes.add(box);
    }
    awaitNoJobLeft(boxes);
    for (Box box : boxes) {
      assertServingWithActiveToken(box, "provisioned");
    }
    return boxes;
  }

  /** What the billing worker and the admin API do: the desired state and its job, in one commit. */
  protected Job change(Box box, BoxDesiredState desired, JobType type, String occasion) {
    return change(box, desired, type, occasion, 8);
  }

  /** {@link #change}, the job allowed {@code maxAttempts} attempts. */
  protected Job change(
      Box box, BoxDesiredState desired, JobType type, String occasion, int maxAttempts) {
    JobQueue queue =
        new JobQueue(
            new JobStore(fixture().database(), maxAttempts),
            new JobStream(fixture().redis(), cloud.openclaw.operator.Main.QUEUE));
    return fixture()
        .database()
        .inTransaction(
            tx -> {
              fixture().boxes().setDesiredState(tx.execute(), box.id(), desired);
              return queue.enqueue(
                  tx,
                  new NewJob(
                      type,
                      box.id(),
                      null,
                      type.dbValue() + ":" + box.id() + ":" + occasion + ":" + UUID.randomUUID()));
            });
  }

  /** Until none of the boxes' jobs is queued or running any more. */
  protected void awaitNoJobLeft(List<Box> boxes) {
    Awaitility.await("every job of the boxes to end")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> unfinished(boxes) == 0);
  }

  private long unfinished(List<Box> boxes) {
    long unfinished = 0;
    for (Box box : boxes) {
      unfinished +=
          fixture()
              .database()
              .execute()
              .get(
                  "SELECT count(*) AS n FROM operator_jobs"
                      + " WHERE box_id = ? AND status IN ('queued', 'running')",
                  box.id())
              .map(row -> Rows.longValue(row, "n"))
              .orElseThrow();
    }
    return unfinished;
  }

  protected void assertServingWithActiveToken(Box box, String when) {
    Box now = fixture().boxes().find(box.id()).orElseThrow();
    assertThat(now.observedState()).as(when + ": " + now).isEqualTo(BoxObservedState.RUNNING);
    Awaitility.await(when + ": the gateway of " + box.id() + " serves")
        .atMost(Duration.ofSeconds(20))
        .until(() -> serving(box));
    assertThat(liveTokenStatuses(box))
        .as(when + ": the tokens of " + box.id())
        .isNotEmpty()
        .containsOnly(ProxyTokenStatus.ACTIVE);
    String token = storedToken(box);
    Awaitility.await(when + ": the proxy takes the token of " + box.id())
        .atMost(Duration.ofSeconds(20))
        .until(() -> chat(token) == 200);
  }

  protected void assertStoppedWithSuspendedTokens(Box box, String when) {
    Box now = fixture().boxes().find(box.id()).orElseThrow();
    assertThat(now.observedState()).as(when + ": " + now).isEqualTo(BoxObservedState.SUSPENDED);
    assertThat(stopped(box)).as(when + ": the gateway of " + box.id() + " is stopped").isTrue();
    assertThat(liveTokenStatuses(box))
        .as(when + ": the tokens of " + box.id())
        .isNotEmpty()
        .containsOnly(ProxyTokenStatus.SUSPENDED);
    String token = storedToken(box);
    Awaitility.await(when + ": the proxy refuses the token of " + box.id())
        .atMost(Duration.ofSeconds(20))
        .until(() -> chat(token) == 403);
  }

  /** The proxy token the runtime holds for the box. */
  protected abstract String storedToken(Box box);

  private List<ProxyTokenStatus> liveTokenStatuses(Box box) {
    return fixture().tokens().listForBox(fixture().database().execute(), box.id()).stream()
        .map(ProxyToken::status)
        .filter(status -> status != ProxyTokenStatus.REVOKED)
        .toList();
  }

  /** The status of one chat completion with the token through the real proxy. */
  protected int chat(String token) {
    String body =
        Json.write(
            Map.of(
                "model",
                "kimi-k2.6",
                "messages",
                List.of(Map.of("role", "user", "content", "hello")),
                "max_completion_tokens",
                16));
    try {
      return HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + fixture().proxyService().port()
                              + "/v1/chat/completions"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** operator_jobs.steps of the job. */
  protected JsonNode steps(UUID jobId) {
    return fixture()
        .database()
        .execute()
        .get("SELECT steps::text AS steps FROM operator_jobs WHERE id = ?", jobId)
        .map(
            row -> {
              try {
                return Json.MAPPER.readTree(Rows.string(row, "steps"));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .orElseThrow();
  }

  protected static Stream<String> names(JsonNode steps) {
    return steps.findValuesAsText("step").stream();
  }
}
