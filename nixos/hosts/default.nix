# The nodes: facts only (role, addresses, disk, interfaces). Everything else comes from
# nixos/nodes/<role>.nix. Addresses are Hetzner Cloud ones: `address` the public IPv4 (SSH, ingress),
# `privateAddress` on the Hetzner private network (K3s traffic between the nodes).
# Replace the documentation addresses (203.0.113.0/24) with your servers' before deploying.
{
  cp-1 = import ./cp-1.nix;
  worker-1 = import ./worker-1.nix;
  worker-2 = import ./worker-2.nix;
}
