package cloud.openclaw.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.kubernetes.Kubelet;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.kubernetes.TestBoxes;
import cloud.openclaw.operator.kubernetes.WorkspaceBackupResources;
import cloud.openclaw.operator.workspaces.S3Presigner;
import cloud.openclaw.operator.workspaces.WorkspaceStore;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.crypto.SecretBox;
import cloud.openclaw.platform.db.Database;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxObservedState;
import cloud.openclaw.platform.domain.BoxRuntime;
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
import cloud.openclaw.proxy.TestServices;
import cloud.openclaw.proxy.TestTokenProxy;
import cloud.openclaw.sandbox.s3.S3Server;
import cloud.openclaw.sandbox.s3.S3Settings;
import cloud.openclaw.sandbox.s3.S3StandIn;
import cloud.openclaw.testkit.TestPostgres;
import cloud.openclaw.testkit.TestRedis;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workspace store wired through {@link Main}: the operator service started with {@code
 * operator.workspaces.*} naming the sandbox's S3 stand-in (which checks SigV4 presigned URLs) and
 * key files, on fabric8's CRUD mock as the cluster. Jobs go through the real queue; the test plays
 * the kubelet and the Job controller, and the archive pods' GET and PUT.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorWorkspacesIT {
  @RegisterExtension static final TestPostgres postgres = new TestPostgres();
  @RegisterExtension static final TestRedis testRedis = new TestRedis();

  private static final String BUCKET = "openclaw-workspaces";
  private static final S3Settings S3 =
      new S3Settings(
          "AKIAOPERATORIT",
          "operator-it-secret",
          "eu-central-1",
          List.of(BUCKET),
          S3Settings.AWS_MIN_PART_SIZE);

  static KubernetesClient client;
  static KubernetesMockServer server;

  @TempDir static Path keys;

  static Database database;
  static Redis redis;
  static cloud.openclaw.sandbox.Main.Sandbox sandbox;
  static RunningService proxyService;
  static String proxyInternalUrl;
  static TokenProxyClient proxy;
  static BoxStore boxes;
  static S3Server s3;
  static KubernetesSettings kubernetes;
  static Thread kubelet;
  static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() {
    database = TestServices.database(postgres);
    redis = TestServices.redis(testRedis);
    sandbox = TestServices.sandbox();
    TestTokenProxy.Started started = TestTokenProxy.start(postgres, testRedis, sandbox.port());
    proxyService = started.service();
    proxyInternalUrl = started.internalUrl();
    proxy = started.client();
    boxes =
        new BoxStore(database, new SecretBox(new CryptoSettings("k", Map.of("k", new byte[32]))));
    s3 = S3Server.start(new S3StandIn(S3), "127.0.0.1", 0, null);
    kubernetes = TestBoxes.kubernetes();
    kubelet = Kubelet.followAll(client);
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.interrupt();
    }
    TestServices.closeAll(s3, proxyService, sandbox, redis, database);
  }

  @Test
  void theOperatorRestoresSnapshotsAndArchivesThroughItsConfiguredStore() throws Exception {
    Map<String, String> config = operatorConfig();
    Box box = newBox();
    String ns = BoxResources.namespaceName(box.id(), kubernetes);
    String lastSuccess = redis.key("operator", "workspace-snapshots", "last-success");
    JobQueue queue = new JobQueue(new JobStore(database, 8), new JobStream(redis, Main.QUEUE));

    try (RunningService operator = startOperator(config)) {
      // The snapshot scheduler runs a first pass at start: no running box yet, so a complete one.
      await().atMost(Duration.ofSeconds(20)).until(() -> redis.client().get(lastSuccess) != null);
      assertThat(metrics(operator))
          .contains("openclaw_backup_last_success_timestamp_seconds{kind=\"workspaces\"");

      runToTheEnd(queue.enqueue(new NewJob(JobType.PROVISION, box.id(), null, "it-p-" + box.id())));
      assertThat(boxes.find(box.id()).orElseThrow().observedState())
          .isEqualTo(BoxObservedState.RUNNING);
    }

    var initContainers =
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName(BoxResources.DEPLOYMENT)
            .get()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getInitContainers();
    assertThat(initContainers.getFirst().getName()).isEqualTo("restore-workspace");
    URI restore =
        URI.create(secretValue(ns, BoxResources.CONFIG, WorkspaceBackupResources.RESTORE_URL_KEY));
    assertThat(restore.getPath())
        .isEqualTo("/" + BUCKET + "/workspaces/" + box.customerId() + ".tar.gz");
    HttpResponse<String> none = send(HttpRequest.newBuilder(restore).GET());
    assertThat(none.statusCode()).as(none.body()).isEqualTo(404);
    assertThat(none.body()).as("signed with the key files' key: accepted").contains("NoSuchKey");

    byte[] archive = "an earlier box's workspace".getBytes(StandardCharsets.UTF_8);
    URI put =
        new S3Presigner(endpoint(), S3.region(), S3.accessKey(), S3.secretKey(), Clock.systemUTC())
            .object(
                "PUT", BUCKET, WorkspaceStore.objectKey(box.customerId()), Duration.ofMinutes(5));
    assertThat(
            send(HttpRequest.newBuilder(put).PUT(HttpRequest.BodyPublishers.ofByteArray(archive)))
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> found = send(HttpRequest.newBuilder(restore).GET());
    assertThat(found.statusCode()).isEqualTo(200);
    assertThat(found.body()).isEqualTo("an earlier box's workspace");

    // An hour later (the lock's lease, the interval, ended) another operator's first pass copies
    // the running box.
    redis.client().del(redis.key("operator", "workspace-snapshots"));
    try (RunningService operator = startOperator(config)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> snapshotJob(ns), job -> job != null);
      var snapshot = snapshotJob(ns);
      assertThat(snapshot.getMetadata().getName())
          .as("the PT1H interval names the pass by its minute")
          .matches("workspace-snapshot-\\d{8}-\\d{4}");
      assertThat(putUrlAccepted(snapshot, "a snapshot")).isEqualTo(200);
      Kubelet.finishJob(client, ns, snapshot.getMetadata().getName(), true);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> metric(operator, "outcome=\"succeeded\",reason=\"snapshot\""), "1.0"::equals);

      boxes.setDesiredState(database.execute(), box.id(), BoxDesiredState.DESTROYED);
      Job destroy = queue.enqueue(new NewJob(JobType.DESTROY, box.id(), null, "it-d-" + box.id()));
      await().atMost(Duration.ofSeconds(20)).until(() -> archiveJob(ns), job -> job != null);
      assertThat(client.namespaces().withName(ns).get())
          .as("kept until the archive is done")
          .isNotNull();
      assertThat(putUrlAccepted(archiveJob(ns), "the last workspace")).isEqualTo(200);
      Kubelet.finishJob(client, ns, true);
      runToTheEnd(destroy);

      assertThat(client.namespaces().withName(ns).get()).isNull();
      assertThat(boxes.find(box.id()).orElseThrow().observedState())
          .isEqualTo(BoxObservedState.DESTROYED);
      assertThat(metric(operator, "outcome=\"succeeded\",reason=\"destroy\"")).isEqualTo("1.0");
      assertThat(metric(operator, "outcome=\"failed\",reason=\"destroy\"")).isEqualTo("0.0");
    }
    assertThat(s3.standIn().object(BUCKET, WorkspaceStore.objectKey(box.customerId())))
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("the last workspace");
  }

  // --- helpers

  private static Map<String, String> operatorConfig() throws Exception {
    Path access = Files.writeString(keys.resolve("access-key"), S3.accessKey() + "\n");
    Path secret = Files.writeString(keys.resolve("secret-key"), S3.secretKey() + "\n");
    Map<String, String> overrides = OperatorServiceConfig.base(postgres, testRedis);
    overrides.put("operator.kubernetes.enabled", "true");
    overrides.put("operator.token-proxy.internal-url", proxyInternalUrl);
    overrides.put("operator.token-proxy.internal-token", TestTokenProxy.INTERNAL_TOKEN);
    overrides.put("operator.ready-timeout", "PT20S");
    overrides.put("telegram.api-root", "http://127.0.0.1:" + sandbox.port() + "/telegram");
    overrides.put("operator.workspaces.s3.endpoint", endpoint().toString());
    overrides.put("operator.workspaces.s3.region", S3.region());
    overrides.put("operator.workspaces.s3.bucket", BUCKET);
    overrides.put("operator.workspaces.s3.access-key-file", access.toString());
    overrides.put("operator.workspaces.s3.secret-key-file", secret.toString());
    overrides.put("operator.workspaces.archive-timeout", "PT1M");
    overrides.put("operator.workspaces.snapshot-interval", "PT1H");
    return overrides;
  }

  private static RunningService startOperator(Map<String, String> overrides) {
    return Main.start(
        ConfigLoader.load("operator", Map.of(), overrides),
        () -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build());
  }

  private static URI endpoint() {
    return URI.create("http://127.0.0.1:" + s3.port());
  }

  private static Box newBox() {
    UUID customer = TestTokenProxy.activeCustomer(database, "starter");
    Box box =
        boxes.create(database.execute(), TestTokenProxy.newBox(customer, BoxRuntime.KUBERNETES));
    TestTokenProxy.openPeriod(proxy, customer, 1_000_000);
    // The operator checks the box's bot with Telegram before the box is running.
    sandbox.telegram().addBot(boxes.openBotToken(box), box.botUsername(), null);
    return box;
  }

  private static void runToTheEnd(Job job) {
    JobStore store = new JobStore(database, 8);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> store.find(job.id()).orElseThrow().status(), s -> s == JobStatus.SUCCEEDED);
  }

  private static io.fabric8.kubernetes.api.model.batch.v1.Job archiveJob(String ns) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withName(WorkspaceBackupResources.ARCHIVE_JOB)
        .get();
  }

  private static io.fabric8.kubernetes.api.model.batch.v1.Job snapshotJob(String ns) {
    return client.batch().v1().jobs().inNamespace(ns).list().getItems().stream()
        .filter(j -> j.getMetadata().getName().startsWith("workspace-snapshot-"))
        .findFirst()
        .orElse(null);
  }

  /** What the Job's pod would do: PUT {@code body} to the URL at the end of its command. */
  private static int putUrlAccepted(io.fabric8.kubernetes.api.model.batch.v1.Job job, String body)
      throws Exception {
    URI url =
        URI.create(
            job.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getCommand()
                .getLast());
    assertThat(url.getPath()).startsWith("/" + BUCKET + "/workspaces/");
    // A body of known length goes with Content-Length (the stand-in refuses a chunked PUT, as S3
    // does).
    HttpResponse<String> response =
        send(HttpRequest.newBuilder(url).PUT(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.statusCode();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String secretValue(String ns, String name, String key) {
    var secret = client.secrets().inNamespace(ns).withName(name).get();
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }

  private static String metrics(RunningService operator) throws Exception {
    return send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + operator.internalPort() + "/observe/metrics")))
        .body();
  }

  /** The value of openclaw_workspace_archives_total with these tags (and the service's). */
  private static String metric(RunningService operator, String tags) throws Exception {
    String prefix = "openclaw_workspace_archives_total{" + tags + ",service=\"operator\"} ";
    return metrics(operator)
        .lines()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()))
        .findFirst()
        .orElse(null);
  }
}
