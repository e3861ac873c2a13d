# The control plane: the K3s server (embedded etcd, so more servers can join later), and the
# platform: every Kubernetes object of nixos/platform is an auto-deploy manifest of this server.
{
  lib,
  host,
  cluster,
  ...
}:
{
  imports = [ ../platform/module.nix ];

  services.k3s = {
    role = "server";
    clusterInit = true;
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
