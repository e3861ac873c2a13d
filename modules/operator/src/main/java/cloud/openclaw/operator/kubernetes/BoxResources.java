package cloud.openclaw.operator.kubernetes;

import cloud.openclaw.operator.gateway.GatewayConfig;
import cloud.openclaw.operator.gateway.GatewayInputs;
import cloud.openclaw.operator.gateway.GatewayModel;
import cloud.openclaw.operator.gateway.WorkspaceFiles;
import cloud.openclaw.operator.runtime.AppliedSettings;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SeccompProfileBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A box's Kubernetes objects as pure functions of the box (desired state): same inputs, same
 * objects. {@link KubernetesRuntime} writes them; nothing here talks to a cluster.
 *
 * <p>Each box gets its own namespace with Pod Security "restricted", a quota and limits, a
 * NetworkPolicy (no ingress; egress only to DNS, the token proxy, and TCP 443 on public addresses),
 * a ServiceAccount without a token, its secrets and openclaw.json as Secrets, a volume for
 * OpenClaw's state and a single-replica Deployment of the gateway. The upstream (Kimi) key never
 * appears here: the gateway only holds the box's proxy token. With a workspace store, the pod first
 * restores the customer's archived workspace onto an empty volume ({@link
 * WorkspaceBackupResources}).
 */
public final class BoxResources {
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "openclaw-operator";
  public static final String CUSTOMER_LABEL = "openclaw.cloud/customer";
  public static final String BOX_LABEL = "openclaw.cloud/box";
  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String GATEWAY_NAME = "openclaw-gateway";

  /** sha256 of openclaw.json and the secrets, on the pod template: a change rolls the pod. */
  public static final String CONFIG_HASH_ANNOTATION = "openclaw.cloud/config-hash";

  /** The annotation kubectl rollout restart sets; {@link KubernetesRuntime#rollout} sets it too. */
  public static final String RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

  /**
   * On the gateway Deployment: the {@link AppliedSettings} it was applied with, for the reconciler.
   */
  public static final String SETTINGS_HASH_ANNOTATION = "openclaw.cloud/settings-hash";

  public static final String DEPLOYMENT = "gateway";
  public static final String SERVICE_ACCOUNT = "gateway";
  public static final String NETWORK_POLICY = "gateway";
  public static final String QUOTA = "box";
  public static final String LIMIT_RANGE = "box";
  public static final String SECRETS = "gateway-secrets";

  /**
   * The RoleBinding that lets the operator read and write the Secrets of this box's namespace: its
   * ClusterRole grants no Secret anywhere else (operator/rbac.yaml).
   */
  public static final String SECRETS_ACCESS = "openclaw-operator-secrets";

  /** The ClusterRole {@link #SECRETS_ACCESS} binds (operator/rbac.yaml). */
  public static final String SECRETS_ROLE = "openclaw-operator-box-secrets";

  /** The operator's own ServiceAccount, as operator/rbac.yaml and the deployment name it. */
  public static final String OPERATOR_ACCOUNT = "openclaw-operator";

  public static final String OPERATOR_NAMESPACE = "openclaw-system";
  public static final String CONFIG = "gateway-config";
  public static final String STATE_PVC = "state";

  public static final String BOT_TOKEN_KEY = "bot-token";
  public static final String PROXY_TOKEN_KEY = "proxy-token";
  public static final String GATEWAY_TOKEN_KEY = "gateway-token";
  public static final String CONFIG_KEY = "openclaw.json";

  /** In the config Secret: the platform's section of the workspace's USER.md (may be empty). */
  public static final String USER_SECTION_KEY = "workspace-user-section.md";

