# Facts of this installation that are not about one host. Plain data: no nixpkgs needed to read it
# (nixos/platform/render.nix and the tests evaluate it with nix-instantiate alone).
{
  # Public DNS: the api (and web UI) at `domain`, the token proxy at `proxy.<domain>`.
  domain = "openclaw.cloud";
  # Let's Encrypt account e-mail (cert-manager ClusterIssuer).
  acmeEmail = "ops@openclaw.cloud";
  # Where the images are pushed (nix run .#<image>.copyToRegistry) and pulled from.
  registry = "ghcr.io/openclaw-cloud";
  # Tag of our service images; bump it (or set it to a commit) to roll out a new build.
  imageTag = "0.1.0";
  sourceUrl = "https://github.com/openclaw-cloud/openclaw-cloud";
  # The OpenClaw gateway image the operator puts into each box (operator.kubernetes.image).
  gatewayImage = "ghcr.io/openclaw-cloud/openclaw-gateway:2026.9.6";
  # Pod and service CIDRs of K3s (its defaults; the operator keeps them out of the boxes' egress).
  clusterCidr = "10.42.0.0/16";
  serviceCidr = "10.43.0.0/16";
  # The Stripe price id of each plan (plans.<name>.stripe-price): create the prices in Stripe and put
  # their ids here; these placeholders are the sandbox's.
  stripePrices = {
    starter = "price_starter";
    pro = "price_pro";
  };
  # The onboarding agent: its model behind the token proxy (onboarding.model.name, one of
  # proxy.platform-plan.models) and what it tells people each plan costs (onboarding.prices.<plan>,
  # in step with stripePrices; empty: "price shown at checkout").
  onboarding = {
    model = "kimi-k2.6";
    prices = {
      starter = "";
      pro = "";
    };
  };
  # E-mails that sign in to the dashboard as admins (api.auth.admins).
  admins = [ "ops@openclaw.cloud" ];
  # The SMTP server customer e-mails go out through (billing.mail.*); its user and password are
  # sops secrets (smtp-username, smtp-password). The sender is no-reply@<domain>.
  mail = {
    host = "smtp.openclaw.cloud";
    port = 587;
    starttls = true;
  };
  # Where backups leave the node: an S3-compatible bucket (Hetzner Object Storage here; any S3 works),
  # one folder per kind: postgres (the pgBackRest repository), etcd (K3s snapshots), workspaces
  # (the boxes' OpenClaw state). The key and its secret are sops secrets (backup-s3-access-key,
  # backup-s3-secret-key); create the bucket private, with no public access, before the first deploy.
  backups.s3 = {
    endpoint = "fsn1.your-objectstorage.com";
    region = "fsn1";
    bucket = "openclaw-backups";
  };
  # The Hetzner Cloud server type of each role (`hcloud server create --type <type>`): what
  # docs/capacity.md sizes the boxes per worker and the cost per customer from. Plain facts: nothing
  # here creates a server.
  serverTypes = {
    control-plane = "cx43"; # 8 vCPU (shared), 16 GB: PostgreSQL, Redis, the services, monitoring
    worker = "cx53"; # 16 vCPU (shared), 32 GB: the boxes
  };
  # Root's SSH keys on every node (colmena and nixos-anywhere log in as root with them).
  adminSshKeys = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyReplaceMeWithTheOperatorsOwnPublicKey0000 ops@openclaw.cloud"
  ];
}
