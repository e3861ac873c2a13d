package cloud.openclaw.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cloud.openclaw.api.ApiSettings;
import cloud.openclaw.api.auth.SigningKeys;
import cloud.openclaw.api.stripe.StripeRoutes;
import cloud.openclaw.billing.BillingSettings;
import cloud.openclaw.billing.mail.MailSettings;
import cloud.openclaw.onboarding.OnboardingSettings;
import cloud.openclaw.onboarding.telegram.SetupBotSettings;
import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.kubernetes.KubernetesSettings;
import cloud.openclaw.operator.local.LocalSettings;
import cloud.openclaw.operator.workspaces.WorkspaceStore;
import cloud.openclaw.platform.billing.StripeSettings;
import cloud.openclaw.platform.config.ConfigLoader;
import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.CryptoSettings;
import cloud.openclaw.platform.config.PlatformSettings;
import cloud.openclaw.platform.config.ServerSettings;
import cloud.openclaw.platform.config.Settings;
import cloud.openclaw.proxy.ProxySettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform's Kubernetes objects (nixos/platform, rendered by nix-instantiate as CI does) fit
 * the services that run in them: every variable is a configuration key, each service's start checks
 * accept its Deployment's configuration (Secrets as values of their shape), each service listens
 * where its Service and probes point, the operator's RBAC is its rbac.yaml, and the operator's
 * defaults find the token proxy. Skipped without nix-instantiate, except in CI (CI=true), where
 * .ci/run installs it.
 */
