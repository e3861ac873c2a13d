package cloud.openclaw.operator.kubernetes;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the operator lays out boxes on Kubernetes: keys {@code operator.kubernetes.*}, listed with
 * their defaults in operator/kubernetes-keys.md.
 *
 * @param image the OpenClaw gateway image (runs {@code openclaw gateway run}, uid 1000)
 * @param imagePullPolicy Always, IfNotPresent or Never
 * @param namespacePrefix a box's namespace is this prefix plus the first 12 hex digits of its id
 * @param gatewayPort the gateway's port inside the pod (probes use it)
 * @param storageClass the state volume's StorageClass; empty for the cluster's default
 * @param stateSize the state volume's size (memory, sessions, workspace)
 * @param tokenProxyNamespace where the token proxy runs
 * @param tokenProxyPodLabels labels that select the token proxy's pods
 * @param tokenProxyPort the token proxy pods' port (the NetworkPolicy opens only this one)
 * @param tokenProxyBaseUrl the token proxy's URL as the gateway calls it, ending in /v1
 * @param telegramApiRoot a Bot API root for a sandbox; empty for the real Telegram
 * @param dnsNamespace where the cluster DNS runs
 * @param dnsPodLabels labels that select the cluster DNS pods
 * @param clusterCidrs pod and service ranges the gateway may not reach on 443 (besides the private
 *     ranges, which are always excluded)
 * @param requestsCpu the gateway container's CPU request
 * @param requestsMemory the gateway container's memory request (about 1.5 GiB measured peak)
 * @param limitsMemory the gateway container's memory limit
 * @param limitsCpu the gateway container's CPU limit; empty for none
 * @param deleteTimeout how long {@link KubernetesRuntime#delete} waits for a namespace to go
 */
public record KubernetesSettings(
    String image,
    String imagePullPolicy,
    String namespacePrefix,
    int gatewayPort,
    Optional<String> storageClass,
    Quantity stateSize,
    String tokenProxyNamespace,
    Map<String, String> tokenProxyPodLabels,
    int tokenProxyPort,
    String tokenProxyBaseUrl,
    Optional<String> telegramApiRoot,
    String dnsNamespace,
    Map<String, String> dnsPodLabels,
    List<String> clusterCidrs,
    Quantity requestsCpu,
    Quantity requestsMemory,
    Quantity limitsMemory,
    Optional<Quantity> limitsCpu,
    Duration deleteTimeout) {

  public static final String PREFIX = "operator.kubernetes.";

  /** Every key {@link #from} reads, without the {@value #PREFIX} prefix. */
  public static final List<String> KEYS =
      List.of(
          "image",
          "image-pull-policy",
          "namespace-prefix",
          "gateway-port",
          "storage-class",
          "state-size",
          "token-proxy.namespace",
          "token-proxy.pod-labels",
          "token-proxy.port",
          "token-proxy.base-url",
          "telegram-api-root",
          "dns.namespace",
          "dns.pod-labels",
          "cluster-cidrs",
          "resources.requests-cpu",
          "resources.requests-memory",
          "resources.limits-memory",
          "resources.limits-cpu",
          "delete-timeout");

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern LABEL_KEY =
      Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
  private static final Pattern IPV4_CIDR =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

  public KubernetesSettings {
    tokenProxyPodLabels = Map.copyOf(tokenProxyPodLabels);
    dnsPodLabels = Map.copyOf(dnsPodLabels);
    clusterCidrs = List.copyOf(clusterCidrs);
  }

  public static KubernetesSettings from(Settings settings) {
    String prefix = settings.string(key("namespace-prefix"));
    if (!DNS_LABEL.matcher(prefix + "0").matches() || prefix.length() > 50) {
      throw new ConfigurationException(
          key("namespace-prefix"),
          "'" + prefix + "' must be lower-case letters, digits and dashes, at most 50");
    }
    String pullPolicy = settings.string(key("image-pull-policy"));
    if (!List.of("Always", "IfNotPresent", "Never").contains(pullPolicy)) {
      throw new ConfigurationException(
          key("image-pull-policy"), "'" + pullPolicy + "' is not Always, IfNotPresent or Never");
    }
    String storageClass = settings.optionalString(key("storage-class"));
    if (!storageClass.isEmpty() && !DNS_LABEL.matcher(storageClass.replace('.', '-')).matches()) {
      throw new ConfigurationException(
          key("storage-class"), "'" + storageClass + "' is not a StorageClass name");
    }
    String proxyNamespace = settings.string(key("token-proxy.namespace"));
    requireDnsLabel("token-proxy.namespace", proxyNamespace);
    String dnsNamespace = settings.string(key("dns.namespace"));
    requireDnsLabel("dns.namespace", dnsNamespace);
    String baseUrl =
        settings.optionalUri(key("token-proxy.base-url"), "http", "https").replaceAll("/+$", "");
    if (baseUrl.isEmpty()) {
      throw new ConfigurationException(key("token-proxy.base-url"), "missing");
    }
    if (!baseUrl.endsWith("/v1")) {
      throw new ConfigurationException(
          key("token-proxy.base-url"), "'" + baseUrl + "' must end in /v1");
    }
    String apiRoot = settings.optionalUri(key("telegram-api-root"), "http", "https");
    Quantity requestsMemory = quantity(settings, "resources.requests-memory");
    Quantity limitsMemory = quantity(settings, "resources.limits-memory");
    if (limitsMemory.compareTo(requestsMemory) < 0) {
      throw new ConfigurationException(
          key("resources.limits-memory"), "must not be below " + key("resources.requests-memory"));
    }
    Quantity requestsCpu = quantity(settings, "resources.requests-cpu");
    Optional<Quantity> limitsCpu =
        settings.optionalString(key("resources.limits-cpu")).isEmpty()
            ? Optional.empty()
            : Optional.of(quantity(settings, "resources.limits-cpu"));
    if (limitsCpu.isPresent() && limitsCpu.get().compareTo(requestsCpu) < 0) {
      throw new ConfigurationException(
          key("resources.limits-cpu"), "must not be below " + key("resources.requests-cpu"));
    }
    return new KubernetesSettings(
        settings.string(key("image")),
        pullPolicy,
        prefix,
        settings.integer(key("gateway-port"), 1024, 65535),
        storageClass.isEmpty() ? Optional.empty() : Optional.of(storageClass),
        quantity(settings, "state-size"),
        proxyNamespace,
        labels(settings, "token-proxy.pod-labels"),
        settings.integer(key("token-proxy.port"), 1, 65535),
        baseUrl,
        apiRoot.isEmpty() ? Optional.empty() : Optional.of(apiRoot),
        dnsNamespace,
        labels(settings, "dns.pod-labels"),
        cidrs(settings, "cluster-cidrs"),
        requestsCpu,
        requestsMemory,
        limitsMemory,
        limitsCpu,
        settings.duration(key("delete-timeout")));
  }

  private static String key(String name) {
    return PREFIX + name;
  }

  private static void requireDnsLabel(String name, String value) {
    if (value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
      throw new ConfigurationException(key(name), "'" + value + "' is not a namespace name");
    }
  }

  /** A positive Kubernetes quantity such as 250m, 1536Mi or 2Gi. */
  private static Quantity quantity(Settings settings, String name) {
    String raw = settings.string(key(name));
    try {
      Quantity quantity = Quantity.parse(raw);
      if (quantity.getNumericalAmount().compareTo(BigDecimal.ZERO) <= 0) {
        throw new ConfigurationException(key(name), "'" + raw + "' must be positive");
      }
      return quantity;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ConfigurationException(
          key(name), "'" + raw + "' is not a quantity such as 250m, 1536Mi or 2Gi");
    }
  }

  /** Labels written as key=value pairs, comma-separated or a YAML list; at least one. */
  private static Map<String, String> labels(Settings settings, String name) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String pair : settings.list(key(name))) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq).strip();
      String v = eq < 0 ? "" : pair.substring(eq + 1).strip();
      if (eq < 0
          || !LABEL_KEY.matcher(k).matches()
          || v.length() > 63
          || !LABEL_VALUE.matcher(v).matches()) {
        throw new ConfigurationException(key(name), "'" + pair + "' is not a label key=value");
      }
      labels.put(k, v);
    }
    if (labels.isEmpty()) {
      throw new ConfigurationException(key(name), "missing (labels such as k8s-app=kube-dns)");
    }
    return labels;
  }

  /** IPv4 CIDRs such as 10.42.0.0/16; may be empty. */
  private static List<String> cidrs(Settings settings, String name) {
    for (String cidr : settings.list(key(name))) {
      var m = IPV4_CIDR.matcher(cidr);
      boolean ok = m.matches() && Integer.parseInt(m.group(5)) <= 32;
      for (int i = 1; ok && i <= 4; i++) {
        ok = Integer.parseInt(m.group(i)) <= 255;
      }
      if (!ok) {
        throw new ConfigurationException(
            key(name), "'" + cidr + "' is not an IPv4 CIDR such as 10.42.0.0/16");
      }
    }
    return settings.list(key(name));
  }
}
