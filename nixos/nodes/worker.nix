# A worker: a K3s agent joining the control plane over the private network. The customers' boxes
# (one OpenClaw gateway each, ~1.5 GiB) run here.
{
  lib,
  hosts,
  ...
}:
let
  controlPlanes = lib.filterAttrs (_: h: h.role == "control-plane") hosts;
  server = builtins.head (builtins.attrValues controlPlanes);
in
{
  services.k3s = {
    role = "agent";
    serverAddr = "https://${server.privateAddress}:6443";
    extraFlags = [ "--node-label=openclaw.cloud/pool=boxes" ];
  };
}
