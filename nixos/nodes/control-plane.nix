# The control plane: the K3s server (embedded etcd, so more servers can join later), and the
# platform: every Kubernetes object of nixos/platform is an auto-deploy manifest of this server.
{
  config,
  lib,
  host,
  hostName,
  hosts,
  cluster,
  ...
}:
let
  # The first control-plane host (by name) initialises the cluster; the others join it.
  first = lib.head (lib.attrNames (lib.filterAttrs (_: h: h.role == "control-plane") hosts));
  initialises = hostName == first;
in
{
  imports = [
    ../platform/module.nix
    # etcd snapshots to S3, the backups' freshness metric.
    ./backups.nix
  ];

  # The control plane's secrets: the join tokens and the platform's keys (nixos/secrets/README.md).
  sops.defaultSopsFile = ../secrets/cluster.yaml;
  sops.secrets.k3s-token = { };
  sops.secrets.k3s-agent-token = { };

  services.k3s = {
    role = "server";
    # Servers join with the server token; agents only with the agent token (worker.nix).
    tokenFile = config.sops.secrets.k3s-token.path;
    agentTokenFile = config.sops.secrets.k3s-agent-token.path;
    # From the host facts; a host may still say otherwise (e.g. to re-initialise from a snapshot).
    clusterInit = lib.mkDefault initialises;
    serverAddr = lib.mkDefault (
      if initialises then "" else "https://${hosts.${first}.privateAddress}:6443"
    );
    extraFlags = [
      # ingress-nginx (nixos/platform) replaces the bundled Traefik.
      "--disable=traefik"
      "--advertise-address=${host.privateAddress}"
      "--tls-san=${host.address}"
      "--tls-san=${host.privateAddress}"
      "--cluster-cidr=${cluster.clusterCidr}"
      "--service-cidr=${cluster.serviceCidr}"
      # Secrets (bot tokens, openclaw.json) encrypted at rest in etcd.
      "--secrets-encryption"
      "--write-kubeconfig-mode=0600"
      "--etcd-snapshot-schedule-cron=0 */6 * * *"
      "--etcd-snapshot-retention=28"
    ];
  };

  # The API server and etcd peers only on the private network (kubectl from outside: ssh -L 6443).
  networking.firewall.interfaces.${host.privateInterface}.allowedTCPPorts = [
    6443
    2379
    2380
  ];
}
