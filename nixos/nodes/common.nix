# What every node has: disk layout, boot, SSH, firewall, Nix housekeeping, the K3s join token from
# sops-nix and the node-level registry credentials. Role specifics are in control-plane.nix and
# worker.nix; host facts come in as `host` (nixos/hosts/<name>.nix), `hostName` and `cluster`.
{
  config,
  lib,
  pkgs,
  modulesPath,
  host,
  hostName,
  cluster,
  ...
}:
let
  # A changed registry credential: registries.yaml anew, then K3s (it reads the file at start).
  registryUnits = [
    "k3s-registries.service"
    "k3s.service"
  ];
in
{
  imports = [
    (modulesPath + "/profiles/qemu-guest.nix")
    (import ../disko/hetzner.nix host.disk)
  ];

  system.stateVersion = "26.05";
  networking.hostName = hostName;
  time.timeZone = "UTC";

  # GRUB on the disk's BIOS boot partition (disko fills in boot.loader.grub.devices) and as the
  # removable EFI loader, so the same image boots on BIOS and UEFI machines.
  boot.loader.grub = {
    enable = true;
    efiSupport = true;
    efiInstallAsRemovable = true;
  };
  boot.initrd.availableKernelModules = [
    "ata_piix"
    "uhci_hcd"
    "virtio_pci"
    "virtio_scsi"
    "sd_mod"
    "sr_mod"
  ];
  # Kubernetes networking (flannel VXLAN, kube-proxy).
  boot.kernelModules = [ "br_netfilter" "overlay" ];
  boot.kernel.sysctl = {
    "net.ipv4.ip_forward" = 1;
    "net.bridge.bridge-nf-call-iptables" = 1;
    "net.bridge.bridge-nf-call-ip6tables" = 1;
    "fs.inotify.max_user_instances" = 8192;
  };

  networking.useNetworkd = true;
  networking.useDHCP = true;

  # SSH: keys only, root only with a key (colmena and nixos-anywhere log in as root).
  services.openssh = {
    enable = true;
    openFirewall = false;
    settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      PermitRootLogin = "prohibit-password";
      X11Forwarding = false;
      AllowAgentForwarding = false;
      AllowTcpForwarding = "local";
      MaxAuthTries = 3;
    };
  };
  users.mutableUsers = false;
  users.users.root.openssh.authorizedKeys.keys = cluster.adminSshKeys;
  services.fail2ban.enable = true;

  # Firewall. Public: SSH and the ingress (ingress-nginx's LoadBalancer Service is served on every
  # node by K3s' servicelb). The K3s API (6443), kubelet (10250) and flannel VXLAN (8472/udp) only
  # on the private network. mkForce: nothing else (a module's openFirewall) opens public ports.
  networking.firewall = {
    enable = true;
    allowedTCPPorts = lib.mkForce [
      22
      80
      443
    ];
    allowedUDPPorts = lib.mkForce [ ];
    interfaces.${host.privateInterface} = {
      # 9100: node-exporter (hostNetwork), scraped by Prometheus from whichever node it runs on.
      allowedTCPPorts = [
        10250
        9100
      ];
      allowedUDPPorts = [ 8472 ];
    };
    # Pods talk to their own node (DNS, hostPorts, servicelb) through the CNI bridge.
    trustedInterfaces = [
      "cni0"
      "flannel.1"
    ];
    # Kubernetes' own iptables rules do the pod networking; NixOS' reverse-path filter breaks it.
    checkReversePath = "loose";
  };

  # node-exporter's textfile collector (nixos/platform/monitoring.nix) reads *.prom files here: a job
  # on the node writes its metrics (e.g. a backup's last success) as <name>.prom, atomically (mv).
  systemd.tmpfiles.rules = [ "d /var/lib/node-exporter/textfile 0755 root root -" ];

  # Nix: flakes for colmena, weekly garbage collection, deduplicated store.
  nix.settings = {
    experimental-features = [
      "nix-command"
      "flakes"
    ];
    trusted-users = [ "root" ];
    auto-optimise-store = true;
  };
  nix.gc = {
    automatic = true;
    dates = "weekly";
    options = "--delete-older-than 14d";
  };
  # Old boot entries go with the generations they belong to.
  boot.loader.grub.configurationLimit = 10;
  # Journal size on nodes whose disk also holds every box's state.
  services.journald.extraConfig = "SystemMaxUse=1G";

  environment.systemPackages = [
    pkgs.kubectl
    pkgs.curl
    pkgs.jq
  ];

  # Secrets: decrypted on the node with its SSH host key (converted to age), from its host group's
  # sops file (sops.defaultSopsFile: control-plane.nix, worker.nix; .sops.yaml says who can read
  # which): a worker holds only what it uses, never the platform's keys.
  sops.age.sshKeyPaths = [ "/etc/ssh/ssh_host_ed25519_key" ];
  sops.secrets.ghcr-username.restartUnits = registryUnits;
  sops.secrets.ghcr-token.restartUnits = registryUnits;

  # Node-level pull credentials for ghcr.io: every namespace can pull our images, also the boxes'
  # namespaces that the operator creates at run time (their ServiceAccount has no pull secret).
  # jq writes the values as JSON strings (--rawfile), so no character in them can break the file.
  systemd.services.k3s-registries = {
    description = "K3s registry credentials (/etc/rancher/k3s/registries.yaml) from sops-nix";
    wantedBy = [ "multi-user.target" ];
    before = [ "k3s.service" ];
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      UMask = "0077";
    };
    script = ''
      mkdir -p /etc/rancher/k3s
      ${pkgs.jq}/bin/jq -n \
        --rawfile username ${config.sops.secrets.ghcr-username.path} \
        --rawfile password ${config.sops.secrets.ghcr-token.path} \
        '{configs: {"ghcr.io": {auth: {username: $username, password: $password}}}}' \
        > /etc/rancher/k3s/.registries.yaml.new
      mv /etc/rancher/k3s/.registries.yaml.new /etc/rancher/k3s/registries.yaml
    '';
  };

  # The join tokens (tokenFile) are the role's: servers join with the server token, agents with the
  # separate agent token, which cannot join a server.
  services.k3s = {
    enable = true;
    extraFlags = [
      "--node-ip=${host.privateAddress}"
      "--node-external-ip=${host.address}"
      "--flannel-iface=${host.privateInterface}"
    ];
  };
  # sops-nix writes the secrets during activation, before K3s starts.
}