class DeploymentManifestsTest {
  private static final String NAMESPACE = "openclaw-system";
  private static final String NAME_LABEL = "app.kubernetes.io/name";
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Z0-9_]+)\\)");

  /**
   * What each service reads and checks at start (its Main.start, same classes, same order), with
   * nothing connected: a key the service cannot start without fails here naming the key and its
   * variable. Keep it in step with the services' Main classes.
   */
  private static final Map<String, Consumer<Settings>> START =
      Map.of(
          "api",
          settings -> {
            ServerSettings.from(settings, "api");
            PlatformSettings.from(settings);
            CryptoSettings.from(settings);
            ApiSettings.from(settings);
            StripeRoutes.configure(settings);
            URI.create(settings.string("telegram.api-root"));
          },
          "billing-worker",
          settings -> {
            ServerSettings.from(settings, "billing");
            PlatformSettings.from(settings);
            BillingSettings.from(settings);
            MailSettings.from(settings);
            StripeSettings.from(settings);
            CryptoSettings.from(settings);
          },
          "token-proxy",
          settings -> {
            ProxySettings.from(settings);
            PlatformSettings.from(settings);
          },
          "operator",
          DeploymentManifestsTest::operatorStart,
          "onboarding-agent",
          settings -> {
            ServerSettings.from(settings, "onboarding");
            PlatformSettings.from(settings);
            OnboardingSettings.from(settings);
            CryptoSettings.from(settings);
            URI.create(settings.string("telegram.api-root"));
            SetupBotSettings.from(settings);
          });

  /**
   * Values of the shape each Secret key holds (nixos/secrets/README.md), standing in for what
   * sops-nix renders on the node.
   */
  private static final Map<String, String> SECRET_SHAPES = secretShapes();

  private static JsonNode rendered;
  private static List<HasMetadata> objects;

  @BeforeAll
  static void render() throws Exception {
    Path root = repositoryRoot();
    Path nix = onPath("nix-instantiate");
    if (nix == null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("nix-instantiate is missing: CI must render nixos/platform (apt-get install nix-bin)");
      }
      assumeTrue(false, "nix-instantiate is not installed: platform manifests not rendered");
    }
    Process process =
        new ProcessBuilder(
                nix.toString(),
                "--store",
                "dummy://",
                "--eval",
                "--strict",
                "--json",
                root.resolve("nixos/platform/render.nix").toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    byte[] json = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("nix-instantiate exit status").isZero();
    rendered = new ObjectMapper().readTree(json);
    objects = new ArrayList<>();
    rendered
        .get("manifests")
        .forEach(
            file ->
                file.forEach(object -> objects.add(Serialization.unmarshal(object.toString()))));
  }

  @Test
  void everyVariableOfAServiceIsOneOfItsConfigurationKeys() {
    for (String service : serviceNames()) {
      Set<String> declared = new HashSet<>();
      ConfigLoader.load(service, Map.of(), Map.of())
          .traverse()
          .filter(node -> node.isLeaf())
          .forEach(node -> declared.add(ConfigLoader.environmentName(node.key().toString())));
      for (EnvVar variable : container(service).getEnv()) {
        if (variable.getName().startsWith("OPENCLAW_")) {
          assertThat(declared)
              .as(service + " knows " + variable.getName())
              .contains(variable.getName());
        }
      }
    }
  }

  @Test
  void everyServiceListensWhereItsServiceAndProbesPoint() {
    for (String service : serviceNames()) {
      JsonNode spec = rendered.get("services").get(service);
      Settings settings = settings(service);
      String prefix = spec.get("configPrefix").asText();
      int port = settings.port(prefix + ".port");
      assertThat(port).as(service + " port").isEqualTo(spec.get("ports").get("http").asInt());
      // nixos/platform/services.nix keeps the ports of the services' own application.yaml.
      Settings defaults = new Settings(ConfigLoader.load(service, Map.of(), Map.of()));
      assertThat(port).as(service + " default port").isEqualTo(defaults.port(prefix + ".port"));

      Container container = container(service);
      assertThat(containerPort(container, "http")).as(service + " containerPort").isEqualTo(port);
      // Health with each check (503 without PostgreSQL or Redis) is on the internal port; the
      // public one answers a bare UP, enough to tell a hung server.
      int internal = internalPort(service, settings);
      assertThat(internal).as(service + " internal port").isNotEqualTo(port);
      assertThat(internal)
          .as(service + " default internal port")
          .isEqualTo(internalPort(service, defaults))
          .isEqualTo(spec.get("ports").get("internal").asInt());
      assertThat(containerPort(container, "internal")).isEqualTo(internal);
      assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/observe/health");
      assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
          .isEqualTo("internal");
      assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/observe/health");
      assertThat(container.getStartupProbe().getHttpGet().getPort().getStrVal())
          .isEqualTo("internal");
      assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/observe/health");
      assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
      assertThat(servicePort(service, "internal").getPort()).isEqualTo(internal);
      assertThat(servicePort(service, "internal").getTargetPort().getStrVal())
          .isEqualTo("internal");
      assertThat(container.getImage()).contains("/" + service + ":");

      ServicePort servicePort = servicePort(service, "http");
      assertThat(servicePort.getPort()).isEqualTo(port);
      assertThat(servicePort.getTargetPort().getStrVal()).isEqualTo("http");
      assertThat(object(Service.class, service).getSpec().getSelector())
          .isEqualTo(deployment(service).getSpec().getTemplate().getMetadata().getLabels());
    }
  }

  @Test
  void theInternalPortsAreOpenToTheNamespaceAndPrometheusOnlyAndNoIngressRoutesThere() {
    Set<Integer> internalPorts = new TreeSet<>();
    for (String service : serviceNames()) {
      internalPorts.add(internalPort(service, settings(service)));
    }
    NetworkPolicy policy = object(NetworkPolicy.class, "internal-ports");
    assertThat(policy.getSpec().getPodSelector().getMatchExpressions().getFirst().getValues())
        .containsExactlyInAnyOrderElementsOf(serviceNames());
    assertThat(policy.getSpec().getIngress())
        .singleElement()
        .satisfies(
            rule -> {
              // Pods of openclaw-system (a pod selector alone), and Prometheus' pods of namespace
              // monitoring: no other namespace.
              assertThat(rule.getFrom())
                  .hasSize(2)
                  .allSatisfy(peer -> assertThat(peer.getIpBlock()).isNull())
                  .anySatisfy(
                      peer -> {
                        assertThat(peer.getNamespaceSelector()).isNull();
                        assertThat(peer.getPodSelector().getMatchLabels()).isNullOrEmpty();
                      })
                  .anySatisfy(
                      peer -> {
                        assertThat(peer.getNamespaceSelector()).isNotNull();
                        assertThat(peer.getNamespaceSelector().getMatchLabels())
                            .isEqualTo(Map.of("kubernetes.io/metadata.name", "monitoring"));
                        assertThat(peer.getPodSelector().getMatchLabels())
                            .isEqualTo(Map.of(NAME_LABEL, "prometheus"));
                      });
              assertThat(rule.getPorts())
                  .extracting(p -> p.getPort().getIntVal())
                  .containsExactlyInAnyOrderElementsOf(internalPorts);
            });
    // No other policy lets anything from outside the namespace (ingress, boxes) in on them.
    for (HasMetadata object : objects) {
      if (object instanceof NetworkPolicy other && other != policy) {
        for (NetworkPolicyIngressRule rule : other.getSpec().getIngress()) {
          boolean fromOutside =
              rule.getFrom().stream().anyMatch(peer -> peer.getNamespaceSelector() != null);
          if (fromOutside) {
            assertThat(rule.getPorts())
                .as(other.getMetadata().getName())
                .noneMatch(p -> internalPorts.contains(p.getPort().getIntVal()));
          }
        }
      }
    }
    for (HasMetadata object : objects) {
      if (object instanceof io.fabric8.kubernetes.api.model.networking.v1.Ingress ingress) {
        ingress
            .getSpec()
            .getRules()
            .forEach(
                rule ->
                    rule.getHttp()
                        .getPaths()
                        .forEach(
                            path ->
                                assertThat(path.getBackend().getService().getPort().getName())
                                    .as(ingress.getMetadata().getName())
                                    .isEqualTo("http")));
      }
    }
  }

  /**
   * Prometheus (namespace monitoring) scrapes every service's internal port and the data stores'
   * exporters; nothing else of that namespace (Grafana) nor the boxes reaches them.
   */
  @Test
  void prometheusReachesEveryInternalPortAndExporterAndNothingElseFromOutsideDoes() {
    Map<String, String> monitoring = Map.of("kubernetes.io/metadata.name", "monitoring");
    Map<String, String> prometheus =
        Map.of(NAME_LABEL, "prometheus", "prometheus", "kube-prometheus-stack-prometheus");
    Map<String, String> grafana = Map.of(NAME_LABEL, "grafana");
    Map<String, String> boxNamespace =
        Map.of(
            "kubernetes.io/metadata.name", "box-0a1b2c3d4e5f",
            "app.kubernetes.io/managed-by", "openclaw-operator");
    Map<String, Integer> targets = new TreeMap<>();
    for (String service : serviceNames()) {
      targets.put(service, internalPort(service, settings(service)));
    }
    targets.put("postgres-exporter", 9187);
    targets.put("redis-exporter", 9121);
    targets.forEach(
        (target, port) -> {
          Map<String, String> pod = podOf(target);
          assertThat(admits(pod, monitoring, prometheus, port))
              .as("Prometheus -> " + target)
              .isTrue();
          assertThat(admits(pod, monitoring, grafana, port)).as("Grafana -> " + target).isFalse();
          assertThat(admits(pod, boxNamespace, Map.of(NAME_LABEL, "openclaw-gateway"), port))
              .as("a box -> " + target)
              .isFalse();
        });
    // Prometheus gets the metrics, not the data stores themselves.
    assertThat(admits(podOf("postgres"), monitoring, prometheus, 5432)).isFalse();
    assertThat(admits(podOf("redis"), monitoring, prometheus, 6379)).isFalse();
  }

  /** The labels of our pods (default.nix, labelsOf). */
  private static Map<String, String> podOf(String name) {
    return Map.of(NAME_LABEL, name, "app.kubernetes.io/part-of", "openclaw-cloud");
  }

  @Test
  void theTokenProxyServesItsInternalApiWhereTheOperatorCallsIt() {
    Settings proxy = settings("token-proxy");
    int internal = proxy.port("proxy.internal.port");
    assertThat(containerPort(container("token-proxy"), "internal")).isEqualTo(internal);
    assertThat(servicePort("token-proxy", "internal").getPort()).isEqualTo(internal);

    URI internalUrl = URI.create(settings("operator").string("operator.token-proxy.internal-url"));
    assertThat(internalUrl.getHost()).isEqualTo("token-proxy." + NAMESPACE + ".svc.cluster.local");
    assertThat(internalUrl.getPort()).isEqualTo(internal);
    // Both ends hold the same service token.
    assertThat(secretRef("operator", "OPENCLAW_OPERATOR_TOKEN_PROXY_INTERNAL_TOKEN"))
        .isEqualTo(secretRef("token-proxy", "OPENCLAW_PROXY_INTERNAL_TOKEN"));
  }

  @Test
  void theBoxesReachTheTokenProxyThroughTheOperatorsSettings() {
    KubernetesSettings operator = KubernetesSettings.from(settings("operator"));
    assertThat(operator.tokenProxyNamespace()).isEqualTo(NAMESPACE);
    assertThat(deployment("token-proxy").getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(operator.tokenProxyPodLabels());
    int proxyPort = containerPort(container("token-proxy"), "http");
    assertThat(operator.tokenProxyPort()).isEqualTo(proxyPort);
    URI baseUrl = URI.create(operator.tokenProxyBaseUrl());
    assertThat(baseUrl.getHost()).isEqualTo("token-proxy." + NAMESPACE + ".svc.cluster.local");
    assertThat(baseUrl.getPort()).isEqualTo(servicePort("token-proxy", "http").getPort());
    assertThat(operator.image()).isEqualTo(string("OPENCLAW_OPERATOR_KUBERNETES_IMAGE"));

    // openclaw-system denies ingress by default: the boxes' namespaces are let in, on that port.
    NetworkPolicy policy = object(NetworkPolicy.class, "token-proxy");
    boolean boxesAllowed = false;
    for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      boolean fromBoxes =
          rule.getFrom().stream()
              .anyMatch(
                  peer ->
                      peer.getNamespaceSelector() != null
                          && BoxResources.MANAGED_BY.equals(
                              peer.getNamespaceSelector()
                                  .getMatchLabels()
                                  .get(BoxResources.MANAGED_BY_LABEL)));
      boolean onPort = rule.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == proxyPort);
      boxesAllowed |= fromBoxes && onPort;
    }
    assertThat(boxesAllowed).as("boxes may reach the token proxy on " + proxyPort).isTrue();
  }

  /**
   * The operator archives destroyed boxes' workspaces to the backups bucket (pgBackRest's), signing
   * with that bucket's key, which it reads from files the Secret volume puts where its settings
   * say: only the two S3 keys of that Secret, never its repository passphrase.
   */
  @Test
  void theOperatorArchivesWorkspacesToTheBackupsBucketWithItsKeyAsFiles(@TempDir Path dir)
      throws IOException {
    Settings operator = settings("operator");
    var pod = deployment("operator").getSpec().getTemplate().getSpec();
    Map<String, String> files = new HashMap<>();
    for (var mount : container("operator").getVolumeMounts()) {
      var volume =
          pod.getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()))
              .findFirst()
              .orElseThrow();
      if (volume.getSecret() != null) {
        assertThat(mount.getReadOnly()).as(mount.getName()).isTrue();
        for (var item : volume.getSecret().getItems()) {
          files.put(
              mount.getMountPath() + "/" + item.getPath(),
              volume.getSecret().getSecretName() + "/" + item.getKey());
        }
      }
    }
    assertThat(files)
        .containsOnly(
            Map.entry(
                operator.string("operator.workspaces.s3.access-key-file"),
                "openclaw-backups/s3-access-key"),
            Map.entry(
                operator.string("operator.workspaces.s3.secret-key-file"),
                "openclaw-backups/s3-secret-key"));

    Map<String, String> environment = new LinkedHashMap<>(environment("operator"));
    environment.put(
        "OPENCLAW_OPERATOR_WORKSPACES_S3_ACCESS_KEY_FILE",
        Files.writeString(dir.resolve("ak"), "AK").toString());
    environment.put(
        "OPENCLAW_OPERATOR_WORKSPACES_S3_SECRET_KEY_FILE",
        Files.writeString(dir.resolve("sk"), "SK").toString());
    WorkspaceStore store =
        WorkspaceStore.from(new Settings(ConfigLoader.load("operator", environment, Map.of())))
            .orElseThrow(() -> new AssertionError("the operator archives no workspaces"));
    Map<String, String> pgbackrest = new HashMap<>();
    for (HasMetadata object : objects) {
      for (Container c : containers(object)) {
        for (EnvVar v : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
          if (v.getName().startsWith("PGBACKREST_REPO1_S3_") && v.getValue() != null) {
            pgbackrest.put(v.getName(), v.getValue());
          }
        }
      }
    }
    assertThat(store.bucket()).isEqualTo(pgbackrest.get("PGBACKREST_REPO1_S3_BUCKET"));
    assertThat(store.region()).isEqualTo(pgbackrest.get("PGBACKREST_REPO1_S3_REGION"));
    assertThat(store.endpoint())
        .isEqualTo(URI.create("https://" + pgbackrest.get("PGBACKREST_REPO1_S3_ENDPOINT")));
  }

  @Test
  void theApiAndTheOnboardingAgentReachEachOtherWithTheSameTokens() {
    // The relay's bearer and the setup bot (which manages the bots people create) are one each.
    assertThat(secretRef("api", "OPENCLAW_API_ONBOARDING_INTERNAL_TOKEN"))
        .isEqualTo(secretRef("onboarding-agent", "OPENCLAW_ONBOARDING_INTERNAL_TOKEN"));
    assertThat(secretRef("api", "OPENCLAW_API_ONBOARDING_SETUP_BOT_TOKEN"))
        .isEqualTo(secretRef("onboarding-agent", "OPENCLAW_ONBOARDING_TELEGRAM_TOKEN"));
    OnboardingSettings onboarding = OnboardingSettings.from(settings("onboarding-agent"));
    assertThat(onboarding.internalToken()).hasSizeGreaterThanOrEqualTo(16);
    assertThat(SetupBotSettings.from(settings("onboarding-agent")).enabled()).isTrue();

    URI agent = URI.create(settings("api").string("api.onboarding.url"));
    assertThat(agent.getHost()).isEqualTo("onboarding-agent." + NAMESPACE + ".svc.cluster.local");
    assertThat(agent.getPort()).isEqualTo(servicePort("onboarding-agent", "http").getPort());
    assertThat(onboarding.apiUrl().getHost()).isEqualTo("api." + NAMESPACE + ".svc.cluster.local");
    assertThat(onboarding.apiUrl().getPort()).isEqualTo(servicePort("api", "http").getPort());

    assertThat(
            allowed(
                "onboarding-agent", "api", containerPort(container("onboarding-agent"), "http")))
        .as("the api relays web chat inputs to the onboarding agent")
        .isTrue();
    assertThat(allowed("api", "onboarding-agent", containerPort(container("api"), "http")))
        .as("the onboarding agent calls the api's POST /signup")
        .isTrue();
  }

  @Test
  void theOnboardingAgentTalksToItsModelThroughTheTokenProxy() {
    OnboardingSettings.ModelSettings model =
        OnboardingSettings.from(settings("onboarding-agent")).model();
    assertThat(model.enabled()).isTrue();
    URI baseUrl = URI.create(model.baseUrl());
    assertThat(baseUrl.getHost()).isEqualTo("token-proxy." + NAMESPACE + ".svc.cluster.local");
    assertThat(baseUrl.getPort()).isEqualTo(servicePort("token-proxy", "http").getPort());
    assertThat(baseUrl.getPath()).isEqualTo("/v1");
    assertThat(ProxySettings.from(settings("token-proxy")).platformPlan().models())
        .as("the token proxy lets the platform's accounts use " + model.name())
        .contains(model.name());
    int proxyPort = containerPort(container("token-proxy"), "http");
    assertThat(allowed("token-proxy", "onboarding-agent", proxyPort)).isTrue();
    // Nor the proxy, nor the setup bot's long polling of Telegram (443) is held back on the way
    // out.
    for (HasMetadata object : objects) {
      if (object instanceof NetworkPolicy policy) {
        assertThat(policy.getSpec().getPolicyTypes())
            .as("NetworkPolicy " + policy.getMetadata().getName() + " limits ingress only")
            .containsExactly("Ingress");
      }
    }
  }

  @Test
  void theOperatorHasExactlyTheRightsOfItsRbacYaml() throws IOException {
    List<HasMetadata> own;
    try (InputStream in = BoxResources.class.getResourceAsStream("/operator/rbac.yaml")) {
      Object parsed = Serialization.unmarshal(in);
      @SuppressWarnings("unchecked")
      List<HasMetadata> items = (List<HasMetadata>) parsed;
      own = items;
    }
    List<ClusterRole> roles =
        own.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast).toList();
    // The operator's own, and the box Secrets role it binds in each box namespace.
    assertThat(roles).hasSize(2);
    for (ClusterRole role : roles) {
      assertThat(grants(object(ClusterRole.class, role.getMetadata().getName()).getRules()))
          .as(role.getMetadata().getName())
          .isEqualTo(grants(role.getRules()));
    }
    ClusterRole deployed = object(ClusterRole.class, "openclaw-operator");
    assertThat(grants(deployed.getRules())).noneMatch(g -> g.startsWith("/secrets:"));
    assertThat(objects)
        .filteredOn(ClusterRoleBinding.class::isInstance)
        .extracting(o -> ((ClusterRoleBinding) o).getRoleRef().getName())
        .doesNotContain(BoxResources.SECRETS_ROLE);

    ClusterRoleBinding binding = object(ClusterRoleBinding.class, deployed.getMetadata().getName());
    assertThat(binding.getRoleRef().getName()).isEqualTo(deployed.getMetadata().getName());
    String account = binding.getSubjects().get(0).getName();
    assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo(NAMESPACE);
    assertThat(deployment("operator").getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(account);
  }

  @Test
  void everySecretReferenceNamesARenderedSecretKey() {
    JsonNode secrets = rendered.get("secrets");
    List<String> references = new ArrayList<>();
    for (HasMetadata object : objects) {
      for (Container container : containers(object)) {
        for (EnvVar variable : container.getEnv()) {
          if (variable.getValueFrom() != null
              && variable.getValueFrom().getSecretKeyRef() != null) {
            var ref = variable.getValueFrom().getSecretKeyRef();
            references.add(ref.getName() + "/" + ref.getKey());
            assertThat(secrets.path(ref.getName()).has(ref.getKey()))
                .as(
                    object.getMetadata().getName()
                        + " "
                        + variable.getName()
                        + " -> "
                        + ref.getName()
                        + "/"
                        + ref.getKey())
                .isTrue();
          }
        }
      }
    }
    assertThat(references).isNotEmpty();
  }

  /**
   * sops-nix refuses to activate a node whose secrets name a key its sops file lacks; and each host
   * group's file holds only what its nodes use: the control plane's (cluster.yaml) the join tokens
   * and the platform's keys, the workers' (workers.yaml) the agent token and the registry
   * credentials, none of the platform's keys nor the server token.
   */
  @Test
  void eachHostGroupsSopsFileHasTheKeysItsNodesDeclareAndNoOthers() throws IOException {
    Set<String> platform = new TreeSet<>();
    rendered.get("secrets").forEach(keys -> keys.forEach(key -> platform.add(key.asText())));
    rendered
        .at("/monitoringSecrets/secrets")
        .forEach(keys -> keys.forEach(key -> platform.add(key.asText())));
    Set<String> common = declaredSopsKeys("nixos/nodes/common.nix");
    Set<String> controlPlane = new TreeSet<>(common);
    controlPlane.addAll(declaredSopsKeys("nixos/nodes/control-plane.nix"));
    controlPlane.addAll(platform);
    Set<String> workers = new TreeSet<>(common);
    workers.addAll(declaredSopsKeys("nixos/nodes/worker.nix"));

    assertThat(sopsDefaultFile("nixos/nodes/control-plane.nix")).isEqualTo("cluster.yaml");
    assertThat(sopsDefaultFile("nixos/nodes/worker.nix")).isEqualTo("workers.yaml");
    assertThat(sopsKeysIn("nixos/secrets/cluster.yaml")).isEqualTo(controlPlane);
    assertThat(sopsKeysIn("nixos/secrets/workers.yaml"))
        .isEqualTo(workers)
        .containsExactlyInAnyOrder("k3s-agent-token", "ghcr-username", "ghcr-token")
        .doesNotContainAnyElementsOf(platform);
  }

  /**
   * Each file is encrypted to exactly its .sops.yaml rule's keys: no worker key opens cluster.yaml.
   */
  @Test
  void onlyTheControlPlaneAndTheAdminCanDecryptTheControlPlanesSecrets() throws IOException {
    String rules = Files.readString(repositoryRoot().resolve(".sops.yaml"));
    Map<String, String> keys = new TreeMap<>();
    Matcher key = Pattern.compile("(?m)^\\s*- &([A-Za-z0-9_-]+) (age1[0-9a-z]+)$").matcher(rules);
    while (key.find()) {
      keys.put(key.group(1), key.group(2));
    }
    Map<String, Set<String>> recipientsByFile = new TreeMap<>();
    String[] blocks = rules.split("- path_regex: ");
    for (int i = 1; i < blocks.length; i++) {
      String file = blocks[i].lines().findFirst().orElseThrow().replaceAll("[\\^$\\\\]", "");
      Set<String> recipients = new TreeSet<>();
      Matcher ref = Pattern.compile("\\*([A-Za-z0-9_-]+)").matcher(blocks[i]);
      while (ref.find()) {
        recipients.add(keys.get(ref.group(1)));
      }
      recipientsByFile.put(file, recipients);
    }
    assertThat(recipientsByFile)
        .containsOnlyKeys("nixos/secrets/cluster.yaml", "nixos/secrets/workers.yaml");
    for (var entry : recipientsByFile.entrySet()) {
      Set<String> inFile = new TreeSet<>();
      Matcher recipient =
          Pattern.compile("(?m)^\\s*- recipient: (age1[0-9a-z]+)$")
              .matcher(Files.readString(repositoryRoot().resolve(entry.getKey())));
      while (recipient.find()) {
        inFile.add(recipient.group(1));
      }
      assertThat(inFile).as(entry.getKey()).isEqualTo(entry.getValue());
    }
    Set<String> workerKeys = new TreeSet<>();
    keys.forEach(
        (name, age) -> {
          if (name.startsWith("worker-")) {
            workerKeys.add(age);
          }
        });
    assertThat(workerKeys).isNotEmpty();
    assertThat(recipientsByFile.get("nixos/secrets/cluster.yaml"))
        .doesNotContainAnyElementsOf(workerKeys)
        .contains(keys.get("admin"));
  }

  @Test
  void everyPodHoldingADataStorePasswordMayReachThatStore() {
    Map<String, String> stores = Map.of("openclaw-db", "postgres", "openclaw-redis", "redis");
    stores.forEach(
        (secret, store) -> {
          Set<String> allowed = new TreeSet<>();
          for (NetworkPolicyIngressRule rule :
              object(NetworkPolicy.class, store).getSpec().getIngress()) {
            rule.getFrom()
                .forEach(
                    peer -> allowed.add(peer.getPodSelector().getMatchLabels().get(NAME_LABEL)));
          }
          for (HasMetadata object : objects) {
            boolean holdsPassword =
                containers(object).stream()
                    .flatMap(c -> c.getEnv().stream())
                    .anyMatch(
                        v ->
                            v.getValueFrom() != null
                                && v.getValueFrom().getSecretKeyRef() != null
                                && secret.equals(v.getValueFrom().getSecretKeyRef().getName()));
            String pod = podLabels(object).get(NAME_LABEL);
            if (holdsPassword && !store.equals(pod)) {
              assertThat(allowed).as(pod + " may reach " + store).contains(pod);
            }
          }
        });
  }

  /**
   * Let's Encrypt HTTP-01: ingress-nginx forwards the challenge to cert-manager's solver pod in
   * openclaw-system (next to the Ingress), which the default deny would otherwise drop; nothing
   * else reaches the solver.
   */
  @Test
  void theIngressControllerReachesTheAcmeSolversAndNothingElseDoes() {
    Map<String, String> solver =
        Map.of(
            "acme.cert-manager.io/http01-solver", "true",
            "acme.cert-manager.io/http-domain", "1234",
            "app", "cm-acme-http-solver");
    Map<String, String> ingressNamespace = Map.of("kubernetes.io/metadata.name", "ingress-nginx");
    Map<String, String> controller =
        Map.of(
            "app.kubernetes.io/name", "ingress-nginx",
            "app.kubernetes.io/instance", "ingress-nginx",
            "app.kubernetes.io/component", "controller");
    assertThat(admits(solver, ingressNamespace, controller, 8089)).isTrue();
    assertThat(admits(solver, ingressNamespace, controller, 8080)).isFalse();
    Map<String, String> webhook = new TreeMap<>(controller);
    webhook.put("app.kubernetes.io/component", "admission-webhook");
    assertThat(admits(solver, ingressNamespace, webhook, 8089)).isFalse();
    Map<String, String> boxNamespace =
        Map.of(
            "kubernetes.io/metadata.name", "box-0a1b2c3d4e5f",
            "app.kubernetes.io/managed-by", "openclaw-operator");
    assertThat(
            admits(
                solver, boxNamespace, Map.of("app.kubernetes.io/name", "openclaw-gateway"), 8089))
        .isFalse();
    assertThat(
            admits(
                solver,
                Map.of("kubernetes.io/metadata.name", NAMESPACE),
                Map.of(NAME_LABEL, "api"),
                8089))
        .isFalse();
    // The policy opens the solvers only, not the services next to them.
    assertThat(admits(Map.of(NAME_LABEL, "api"), ingressNamespace, controller, 8089)).isFalse();
  }

  @Test
  void everyServiceStartsWithItsDeploymentsConfiguration() {
    for (String service : serviceNames()) {
      assertThat(START).as("start checks of " + service).containsKey(service);
      try {
        START.get(service).accept(settings(service));
      } catch (ConfigurationException e) {
        fail(service + " would refuse to start in its Deployment: " + e.getMessage());
      }
    }
  }

  /**
   * The keys each service cannot start without, found by leaving out one Deployment variable at a
   * time: so the start checks above really read the configuration, and the list is there to see.
   */
  @Test
  void leavingOutARequiredVariableStopsTheStart() {
    Map<String, Set<String>> required = new TreeMap<>();
    for (String service : serviceNames()) {
      Map<String, String> environment = environment(service);
      // With everything set it starts (everyServiceStartsWithItsDeploymentsConfiguration).
      START.get(service).accept(new Settings(ConfigLoader.load(service, environment, Map.of())));
      for (String variable : environment.keySet()) {
        if (!variable.startsWith("OPENCLAW_")) {
          continue;
        }
        Map<String, String> without = new LinkedHashMap<>(environment);
        without.remove(variable);
        try {
          START.get(service).accept(new Settings(ConfigLoader.load(service, without, Map.of())));
        } catch (ConfigurationException e) {
          assertThat(ConfigLoader.environmentName(e.key()))
              .as(service + " without " + variable + " fails naming it")
              .isEqualTo(variable);
          required.computeIfAbsent(service, s -> new TreeSet<>()).add(e.key());
        }
      }
    }
    serviceNames()
        .forEach(
            service ->
                assertThat(required.get(service))
                    .as(service + " requires " + required.get(service))
                    .contains("db.url", "redis.url"));
    assertThat(required.get("api"))
        .contains(
            "crypto.keys", "api.auth.jwt.keys", "api.stripe.webhook-secret", "stripe.secret-key");
    assertThat(required.get("billing-worker"))
        .contains("stripe.secret-key", "billing.token-proxy.internal-token");
    assertThat(required.get("token-proxy")).contains("proxy.internal.token");
    assertThat(required.get("operator")).contains("operator.token-proxy.internal-token");
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** The operator's Main reads these once connected, when a runtime is enabled. */
  private static void operatorStart(Settings settings) {
    ServerSettings.from(settings, "operator");
    PlatformSettings.from(settings);
    boolean kubernetes = settings.bool("operator.kubernetes.enabled");
    boolean local = settings.bool("operator.local.enabled");
    if (kubernetes) {
      KubernetesSettings.from(settings);
    }
    if (local) {
      LocalSettings.from(settings);
    }
    if (kubernetes || local) {
      CryptoSettings.from(settings);
      URI.create(settings.string("operator.token-proxy.internal-url"));
      settings.string("operator.token-proxy.internal-token");
      settings.duration("operator.ready-timeout");
      settings.duration("operator.reconcile-interval");
      int workers = settings.integer("operator.job-workers", 1, 256);
      settings.integer("operator.lifecycle-workers", 0, 255);
      if (workers > settings.integer("redis.pool-size", 2, 1000) / 2) {
        throw new ConfigurationException("operator.job-workers", "more than redis.pool-size / 2");
      }
    }
  }

  private static Map<String, String> secretShapes() {
    byte[] aesKey = new byte[32];
    new SecureRandom().nextBytes(aesKey);
    String token = HexFormat.of().formatHex(aesKey);
    return Map.ofEntries(
        Map.entry("openclaw-db/password", "dummy-postgres-password"),
        Map.entry("openclaw-redis/password", "dummyredispassword"),
        Map.entry("openclaw-crypto/keys", "k1:" + Base64.getEncoder().encodeToString(aesKey)),
        Map.entry("openclaw-crypto/active-key", "k1"),
        Map.entry("openclaw-proxy/internal-token", token),
        Map.entry("openclaw-proxy/kimi-api-key", "sk-dummy-kimi"),
        Map.entry("openclaw-sessions/jwt-keys", "s1:" + SigningKeys.encode(SigningKeys.generate())),
        Map.entry("openclaw-sessions/jwt-active-key", "s1"),
        Map.entry("openclaw-stripe/secret-key", "sk_test_dummy"),
        Map.entry("openclaw-stripe/webhook-secret", "whsec_dummy"),
        Map.entry("openclaw-mail/username", "dummy-smtp-user"),
        Map.entry("openclaw-mail/password", "dummy-smtp-password"),
        Map.entry("openclaw-onboarding/internal-token", token),
        Map.entry("openclaw-onboarding/setup-bot-token", "123456789:dummy-setup-bot-token"),
        Map.entry("openclaw-onboarding/model-api-key", "ocp_dummy"));
  }

  private static List<String> serviceNames() {
    List<String> names = new ArrayList<>();
    rendered.get("services").fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .contains("api", "token-proxy", "operator", "billing-worker", "onboarding-agent");
    return names;
  }

  /** The service's configuration as it starts in its pod: Deployment env, secrets filled in. */
  private static Settings settings(String service) {
    return new Settings(ConfigLoader.load(service, environment(service), Map.of()));
  }

  /** The Deployment's variables as the pod sees them, each Secret key a value of its shape. */
  private static Map<String, String> environment(String service) {
    Map<String, String> environment = new LinkedHashMap<>();
    for (EnvVar variable : container(service).getEnv()) {
      String value;
      if (variable.getValue() != null) {
        value = expand(variable.getValue(), environment);
      } else {
        var ref = variable.getValueFrom().getSecretKeyRef();
        String secret = ref.getName() + "/" + ref.getKey();
        assertThat(SECRET_SHAPES)
            .as("a value of the shape of Secret " + secret + " in SECRET_SHAPES")
            .containsKey(secret);
        value = SECRET_SHAPES.get(secret);
      }
      environment.put(variable.getName(), value);
    }
    return environment;
  }

  /** $(VAR) as Kubernetes expands it from the variables defined before. */
  private static String expand(String value, Map<String, String> before) {
    Matcher matcher = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      assertThat(before).as("$(" + name + ") is defined before it is used").containsKey(name);
      matcher.appendReplacement(out, Matcher.quoteReplacement(before.get(name)));
    }
    return matcher.appendTail(out).toString();
  }

  private static String string(String variable) {
    return container("operator").getEnv().stream()
        .filter(v -> v.getName().equals(variable))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  private static String secretRef(String service, String variable) {
    var ref =
        container(service).getEnv().stream()
            .filter(v -> v.getName().equals(variable))
            .findFirst()
            .orElseThrow()
            .getValueFrom()
            .getSecretKeyRef();
    return ref.getName() + "/" + ref.getKey();
  }

  /** Whether the NetworkPolicy of {@code target} lets the pods named {@code from} in on port. */
  private static boolean allowed(String target, String from, int port) {
    NetworkPolicy policy = object(NetworkPolicy.class, target);
    return policy.getSpec().getIngress().stream()
        .anyMatch(
            rule ->
                rule.getFrom().stream()
                        .anyMatch(
                            peer ->
                                peer.getNamespaceSelector() == null
                                    && peer.getPodSelector() != null
                                    && from.equals(
                                        peer.getPodSelector().getMatchLabels().get(NAME_LABEL)))
                    && rule.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == port));
  }

  /**
   * Whether the NetworkPolicies of openclaw-system let a pod (labels in {@code namespace}) reach a
   * pod of openclaw-system with {@code target} labels on port, as Kubernetes decides: some policy
   * selecting the target has an ingress rule whose peer and port match.
   */
  private static boolean admits(
      Map<String, String> target,
      Map<String, String> namespace,
      Map<String, String> pod,
      int port) {
    boolean sameNamespace = NAMESPACE.equals(namespace.get("kubernetes.io/metadata.name"));
    return objects.stream()
        .filter(NetworkPolicy.class::isInstance)
        .map(NetworkPolicy.class::cast)
        .filter(p -> NAMESPACE.equals(p.getMetadata().getNamespace()))
        .filter(p -> matches(p.getSpec().getPodSelector(), target))
        .flatMap(p -> Optional.ofNullable(p.getSpec().getIngress()).orElse(List.of()).stream())
        .anyMatch(
            rule ->
                rule.getFrom().stream()
                        .anyMatch(
                            peer ->
                                (peer.getNamespaceSelector() == null
                                        ? sameNamespace
                                        : matches(peer.getNamespaceSelector(), namespace))
                                    && (peer.getPodSelector() == null
                                        || matches(peer.getPodSelector(), pod)))
                    && rule.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == port));
  }

  /** A label selector as Kubernetes reads it: every label and every expression must hold. */
  private static boolean matches(LabelSelector selector, Map<String, String> labels) {
    boolean byLabels =
        selector.getMatchLabels() == null
            || labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    return byLabels
        && Optional.ofNullable(selector.getMatchExpressions()).orElse(List.of()).stream()
            .allMatch(
                expression -> {
                  String value = labels.get(expression.getKey());
                  return switch (expression.getOperator()) {
                    case "In" -> value != null && expression.getValues().contains(value);
                    case "NotIn" -> value == null || !expression.getValues().contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default ->
                        throw new AssertionError("unknown operator " + expression.getOperator());
                  };
                });
  }

  /** The sops keys a node module declares (sops.secrets.<key>). */
  private static Set<String> declaredSopsKeys(String module) throws IOException {
    Set<String> keys = new TreeSet<>();
    Matcher declared =
        Pattern.compile("(?m)^\\s*sops\\.secrets\\.([A-Za-z0-9_-]+)[ .]")
            .matcher(Files.readString(repositoryRoot().resolve(module)));
    while (declared.find()) {
      keys.add(declared.group(1));
    }
    return keys;
  }

  private static String sopsDefaultFile(String module) throws IOException {
    Matcher file =
        Pattern.compile("sops\\.defaultSopsFile = \\.\\./secrets/([a-z-]+\\.yaml);")
            .matcher(Files.readString(repositoryRoot().resolve(module)));
    assertThat(file.find()).as(module + " sets sops.defaultSopsFile").isTrue();
    return file.group(1);
  }

  private static Set<String> sopsKeysIn(String file) throws IOException {
    Set<String> keys = new TreeSet<>();
    Matcher entry =
        Pattern.compile("(?m)^([A-Za-z0-9_-]+): ENC\\[")
            .matcher(Files.readString(repositoryRoot().resolve(file)));
    while (entry.find()) {
      keys.add(entry.group(1));
    }
    return keys;
  }

  private static Set<String> grants(List<PolicyRule> rules) {
    Set<String> grants = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(
                group
                    + "/"
                    + resource
                    + ":"
                    + verb
                    + (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                        ? ""
                        : rule.getResourceNames().toString()));
          }
        }
      }
    }
    return grants;
  }

  private static <T extends HasMetadata> T object(Class<T> kind, String name) {
    return objects.stream()
        .filter(kind::isInstance)
        .map(kind::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
  }

  private static Deployment deployment(String service) {
    Deployment deployment = object(Deployment.class, service);
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    return deployment;
  }

  private static Container container(String service) {
    List<Container> containers =
        deployment(service).getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  private static List<Container> containers(HasMetadata object) {
    if (object instanceof Deployment d) {
      return d.getSpec().getTemplate().getSpec().getContainers();
    }
    if (object instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet s) {
      return s.getSpec().getTemplate().getSpec().getContainers();
    }
    if (object instanceof io.fabric8.kubernetes.api.model.batch.v1.CronJob c) {
      return c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers();
    }
    return List.of();
  }

  private static Map<String, String> podLabels(HasMetadata object) {
    if (object instanceof Deployment d) {
      return d.getSpec().getTemplate().getMetadata().getLabels();
    }
    if (object instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet s) {
      return s.getSpec().getTemplate().getMetadata().getLabels();
    }
    if (object instanceof io.fabric8.kubernetes.api.model.batch.v1.CronJob c) {
      return c.getSpec().getJobTemplate().getSpec().getTemplate().getMetadata().getLabels();
    }
    return Map.of();
  }

  /**
   * {@code <prefix>.internal-port}; the token proxy's is its internal API's, proxy.internal.port.
   */
  private static int internalPort(String service, Settings settings) {
    if (service.equals("token-proxy")) {
      return settings.port("proxy.internal.port");
    }
    String prefix = rendered.get("services").get(service).get("configPrefix").asText();
    return ServerSettings.from(settings, prefix).internalPort();
  }

  private static int containerPort(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no port " + name));
  }

  private static ServicePort servicePort(String service, String name) {
    return object(Service.class, service).getSpec().getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("Service " + service + " has no port " + name));
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("nixos/platform/render.nix"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root above " + Path.of("").toAbsolutePath()).isNotNull();
    return dir;
  }

  private static Path onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
