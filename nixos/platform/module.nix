# The platform on the control plane: every object of ./default.nix becomes a K3s auto-deploy
# manifest (/var/lib/rancher/k3s/server/manifests/<file>.yaml, applied and re-applied by K3s on
# change), and the Secrets are rendered from sops-nix on the node, never stored in the Nix store.
{
  config,
  lib,
  cluster,
  ...
}:
let
  platform = import ./. { inherit cluster; };
  manifestsDir = "/var/lib/rancher/k3s/server/manifests";
  sopsKeys = lib.unique (lib.concatMap builtins.attrValues (builtins.attrValues platform.secrets));
  secretObjects = lib.mapAttrsToList (name: keys: {
    apiVersion = "v1";
    kind = "Secret";
    metadata = {
      inherit name;
      namespace = "openclaw-system";
      labels."app.kubernetes.io/part-of" = "openclaw-cloud";
    };
    type = "Opaque";
    stringData = lib.mapAttrs (_: sopsKey: config.sops.placeholder.${sopsKey}) keys;
  }) platform.secrets;
in
{
  services.k3s.manifests = lib.mapAttrs (_: objects: { content = objects; }) platform.manifests;

  sops.secrets = lib.genAttrs sopsKeys (_: { });
  # One YAML stream (JSON documents) with every Secret of openclaw-system. The values are
  # substituted into JSON strings: they must not contain `"` or `\` (tokens, base64 keys do not).
  sops.templates."openclaw-secrets.yaml" = {
    content = lib.concatMapStringsSep "\n---\n" builtins.toJSON secretObjects;
    restartUnits = [ "openclaw-secrets-manifest.service" ];
  };

  # K3s reads regular files from its manifests directory: copy the rendered template there (0600,
  # root) whenever sops-nix renders it anew.
  systemd.services.openclaw-secrets-manifest = {
    description = "openclaw-cloud Secrets as a K3s auto-deploy manifest";
    wantedBy = [ "multi-user.target" ];
    before = [ "k3s.service" ];
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
    };
    script = ''
      install -D -m 0600 ${config.sops.templates."openclaw-secrets.yaml".path} \
        ${manifestsDir}/openclaw-secrets.yaml
    '';
  };
}
