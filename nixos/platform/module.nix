# The platform on the control plane: every object of ./default.nix becomes a K3s auto-deploy
# manifest (/var/lib/rancher/k3s/server/manifests/<file>.yaml, applied and re-applied by K3s on
# change), and the Secrets are rendered from sops-nix on the node, never stored in the Nix store.
{
  config,
  lib,
  pkgs,
  cluster,
  ...
}:
let
  platform = import ./. { inherit cluster; };
  manifestsDir = "/var/lib/rancher/k3s/server/manifests";
  # openclaw-system's Secrets and the monitoring stack's (Alertmanager's receivers, Grafana's admin).
  secretSets = [
    { inherit (platform) secrets; }
    platform.monitoringSecrets
  ];
  sopsKeys = lib.unique (
    lib.concatMap (set: lib.concatMap builtins.attrValues (builtins.attrValues set.secrets)) secretSets
  );
  # The Secrets' manifest from the decrypted files, every value base64 in `data` (./secrets.nix): no
  # value is ever pasted into JSON text, so quotes or backslashes in it are harmless.
  secretsManifest = lib.concatMapStringsSep "printf '%s\\n' ---\n" (
    set:
    (import ./secrets.nix set).script {
      pathOf = sopsKey: config.sops.secrets.${sopsKey}.path;
      base64 = "${pkgs.coreutils}/bin/base64";
    }
  ) secretSets;
in
{
  services.k3s.manifests = lib.mapAttrs (_: objects: { content = objects; }) platform.manifests;

  # A changed value renders the manifest anew.
  sops.secrets = lib.genAttrs sopsKeys (_: {
    restartUnits = [ "openclaw-secrets-manifest.service" ];
  });

  # K3s reads regular files from its manifests directory: render the Secrets there (0600, root)
  # at boot and whenever sops-nix installs a changed value.
  systemd.services.openclaw-secrets-manifest = {
    description = "openclaw-cloud Secrets as a K3s auto-deploy manifest";
    wantedBy = [ "multi-user.target" ];
    before = [ "k3s.service" ];
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      UMask = "0077";
    };
    script = ''
      mkdir -p ${manifestsDir}
      ${pkgs.writeShellScript "openclaw-secrets-manifest" secretsManifest} > ${manifestsDir}/.openclaw-secrets.yaml.new
      mv ${manifestsDir}/.openclaw-secrets.yaml.new ${manifestsDir}/openclaw-secrets.yaml
    '';
  };
}
