# The Secrets of openclaw-system as one K3s manifest, rendered on the control plane from the files
# sops-nix decrypts (nixos/platform/module.nix). Builtins only, so tests render it too.
#
# Values never pass through a text template: each file is base64-encoded into the Secret's `data`
# at run time, and base64 needs no escaping in JSON, so a value holding quotes, backslashes or new
# lines arrives as it is and cannot break (or add to) the manifest.
#
#   (import ./secrets.nix { inherit secrets; }).script { pathOf = sopsKey: "/run/secrets/${sopsKey}"; }
# is a shell script (POSIX sh; base64 of coreutils) that prints the manifest: a YAML stream of JSON
# documents, one Secret each.
{
  # Kubernetes Secret name -> key -> sops key (default.nix, `secrets`).
  secrets,
  namespace ? "openclaw-system",
}:
let
  marker = sopsKey: "@@sops:${sopsKey}@@";
  objects = builtins.attrValues (
    builtins.mapAttrs (name: keys: {
      apiVersion = "v1";
      kind = "Secret";
      metadata = {
        inherit name namespace;
        labels."app.kubernetes.io/part-of" = "openclaw-cloud";
      };
      type = "Opaque";
      data = builtins.mapAttrs (_: marker) keys;
    }) secrets
  );
  stream = builtins.concatStringsSep "\n---\n" (map builtins.toJSON objects) + "\n";
  # Single-quoted for sh: nothing inside is special but the quote itself.
  quote = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
in
{
  script =
    {
      pathOf,
      base64 ? "base64",
    }:
    let
      # Text, then [ sopsKey ], then text, ... (builtins.split keeps the captured key).
      parts = builtins.split "\"@@sops:([A-Za-z0-9_-]+)@@\"" stream;
      emit =
        part:
        if builtins.isList part then
          "printf '\"'; ${base64} -w0 < ${quote (pathOf (builtins.head part))}; printf '\"'"
        else
          "printf '%s' ${quote part}";
    in
    "set -eu\n" + builtins.concatStringsSep "\n" (map emit parts) + "\n";
}
