# The monitoring stack as plain data (builtins only, like ./default.nix): kube-prometheus-stack
# (Prometheus, Alertmanager, Grafana, node-exporter, kube-state-metrics) as a pinned HelmChart for
# K3s' helm-controller, what it scrapes (our services' internal ports, ingress-nginx, cert-manager,
# PostgreSQL and Redis through exporters), the alert rules of nixos/monitoring/rules and the
# dashboards of nixos/monitoring/dashboards. Imported by ./default.nix.
#
# Result: { manifests.<file> = [ objects ]; monitoringSecrets = { namespace; secrets; } (the
# Secrets of namespace monitoring, as default.nix' `secrets`); fromPrometheus (a NetworkPolicy peer). }
{
  services,
  # openclaw-system, and default.nix' helpers for objects there.
  ns,
  labelsOf,
  meta,
  restricted,
  fromSecret,
  plain,
  database,
}:
let
  namespace = "monitoring";
  # helm-controller names the release after the HelmChart; the stack's Prometheus selects
  # ServiceMonitors, PodMonitors and PrometheusRules carrying this label.
  release = "kube-prometheus-stack";
  chart = {
    repo = "https://prometheus-community.github.io/helm-charts";
    version = "79.7.1";
  };
  selectedByPrometheus = {
    inherit release;
  };
  images = {
    postgres-exporter = "quay.io/prometheuscommunity/postgres-exporter:v0.17.1";
    redis-exporter = "docker.io/oliver006/redis_exporter:v1.67.0";
  };
  # Alertmanager and Grafana read these from files/Secrets mounted into their pods: no value is in
  # the rendered configuration (nixos/secrets/README.md).
  secrets = {
    alertmanager-receivers = {
      slack-webhook-url = "alertmanager-slack-webhook-url";
      pagerduty-routing-key = "alertmanager-pagerduty-routing-key";
    };
    grafana-admin = {
      admin-user = "grafana-admin-user";
      admin-password = "grafana-admin-password";
    };
  };
  receiverFile = key: "/etc/alertmanager/secrets/alertmanager-receivers/${key}";

  resources = cpu: memory: limit: {
    requests = { inherit cpu memory; };
    limits.memory = limit;
  };

  # --- the stack ---------------------------------------------------------------------------------
  slack = {
    api_url_file = receiverFile "slack-webhook-url";
    send_resolved = true;
    title = ''[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})'';
    text = ''{{ range .Alerts }}*{{ .Annotations.summary }}*{{ "\n" }}{{ .Annotations.description }}{{ "\n" }}Runbook: {{ .Annotations.runbook }}{{ "\n\n" }}{{ end }}'';
  };
  alertmanagerConfig = {
    global.resolve_timeout = "5m";
    route = {
      receiver = "slack";
      group_by = [
        "alertname"
        "namespace"
        "service"
      ];
      group_wait = "30s";
      group_interval = "5m";
      repeat_interval = "12h";
      routes = [
        # The stack's always-firing heartbeat and its info-level inhibitor: nobody needs to see them.
        {
          receiver = "null";
          matchers = [ ''alertname =~ "Watchdog|InfoInhibitor"'' ];
        }
        # Ours say page or ticket; the stack's own rules (Kubernetes mixins) say critical or warning.
        {
          receiver = "pagerduty-and-slack";
          matchers = [ ''severity =~ "page|critical"'' ];
          repeat_interval = "1h";
        }
        {
          receiver = "slack";
          matchers = [ ''severity =~ "ticket|warning"'' ];
        }
        {
          receiver = "null";
          matchers = [ ''severity = "info"'' ];
        }
      ];
    };
    # The same alert at two levels (a ticket threshold and a page threshold) pages once, and its
    # ticket stays quiet while the page fires.
    inhibit_rules = [
      {
        source_matchers = [ ''severity =~ "page|critical"'' ];
        target_matchers = [ ''severity =~ "ticket|warning|info"'' ];
        equal = [
          "alertname"
          "namespace"
          "service"
        ];
      }
      # A node that is down explains every other alert of that node.
      {
        source_matchers = [ ''alertname = "NodeDown"'' ];
        target_matchers = [ ''alertname != "NodeDown"'' ];
        equal = [ "instance" ];
      }
    ];
    receivers = [
      { name = "null"; }
      {
        name = "slack";
        slack_configs = [ slack ];
      }
      {
        name = "pagerduty-and-slack";
        pagerduty_configs = [
          {
            routing_key_file = receiverFile "pagerduty-routing-key";
            send_resolved = true;
            description = ''{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}'';
          }
        ];
        slack_configs = [ slack ];
      }
    ];
  };

  localPathClaim = size: {
    spec = {
      storageClassName = "local-path";
      accessModes = [ "ReadWriteOnce" ];
      resources.requests.storage = size;
    };
  };

  # node-exporter's textfile collector: a job on the node (the backups) writes <name>.prom here.
  textfileDir = "/var/lib/node-exporter/textfile";

  values = {
    crds.enabled = true;
    # K3s runs the controller manager, scheduler, proxy and etcd inside its own process, listening on
    # localhost only: the stack cannot scrape them, and their rules would only say so.
    kubeControllerManager.enabled = false;
    kubeScheduler.enabled = false;
    kubeProxy.enabled = false;
    kubeEtcd.enabled = false;
    defaultRules.rules = {
      etcd = false;
      kubeControllerManager = false;
      kubeSchedulerAlerting = false;
      kubeSchedulerRecording = false;
      kubeProxy = false;
    };

    prometheus.prometheusSpec = {
      scrapeInterval = "30s";
      # 15 days of history; retentionSize keeps the volume from filling before that.
      retention = "15d";
      retentionSize = "25GB";
      storageSpec.volumeClaimTemplate = localPathClaim "30Gi";
      resources = resources "200m" "1Gi" "2Gi";
      # Every namespace, objects labelled for this release (ours below, and the stack's own).
      serviceMonitorSelector.matchLabels = selectedByPrometheus;
      serviceMonitorNamespaceSelector = { };
      podMonitorSelector.matchLabels = selectedByPrometheus;
      podMonitorNamespaceSelector = { };
      ruleSelector.matchLabels = selectedByPrometheus;
      ruleNamespaceSelector = { };
    };

    alertmanager = {
      config = alertmanagerConfig;
      alertmanagerSpec = {
        # Mounted at /etc/alertmanager/secrets/<name>/<key>: the *_file settings above.
        secrets = [ "alertmanager-receivers" ];
        retention = "120h";
        storage.volumeClaimTemplate = localPathClaim "1Gi";
        resources = resources "10m" "64Mi" "128Mi";
      };
    };

    grafana = {
      admin = {
        existingSecret = "grafana-admin";
        userKey = "admin-user";
        passwordKey = "admin-password";
      };
      # Dashboards and the data source come from this repository: nothing in Grafana's own
      # database is worth a volume.
      persistence.enabled = false;
      resources = resources "50m" "192Mi" "384Mi";
      sidecar = {
        resources = resources "10m" "64Mi" "128Mi";
        dashboards = {
          enabled = true;
          label = "grafana_dashboard";
          labelValue = "1";
          folderAnnotation = "grafana_folder";
          provider.foldersFromFilesStructure = true;
        };
      };
      "grafana.ini" = {
        users.allow_sign_up = false;
        analytics = {
          reporting_enabled = false;
          check_for_updates = false;
        };
      };
    };

    kube-state-metrics.resources = resources "20m" "64Mi" "192Mi";

    prometheus-node-exporter = {
      # Every node, the control plane too, whatever its taints.
      tolerations = [ { operator = "Exists"; } ];
      resources = resources "20m" "32Mi" "64Mi";
      # The chart's own filesystem filters (a list given here replaces its default), plus K3s'
      # containerd mounts, then the textfile collector.
      extraArgs = [
        "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/k3s/.+|var/lib/docker/.+|var/lib/kubelet/.+|var/lib/rancher/k3s/agent/containerd/.+)($|/)"
        "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$"
        "--collector.textfile.directory=/host/textfile"
      ];
      extraHostVolumeMounts = [
        {
          name = "textfile";
          hostPath = textfileDir;
          mountPath = "/host/textfile";
          readOnly = true;
        }
      ];
    };

    prometheusOperator = {
      resources = resources "50m" "128Mi" "256Mi";
      prometheusConfigReloader.resources = {
        requests = {
          cpu = "10m";
          memory = "32Mi";
        };
        limits = {
          cpu = "50m";
          memory = "64Mi";
        };
      };
      admissionWebhooks.patch.resources = resources "10m" "32Mi" "64Mi";
    };
  };

  stack = [
    {
      apiVersion = "v1";
      kind = "Namespace";
      metadata = {
        name = namespace;
        labels = {
          "app.kubernetes.io/part-of" = "openclaw-cloud";
          # node-exporter reads the host (hostNetwork, hostPID, the root filesystem).
          "pod-security.kubernetes.io/enforce" = "privileged";
        };
      };
    }
    {
      apiVersion = "helm.cattle.io/v1";
      kind = "HelmChart";
      metadata = {
        name = release;
        namespace = "kube-system";
      };
      spec = {
        chart = release;
        inherit (chart) repo version;
        targetNamespace = namespace;
        createNamespace = true;
        valuesContent = builtins.toJSON values;
      };
    }
  ];

  # --- what Prometheus scrapes besides the cluster ----------------------------------------------
  serviceMonitor =
    {
      name,
      namespace,
      selector,
      port,
      path ? "/metrics",
      # Our services tag every meter service="<name>": theirs wins over the target's label of the
      # same name (else it would be renamed exported_service).
      honorLabels ? false,
    }:
    {
      apiVersion = "monitoring.coreos.com/v1";
      kind = "ServiceMonitor";
      metadata = {
        inherit name namespace;
        labels = selectedByPrometheus // {
          "app.kubernetes.io/part-of" = "openclaw-cloud";
        };
      };
      spec = {
        selector.matchLabels = selector;
        namespaceSelector.matchNames = [ namespace ];
        endpoints = [
          {
            inherit port path honorLabels;
            interval = "30s";
          }
        ];
      };
    };

  # Each service's Service has port `internal` (default.nix); /observe/metrics is there.
  serviceMonitors = builtins.attrValues (
    builtins.mapAttrs (
      name: _:
      serviceMonitor {
        inherit name;
        namespace = ns;
        selector = labelsOf name;
        port = "internal";
        path = "/observe/metrics";
        honorLabels = true;
      }
    ) services
  );

  # The charts' own metrics Services (ingress-nginx: controller.metrics.enabled; cert-manager's
  # controller Service always has it). Ours rather than the charts' ServiceMonitors, which would fail
  # their install while the monitoring CRDs are not there yet.
  addOnMonitors = [
    (serviceMonitor {
      name = "ingress-nginx-controller";
      namespace = "ingress-nginx";
      selector = {
        "app.kubernetes.io/name" = "ingress-nginx";
        "app.kubernetes.io/component" = "controller";
      };
      port = "metrics";
    })
    (serviceMonitor {
      name = "cert-manager";
      namespace = "cert-manager";
      selector = {
        "app.kubernetes.io/name" = "cert-manager";
        "app.kubernetes.io/component" = "controller";
      };
      port = "tcp-prometheus-servicemonitor";
    })
  ];

  # Prometheus' pods (the operator labels them so), the only ones of namespace monitoring that
  # reach openclaw-system.
  fromPrometheus = {
    namespaceSelector.matchLabels."kubernetes.io/metadata.name" = namespace;
    podSelector.matchLabels."app.kubernetes.io/name" = "prometheus";
  };

  exporter =
    {
      name,
      image,
      port,
      uid,
      env,
    }:
    {
      # Plain Kubernetes objects, applied apart from the ServiceMonitor, whose CRD comes later.
      objects = [
        {
          apiVersion = "apps/v1";
          kind = "Deployment";
          metadata = meta name;
          spec = {
            replicas = 1;
            revisionHistoryLimit = 3;
            selector.matchLabels = labelsOf name;
            template = {
              metadata.labels = labelsOf name;
              spec = {
                enableServiceLinks = false;
                automountServiceAccountToken = false;
                securityContext.seccompProfile.type = "RuntimeDefault";
                containers = [
                  {
                    inherit name image env;
                    ports = [
                      {
                        name = "metrics";
                        containerPort = port;
                      }
                    ];
                    securityContext = restricted uid;
                    resources = resources "10m" "32Mi" "64Mi";
                    readinessProbe = {
                      httpGet = {
                        path = "/metrics";
                        port = "metrics";
                      };
                      periodSeconds = 30;
                      timeoutSeconds = 10;
                    };
                  }
                ];
              };
            };
          };
        }
        {
          apiVersion = "v1";
          kind = "Service";
          metadata = meta name;
          spec = {
            selector = labelsOf name;
            ports = [
              {
                name = "metrics";
                inherit port;
                targetPort = "metrics";
              }
            ];
          };
        }
        # openclaw-system denies by default: Prometheus only.
        {
          apiVersion = "networking.k8s.io/v1";
          kind = "NetworkPolicy";
          metadata = meta name;
          spec = {
            podSelector.matchLabels = labelsOf name;
            policyTypes = [ "Ingress" ];
            ingress = [
              {
                from = [ fromPrometheus ];
                ports = [ { inherit port; } ];
              }
            ];
          };
        }
      ];
      monitor = serviceMonitor {
        inherit name;
        namespace = ns;
        selector = labelsOf name;
        port = "metrics";
      };
    };

  # pg_up, pg_stat_*: as the application's user (it owns the database; no superuser needed for
  # these). default.nix lets the exporters into PostgreSQL's and Redis' NetworkPolicies.
  postgresExporter = exporter {
    name = "postgres-exporter";
    image = images.postgres-exporter;
    port = 9187;
    uid = 65534;
    env = [
      (plain "DATA_SOURCE_URI" "postgres.${ns}.svc.cluster.local:5432/${database.name}?sslmode=disable")
      (plain "DATA_SOURCE_USER" database.user)
      (fromSecret "DATA_SOURCE_PASS" "openclaw-db" "password")
    ];
  };

  redisExporter = exporter {
    name = "redis-exporter";
    image = images.redis-exporter;
    port = 9121;
    uid = 59000; # the image's user
    env = [
      (plain "REDIS_ADDR" "redis://redis.${ns}.svc.cluster.local:6379")
      (fromSecret "REDIS_PASSWORD" "openclaw-redis" "password")
    ];
  };

  # --- alert rules and dashboards from nixos/monitoring -----------------------------------------
  jsonFiles =
    dir:
    if builtins.pathExists dir then
      builtins.filter (f: builtins.match ".*\\.json" f != null) (
        builtins.attrNames (builtins.readDir dir)
      )
    else
      [ ];
  baseName = file: builtins.head (builtins.match "(.*)\\.json" file);
  nonEmpty =
    files:
    builtins.removeAttrs files (builtins.filter (name: files.${name} == [ ]) (builtins.attrNames files));

  rulesDir = ../monitoring/rules;
  # nixos/monitoring/rules/<group>.json is a Prometheus rule file ({ groups = [...] }), which is
  # what a PrometheusRule's spec holds.
  prometheusRules = map (file: {
    apiVersion = "monitoring.coreos.com/v1";
    kind = "PrometheusRule";
    metadata = {
      name = "openclaw-${baseName file}";
      inherit namespace;
      labels = selectedByPrometheus // {
        "app.kubernetes.io/part-of" = "openclaw-cloud";
      };
    };
    spec = builtins.fromJSON (builtins.readFile (rulesDir + "/${file}"));
  }) (jsonFiles rulesDir);

  dashboardsDir = ../monitoring/dashboards;
  # Grafana's sidecar loads every ConfigMap of its namespace with this label, into the folder the
  # annotation names. Parsed and printed again, so a file that is not JSON fails the render.
  dashboards = map (file: {
    apiVersion = "v1";
    kind = "ConfigMap";
    metadata = {
      name = "dashboard-${baseName file}";
      inherit namespace;
      labels = {
        grafana_dashboard = "1";
        "app.kubernetes.io/part-of" = "openclaw-cloud";
      };
      annotations.grafana_folder = "openclaw";
    };
    data.${file} = builtins.toJSON (
      builtins.fromJSON (builtins.readFile (dashboardsDir + "/${file}"))
    );
  }) (jsonFiles dashboardsDir);
in
{
  inherit fromPrometheus;
  monitoringSecrets = {
    inherit namespace secrets;
  };
  # A manifest file without objects is left out (no rule file yet): K3s has nothing to apply.
  manifests = nonEmpty {
    "05-monitoring" = stack;
    "45-monitoring-exporters" = postgresExporter.objects ++ redisExporter.objects;
    # Needs the CRDs the chart installs: K3s retries until they are there.
    "55-monitoring-targets" =
      serviceMonitors ++ addOnMonitors ++ [
        postgresExporter.monitor
        redisExporter.monitor
      ];
    "55-monitoring-rules" = prometheusRules;
    "55-monitoring-dashboards" = dashboards;
  };
}
