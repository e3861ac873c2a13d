{
  role = "worker";
  address = "203.0.113.12";
  privateAddress = "10.0.0.4";
  # Hetzner Cloud: the public NIC is enp1s0, the private network's enp7s0 (check with `ip link`).
  publicInterface = "enp1s0";
  privateInterface = "enp7s0";
  disk = "/dev/sda";
}