  public static final String HOME_DIR = "/home/node";
  public static final String STATE_DIR = HOME_DIR + "/.openclaw";
  public static final String WORKSPACE_DIR = STATE_DIR + "/workspace";
  public static final String LOG_DIR = STATE_DIR + "/logs";
  public static final String LOG_FILE = LOG_DIR + "/openclaw.log";
  public static final String CONFIG_DIR = "/etc/openclaw";
  public static final String CONFIG_PATH = CONFIG_DIR + "/" + CONFIG_KEY;
  public static final String SECRETS_DIR = "/run/secrets/openclaw";
  public static final String BOT_TOKEN_FILE = SECRETS_DIR + "/" + BOT_TOKEN_KEY;

  /** uid and gid of the image's node user. */
  public static final long UID = 1000L;

  /** Never reachable on 443: private, carrier-grade NAT and link-local (cloud metadata) ranges. */
  public static final List<String> PRIVATE_RANGES =
      List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16");

  private static final int SECRET_FILE_MODE = 0440;

  /** The init container's: the two directories, then the USER.md merge (last two arguments). */
  static final String PREPARE_SCRIPT =
      "for (const d of process.argv.slice(1, 3)) require('fs').mkdirSync(d, {recursive: true});\n"
          + WorkspaceFiles.MERGE_SCRIPT;

  private BoxResources() {}

  /**
   * The tokens a box's gateway needs: the customer's bot token, the box's proxy token and the
   * gateway's own auth token. {@link #toString()} leaves them out.
   */
  public record Secrets(String botToken, String proxyToken, String gatewayToken) {
    public Secrets {
      for (String value : new String[] {botToken, proxyToken, gatewayToken}) {
        if (value == null || value.isBlank()) {
          throw new IllegalArgumentException("a box's secrets must not be empty");
        }
      }
    }

    @Override
    public String toString() {
      return "Secrets[redacted]";
    }
  }

  /** Every object of one box, in the order they must be written. */
  public record Desired(
      UUID boxId,
      String namespaceName,
      Namespace namespace,
      ResourceQuota resourceQuota,
      LimitRange limitRange,
      NetworkPolicy networkPolicy,
      ServiceAccount serviceAccount,
      RoleBinding secretsAccess,
      Secret secrets,
      Secret config,
      PersistentVolumeClaim state,
      Deployment deployment) {

    /** Dependency order: the namespace and its guards first, the Deployment last. */
    public List<HasMetadata> inOrder() {
      return List.of(
          namespace,
          resourceQuota,
          limitRange,
          networkPolicy,
          serviceAccount,
          secretsAccess,
          secrets,
          config,
          state,
          deployment);
    }

    @Override
    public String toString() {
      return "Desired[box=" + boxId + ", namespace=" + namespaceName + "]";
    }
  }

  /**
   * The box's namespace: the one recorded on the box, else the prefix plus the first 12 hex digits
   * of its id.
   */
  public static String namespaceName(Box box, KubernetesSettings settings) {
    if (box.namespace() != null && !box.namespace().isBlank()) {
      return box.namespace();
    }
    return namespaceName(box.id(), settings);
  }

  /** The namespace a box with this id gets when none is recorded. */
  public static String namespaceName(UUID boxId, KubernetesSettings settings) {
    return settings.namespacePrefix() + boxId.toString().replace("-", "").substring(0, 12);
  }

  /** 1 while the box should run, 0 when it is suspended. */
  public static int replicas(Box box) {
    return box.desiredState() == BoxDesiredState.RUNNING ? 1 : 0;
  }

  /** What the gateway in a pod gets: lan bind, the mounted bot token file, the box's settings. */
  public static GatewayInputs gatewayInputs(Box box, KubernetesSettings settings, Secrets secrets) {
    return new GatewayInputs(
        settings.gatewayPort(),
        GatewayInputs.Bind.LAN,
        secrets.gatewayToken(),
        STATE_DIR,
        WORKSPACE_DIR,
        LOG_FILE,
        settings.tokenProxyBaseUrl(),
        secrets.proxyToken(),
        GatewayConfig.DEFAULT_PROVIDER_ID,
        GatewayModel.kimi(box.model()),
        box.thinkingLevel(),
        BOT_TOKEN_FILE,
        settings.telegramApiRoot(),
        box.allowedTelegramUserIds());
  }

