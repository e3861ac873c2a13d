# Capacity of the platform's own workloads (docs/capacity.md): requests and limits of the
# StatefulSets and the backup CronJob (our services' are in services.nix), PodDisruptionBudgets for
# our services, and the DaemonSet that keeps the OpenClaw gateway image on every worker.
# Plain data like default.nix, which imports it.
{
  cluster,
  ns,
  services,
  labelsOf,
  meta,
}:
let
  # Memory request = limit: a data store that runs out is killed, never overcommitted into. No CPU
  # limit anywhere: a limit throttles within each 100 ms period even when the node is idle, which
  # stalls JVM and Node pauses; the request alone guarantees each pod its share under contention.
  resources = {
    postgres = {
      requests = {
        cpu = "250m";
        memory = "1Gi";
      };
      limits.memory = "1Gi";
    };
    redis = {
      requests = {
        cpu = "100m";
        memory = "512Mi";
      };
      limits.memory = "512Mi";
    };
    # pg_dump of a database of this size: a stream, little memory.
    postgres-backup = {
      requests = {
        cpu = "50m";
        memory = "128Mi";
      };
      limits.memory = "256Mi";
    };
    # Only holds the image in use: `sleep` in the gateway image.
    gateway-image = {
      requests = {
        cpu = "1m";
        memory = "8Mi";
      };
      limits.memory = "16Mi";
    };
  };

  # A service with one replica may go while a node drains (a limit of 1 lets `kubectl drain` evict
  # it; minAvailable 1 would block every drain forever): the operator's and billing worker's work
  # waits in the job queue and the outbox, the setup bot's updates in Telegram, until the new pod
  # takes them. Two or more: one at a time, so the others keep serving.
  disruptionBudget = name: s: {
    apiVersion = "policy/v1";
    kind = "PodDisruptionBudget";
    metadata = meta name;
    spec = {
      selector.matchLabels = labelsOf name;
      # A crash-looping pod never blocks a drain.
      unhealthyPodEvictionPolicy = "AlwaysAllow";
    }
    // (if s.replicas > 1 then { minAvailable = s.replicas - 1; } else { maxUnavailable = 1; });
  };

  # Every node pulls the gateway image once, before a box lands there, and keeps it: a running
  # container uses it, so the kubelet's image garbage collection never removes it. A box on a fresh
  # node then starts without the pull (hundreds of MB), which keeps paid -> live under 60 s. A new
  # cluster.gatewayImage changes the template, so every node pulls the new one as it rolls out.
  gatewayImagePrePull = {
    apiVersion = "apps/v1";
    kind = "DaemonSet";
    metadata = meta "gateway-image";
    spec = {
      selector.matchLabels = labelsOf "gateway-image";
      # Nothing is served from it: every node may pull the new image at once.
      updateStrategy.rollingUpdate.maxUnavailable = "100%";
      template = {
        metadata.labels = labelsOf "gateway-image";
        spec = {
          # No node selector: every node, as the boxes (the operator sets none, docs/deploy.md).
          enableServiceLinks = false;
          automountServiceAccountToken = false;
          terminationGracePeriodSeconds = 1;
          securityContext = {
            runAsNonRoot = true;
            # The image's node user (images/openclaw-gateway.nix).
            runAsUser = 1000;
            runAsGroup = 1000;
            seccompProfile.type = "RuntimeDefault";
          };
          containers = [
            {
              name = "gateway-image";
              image = cluster.gatewayImage;
              imagePullPolicy = "IfNotPresent";
              command = [
                "sleep"
                "infinity"
              ];
              resources = resources.gateway-image;
              securityContext = {
                allowPrivilegeEscalation = false;
                readOnlyRootFilesystem = true;
                capabilities.drop = [ "ALL" ];
              };
            }
          ];
        };
      };
    };
  };
in
{
  inherit resources;
  manifests = builtins.attrValues (builtins.mapAttrs disruptionBudget services) ++ [
    gatewayImagePrePull
  ];
}
