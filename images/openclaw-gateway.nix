# The image of a customer's box: the OpenClaw gateway as the operator's Deployment runs it
# (modules/operator BoxResources): uid/gid 1000 ("node"), HOME /home/node, state in
# /home/node/.openclaw (a volume), `openclaw` and `node` on PATH, read-only root file system
# (/tmp is an emptyDir in the pod). Default command: `openclaw gateway run`.
#   nix build .#openclaw-image
#   nix run .#openclaw-image.copyToRegistry            # to ghcr.io/<owner>/openclaw-gateway:<version>
{
  pkgs,
  n2c,
  cluster,
  openclaw,
}:
let
  inherit (pkgs) lib;
  uid = 1000;
  nodejs = openclaw.nodejs;
  tools = pkgs.buildEnv {
    name = "openclaw-gateway-root";
    paths = [
      openclaw
      nodejs
      pkgs.git
      pkgs.cacert
      pkgs.coreutils
      pkgs.bashInteractive
    ];
    pathsToLink = [
      "/bin"
      "/etc"
    ];
  };
  baseLayer = n2c.buildLayer {
    deps = [
      nodejs
      pkgs.git
      pkgs.cacert
      pkgs.coreutils
      pkgs.bashInteractive
    ];
  };
  # /etc/passwd and /etc/group with the node user, the home and state directories, /tmp.
  skeleton = pkgs.runCommand "openclaw-gateway-skeleton" { } ''
    mkdir -p $out/etc $out/home/node/.openclaw $out/tmp
    echo 'root:x:0:0:root:/root:/bin/sh' > $out/etc/passwd
    echo 'node:x:${toString uid}:${toString uid}:node:/home/node:/bin/sh' >> $out/etc/passwd
    echo 'root:x:0:' > $out/etc/group
    echo 'node:x:${toString uid}:' >> $out/etc/group
  '';
in
n2c.buildImage {
  name = "${cluster.registry}/openclaw-gateway";
  tag = openclaw.version;
  copyToRoot = [
    tools
    skeleton
  ];
  # Node and git change rarely, OpenClaw with each pin: each in its own layer (the second leaves out
  # what the first holds).
  layers = [
    baseLayer
    (n2c.buildLayer {
      deps = [ openclaw ];
      layers = [ baseLayer ];
    })
  ];
  perms = [
    {
      path = skeleton;
      regex = "/home/node.*";
      mode = "0755";
      inherit uid;
      gid = uid;
    }
    {
      path = skeleton;
      regex = "/tmp";
      mode = "1777";
    }
  ];
  config = {
    User = "${toString uid}:${toString uid}";
    WorkingDir = "/home/node";
    Entrypoint = [ "openclaw" ];
    Cmd = [
      "gateway"
      "run"
    ];
    Env = [
      "PATH=/bin"
      "HOME=/home/node"
      "OPENCLAW_STATE_DIR=/home/node/.openclaw"
      "DO_NOT_TRACK=1"
      "NODE_ENV=production"
      "SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt"
    ];
    ExposedPorts."18789/tcp" = { };
    Volumes."/home/node/.openclaw" = { };
    Labels = {
      "org.opencontainers.image.title" = "openclaw-gateway";
      "org.opencontainers.image.version" = openclaw.version;
      "org.opencontainers.image.source" = cluster.sourceUrl;
    };
  };
}