  /** Everything of a box, with openclaw.json rendered from {@link #gatewayInputs}. */
  public static Desired desired(Box box, KubernetesSettings settings, Secrets secrets) {
    return desired(
        box, settings, secrets, GatewayConfig.renderJson(gatewayInputs(box, settings, secrets)));
  }

  /**
   * Everything of a box, with openclaw.json rendered from {@link #gatewayInputs} and, when {@code
   * restore} is there, its workspace restored from the customer's archive on an empty volume.
   */
  public static Desired desired(
      Box box,
      KubernetesSettings settings,
      Secrets secrets,
      Optional<WorkspaceBackupResources.Restore> restore) {
    return desired(
        box,
        settings,
        secrets,
        GatewayConfig.renderJson(gatewayInputs(box, settings, secrets)),
        restore);
  }

  /** Everything of a box, with the given openclaw.json. */
  public static Desired desired(
      Box box, KubernetesSettings settings, Secrets secrets, String configJson) {
    return desired(box, settings, secrets, configJson, Optional.empty());
  }

  /**
   * Everything of a box, with the given openclaw.json; with {@code restore}, the restore init
   * container first, its URL in the config Secret and, when the store needs one, an egress rule to
   * it.
   */
  public static Desired desired(
      Box box,
      KubernetesSettings settings,
      Secrets secrets,
      String configJson,
      Optional<WorkspaceBackupResources.Restore> restore) {
    Objects.requireNonNull(box, "box");
    Objects.requireNonNull(restore, "restore");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(configJson, "configJson");
    if (box.desiredState() == BoxDesiredState.DESTROYED) {
      throw new IllegalArgumentException(box + " is destroyed: it has no resources");
    }
    String ns = namespaceName(box, settings);
    Map<String, String> labels = labels(box);
    String userSection = WorkspaceFiles.section(box).orElse("");
    return new Desired(
        box.id(),
        ns,
        namespace(ns, labels),
        resourceQuota(ns, labels, settings),
        limitRange(ns, labels, settings),
        networkPolicy(ns, labels, settings, restore),
        serviceAccount(ns, labels),
        secretsAccess(ns, labels),
        secret(ns, labels, SECRETS, secretData(secrets)),
        secret(ns, labels, CONFIG, configData(configJson, userSection, restore)),
        stateClaim(ns, labels, settings),
        deployment(
            box,
            ns,
            labels,
            settings,
            configHash(configJson, secrets, userSection),
            restore.isPresent()));
  }

