# A worker: a K3s agent joining the control plane over the private network. The customers' boxes
# (one OpenClaw gateway each, ~1.5 GiB) run here.
{
  config,
  lib,
  hosts,
  ...
}:
let
  # The control plane that initialised the cluster (control-plane.nix), by name.
  first = lib.head (lib.attrNames (lib.filterAttrs (_: h: h.role == "control-plane") hosts));
in
{
  # A worker decrypts only its own file: the agent token and the registry credentials
  # (nixos/secrets/workers.yaml), none of the platform's keys.
  sops.defaultSopsFile = ../secrets/workers.yaml;
  sops.secrets.k3s-agent-token = { };

  services.k3s = {
    role = "agent";
    serverAddr = "https://${hosts.${first}.privateAddress}:6443";
    # The agent token joins agents only: a worker's disk cannot make a server.
    tokenFile = config.sops.secrets.k3s-agent-token.path;
    extraFlags = [
      "--node-label=openclaw.cloud/pool=boxes"
      # Kept out of the node's allocatable memory for NixOS, K3s and containerd (docs/capacity.md):
      # without it the scheduler fills the node with boxes up to its last byte.
      "--kubelet-arg=system-reserved=cpu=250m,memory=1Gi"
    ];
  };
}