  /** The labels on every object of a box. */
  public static Map<String, String> labels(Box box) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    labels.put(CUSTOMER_LABEL, box.customerId().toString());
    labels.put(BOX_LABEL, box.id().toString());
    return labels;
  }

  /** sha256 (hex) over openclaw.json and the three secrets. */
  public static String configHash(String configJson, Secrets secrets) {
    return configHash(configJson, secrets, "");
  }

  /**
   * sha256 (hex) over openclaw.json, the three secrets and the workspace's USER.md section (only
   * when there is one, so that boxes without a use case keep the hash they had): the init container
   * writes the section, so a change must roll the pod.
   */
  public static String configHash(String configJson, Secrets secrets, String userSection) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      List<String> parts =
          new ArrayList<>(
              List.of(
                  configJson, secrets.botToken(), secrets.proxyToken(), secrets.gatewayToken()));
      if (!userSection.isEmpty()) {
        parts.add(userSection);
      }
      for (String part : parts) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static ObjectMeta meta(String ns, String name, Map<String, String> labels) {
    return new ObjectMetaBuilder().withNamespace(ns).withName(name).withLabels(labels).build();
  }

  public static Namespace namespace(String ns, Map<String, String> labels) {
    Map<String, String> all = new LinkedHashMap<>(labels);
    for (String mode : List.of("enforce", "audit", "warn")) {
      all.put("pod-security.kubernetes.io/" + mode, "restricted");
      all.put("pod-security.kubernetes.io/" + mode + "-version", "latest");
    }
    return new NamespaceBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(ns).withLabels(all).build())
        .build();
  }

  /**
   * Room for two pods' worth of the gateway (a Recreate rollout never runs two at once; the slack
   * covers a pod that is still terminating), one volume of the configured size.
   */
  static ResourceQuota resourceQuota(
      String ns, Map<String, String> labels, KubernetesSettings settings) {
    Map<String, Quantity> hard = new LinkedHashMap<>();
    hard.put("pods", new Quantity("2"));
    hard.put("requests.cpu", settings.requestsCpu().multiply(2));
    hard.put("requests.memory", settings.requestsMemory().multiply(2));
    hard.put("limits.memory", settings.limitsMemory().multiply(2));
    settings.limitsCpu().ifPresent(cpu -> hard.put("limits.cpu", cpu.multiply(2)));
    hard.put("persistentvolumeclaims", new Quantity("1"));
    hard.put("requests.storage", settings.stateSize());
    return new ResourceQuotaBuilder()
        .withMetadata(meta(ns, QUOTA, labels))
        .withNewSpec()
        .withHard(hard)
        .endSpec()
        .build();
  }

  /** Defaults for any container that names no resources, and caps no container may exceed. */
  static LimitRange limitRange(String ns, Map<String, String> labels, KubernetesSettings settings) {
    Map<String, Quantity> defaultLimit = new LinkedHashMap<>();
    defaultLimit.put("memory", new Quantity("256Mi"));
    settings.limitsCpu().ifPresent(cpu -> defaultLimit.put("cpu", cpu));
    Map<String, Quantity> max = new LinkedHashMap<>();
    max.put("memory", settings.limitsMemory());
    settings.limitsCpu().ifPresent(cpu -> max.put("cpu", cpu));
    return new LimitRangeBuilder()
        .withMetadata(meta(ns, LIMIT_RANGE, labels))
        .withNewSpec()
        .addNewLimit()
        .withType("Container")
        .withDefaultRequest(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")))
        .withDefault(defaultLimit)
        .withMax(max)
        .endLimit()
        .addNewLimit()
        .withType("PersistentVolumeClaim")
        .withMax(Map.of("storage", settings.stateSize()))
        .endLimit()
        .endSpec()
        .build();
  }

  /**
   * No ingress at all (the kubelet's probes are not subject to NetworkPolicy). Egress: DNS to the
   * cluster DNS pods, the token proxy's pods on their port, and TCP 443 anywhere except private,
   * link-local and the cluster's own ranges (Telegram).
   */
  static NetworkPolicy networkPolicy(
      String ns, Map<String, String> labels, KubernetesSettings settings) {
    return networkPolicy(ns, labels, settings, Optional.empty());
  }

  /** As above, plus the workspace store on its port when it is not a public address on 443. */
  static NetworkPolicy networkPolicy(
      String ns,
      Map<String, String> labels,
      KubernetesSettings settings,
      Optional<WorkspaceBackupResources.Restore> restore) {
    NetworkPolicyEgressRule dns =
        new NetworkPolicyEgressRuleBuilder()
            .addNewTo()
            .withNamespaceSelector(namespaceSelector(settings.dnsNamespace()))
            .withPodSelector(
                new LabelSelectorBuilder().withMatchLabels(settings.dnsPodLabels()).build())
            .endTo()
            .withPorts(port("UDP", 53), port("TCP", 53))
            .build();
    NetworkPolicyEgressRule tokenProxy =
        new NetworkPolicyEgressRuleBuilder()
            .addNewTo()
            .withNamespaceSelector(namespaceSelector(settings.tokenProxyNamespace()))
            .withPodSelector(
                new LabelSelectorBuilder().withMatchLabels(settings.tokenProxyPodLabels()).build())
            .endTo()
            .withPorts(port("TCP", settings.tokenProxyPort()))
            .build();
    List<String> except = new ArrayList<>(PRIVATE_RANGES);
    settings.clusterCidrs().stream().filter(c -> !except.contains(c)).forEach(except::add);
    NetworkPolicyEgressRule https =
        new NetworkPolicyEgressRuleBuilder()
            .addNewTo()
            .withNewIpBlock()
            .withCidr("0.0.0.0/0")
            .withExcept(except)
            .endIpBlock()
            .endTo()
            .withPorts(port("TCP", 443))
            .build();
    List<NetworkPolicyEgressRule> egress = new ArrayList<>(List.of(dns, tokenProxy, https));
    restore.map(WorkspaceBackupResources::storeEgress).ifPresent(egress::add);
    return new NetworkPolicyBuilder()
        .withMetadata(meta(ns, NETWORK_POLICY, labels))
        .withNewSpec()
        .withPodSelector(new LabelSelector())
        .withPolicyTypes("Ingress", "Egress")
        .withIngress(List.of())
        .withEgress(egress)
        .endSpec()
        .build();
  }

  private static LabelSelector namespaceSelector(String namespace) {
    return new LabelSelectorBuilder()
        .withMatchLabels(Map.of("kubernetes.io/metadata.name", namespace))
        .build();
  }

  private static NetworkPolicyPort port(String protocol, int port) {
    return new NetworkPolicyPortBuilder()
        .withProtocol(protocol)
        .withPort(new IntOrString(port))
        .build();
  }

  static ServiceAccount serviceAccount(String ns, Map<String, String> labels) {
    return new ServiceAccountBuilder()
        .withMetadata(meta(ns, SERVICE_ACCOUNT, labels))
        .withAutomountServiceAccountToken(false)
        .build();
  }

  public static RoleBinding secretsAccess(String ns, Map<String, String> labels) {
    return new RoleBindingBuilder()
        .withMetadata(meta(ns, SECRETS_ACCESS, labels))
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", SECRETS_ROLE)
        .addNewSubject()
        .withKind("ServiceAccount")
        .withName(OPERATOR_ACCOUNT)
        .withNamespace(OPERATOR_NAMESPACE)
        .endSubject()
        .build();
  }

  private static Map<String, String> configData(
      String configJson, String userSection, Optional<WorkspaceBackupResources.Restore> restore) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CONFIG_KEY, configJson);
    data.put(USER_SECTION_KEY, userSection);
    restore.ifPresent(r -> data.put(WorkspaceBackupResources.RESTORE_URL_KEY, r.url().toString()));
    return data;
  }

  private static Map<String, String> secretData(Secrets secrets) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(BOT_TOKEN_KEY, secrets.botToken());
    data.put(PROXY_TOKEN_KEY, secrets.proxyToken());
    data.put(GATEWAY_TOKEN_KEY, secrets.gatewayToken());
    return data;
  }

  /** A Secret with base64 data (not stringData: not every API server fake converts it). */
  static Secret secret(
      String ns, Map<String, String> labels, String name, Map<String, String> plain) {
    Map<String, String> data = new LinkedHashMap<>();
    plain.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withMetadata(meta(ns, name, labels))
        .withType("Opaque")
        .withData(data)
        .build();
  }

  static PersistentVolumeClaim stateClaim(
      String ns, Map<String, String> labels, KubernetesSettings settings) {
    return new PersistentVolumeClaimBuilder()
        .withMetadata(meta(ns, STATE_PVC, labels))
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(settings.storageClass().orElse(null))
        .withNewResources()
        .withRequests(Map.of("storage", settings.stateSize()))
        .endResources()
        .endSpec()
        .build();
  }

  static Deployment deployment(
      Box box,
      String ns,
      Map<String, String> labels,
      KubernetesSettings settings,
      String configHash) {
    return deployment(box, ns, labels, settings, configHash, false);
  }

  static Deployment deployment(
      Box box,
      String ns,
      Map<String, String> labels,
      KubernetesSettings settings,
      String configHash,
      boolean restore) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(NAME_LABEL, GATEWAY_NAME);
    selector.put(BOX_LABEL, box.id().toString());
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    podLabels.put(NAME_LABEL, GATEWAY_NAME);
    Map<String, String> deploymentLabels = new LinkedHashMap<>(podLabels);
    ObjectMeta metadata = meta(ns, DEPLOYMENT, deploymentLabels);
    metadata.setAnnotations(Map.of(SETTINGS_HASH_ANNOTATION, AppliedSettings.of(box)));
    return new DeploymentBuilder()
        .withMetadata(metadata)
        .withNewSpec()
        .withReplicas(replicas(box))
        // Two pollers on one bot token get 409 from Telegram: never run old and new together.
        .withNewStrategy()
        .withType("Recreate")
        .endStrategy()
        .withRevisionHistoryLimit(2)
        .withNewSelector()
        .withMatchLabels(selector)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(Map.of(CONFIG_HASH_ANNOTATION, configHash))
        .endMetadata()
        .withSpec(podSpec(settings, restore))
        .endTemplate()
        .endSpec()
        .build();
  }

  private static PodSpec podSpec(KubernetesSettings settings, boolean restore) {
    List<Container> init = new ArrayList<>();
    if (restore) {
      // Before prepare-state, which creates the workspace and writes USER.md's platform section
      // around what the restored agent wrote.
      init.add(WorkspaceBackupResources.restoreContainer(settings));
    }
    init.add(prepareState(settings));
    return new PodSpecBuilder()
        .withServiceAccountName(SERVICE_ACCOUNT)
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withTerminationGracePeriodSeconds(30L)
        .withSecurityContext(podSecurity())
        .withInitContainers(init)
        .withContainers(gateway(settings))
        .withVolumes(volumes())
        .build();
  }

  /** The pod-level security of every pod of a box: uid 1000, its volumes' group, RuntimeDefault. */
  static PodSecurityContext podSecurity() {
    return new PodSecurityContextBuilder()
        .withRunAsUser(UID)
        .withRunAsGroup(UID)
        .withRunAsNonRoot(true)
        .withFsGroup(UID)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withSeccompProfile(new SeccompProfileBuilder().withType("RuntimeDefault").build())
        .build();
  }

  /**
   * Creates the workspace (the gateway runs git init in it) and log directories on a fresh volume,
   * then brings the workspace's USER.md to the box's section ({@link WorkspaceFiles}), keeping what
   * the agent wrote there. Uses node, which the image has for certain.
   */
  private static Container prepareState(KubernetesSettings settings) {
    return new ContainerBuilder()
        .withName("prepare-state")
        .withImage(settings.image())
        .withImagePullPolicy(settings.imagePullPolicy())
        .withCommand(
            "node",
            "-e",
            PREPARE_SCRIPT,
            WORKSPACE_DIR,
            LOG_DIR,
            WORKSPACE_DIR + "/" + WorkspaceFiles.USER_FILE,
            CONFIG_DIR + "/" + USER_SECTION_KEY)
        .withSecurityContext(containerSecurity())
        .withResources(
            new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")))
                .withLimits(Map.of("memory", new Quantity("256Mi")))
                .build())
        .withVolumeMounts(mount("state", STATE_DIR, false), mount("config", CONFIG_DIR, true))
        .build();
  }

  private static Container gateway(KubernetesSettings settings) {
    int port = settings.gatewayPort();
    return new ContainerBuilder()
        .withName("gateway")
        .withImage(settings.image())
        .withImagePullPolicy(settings.imagePullPolicy())
        .withCommand("openclaw", "gateway", "run", "--port", Integer.toString(port))
        .withEnv(
            env("OPENCLAW_STATE_DIR", STATE_DIR),
            env("OPENCLAW_CONFIG_PATH", CONFIG_PATH),
            env("HOME", HOME_DIR),
            env("TMPDIR", "/tmp"),
            env("DO_NOT_TRACK", "1"))
        .addNewPort()
        .withName("http")
        .withContainerPort(port)
        .withProtocol("TCP")
        .endPort()
        .withSecurityContext(containerSecurity())
        .withResources(resources(settings))
        // Cold start to the first Telegram poll took 20-32 s: allow 3 minutes.
        .withStartupProbe(probe("/startupz", 5, 3, 36))
        .withReadinessProbe(probe("/startupz", 10, 3, 3))
        .withLivenessProbe(probe("/healthz", 20, 5, 3))
        .withVolumeMounts(
            mount("home", HOME_DIR, false),
            mount("state", STATE_DIR, false),
            mount("config", CONFIG_DIR, true),
            mount("secrets", SECRETS_DIR, true),
            mount("tmp", "/tmp", false))
        .build();
  }

  private static ResourceRequirements resources(KubernetesSettings settings) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    requests.put("cpu", settings.requestsCpu());
    requests.put("memory", settings.requestsMemory());
    Map<String, Quantity> limits = new LinkedHashMap<>();
    limits.put("memory", settings.limitsMemory());
    settings.limitsCpu().ifPresent(cpu -> limits.put("cpu", cpu));
    return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
  }

  static SecurityContext containerSecurity() {
    Capabilities dropAll = new CapabilitiesBuilder().withDrop("ALL").build();
    return new SecurityContextBuilder()
        .withRunAsUser(UID)
        .withRunAsGroup(UID)
        .withRunAsNonRoot(true)
        .withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withCapabilities(dropAll)
        .withSeccompProfile(new SeccompProfileBuilder().withType("RuntimeDefault").build())
        .build();
  }

  private static Probe probe(String path, int period, int timeout, int failures) {
    return new ProbeBuilder()
        .withHttpGet(
            new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString("http")).build())
        .withPeriodSeconds(period)
        .withTimeoutSeconds(timeout)
        .withFailureThreshold(failures)
        .withSuccessThreshold(1)
        .build();
  }

  private static List<Volume> volumes() {
    return List.of(
        new VolumeBuilder()
            .withName("home")
            .withNewEmptyDir()
            .withSizeLimit(new Quantity("256Mi"))
            .endEmptyDir()
            .build(),
        new VolumeBuilder()
            .withName("state")
            .withNewPersistentVolumeClaim()
            .withClaimName(STATE_PVC)
            .endPersistentVolumeClaim()
            .build(),
        new VolumeBuilder()
            .withName("config")
            .withNewSecret()
            .withSecretName(CONFIG)
            .withDefaultMode(SECRET_FILE_MODE)
            .endSecret()
            .build(),
        new VolumeBuilder()
            .withName("secrets")
            .withNewSecret()
            .withSecretName(SECRETS)
            .withDefaultMode(SECRET_FILE_MODE)
            // Only the bot token file: the other two are inside openclaw.json already.
            .addNewItem()
            .withKey(BOT_TOKEN_KEY)
            .withPath(BOT_TOKEN_KEY)
            .endItem()
            .endSecret()
            .build(),
        new VolumeBuilder()
            .withName("tmp")
            .withNewEmptyDir()
            .withSizeLimit(new Quantity("1Gi"))
            .endEmptyDir()
            .build());
  }

  static VolumeMount mount(String volume, String path, boolean readOnly) {
    return new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
        .withName(volume)
        .withMountPath(path)
        .withReadOnly(readOnly)
        .build();
  }

  private static EnvVar env(String name, String value) {
    return new io.fabric8.kubernetes.api.model.EnvVarBuilder()
        .withName(name)
        .withValue(value)
        .build();
  }
}
