#!/usr/bin/env bash
# The steps of .github/workflows/ci.yml that are more than one command, so they can be read and run
# by hand (from the repository root, with Nix):
#   .ci/deploy.sh tag <tag>       cluster.imageTag := <tag> (the images and the manifests agree)
#   .ci/deploy.sh push-images     nix run .#<image>.copyToRegistry for every image of the flake
#   .ci/deploy.sh staging         the flake's hosts and domain := the staging cluster's
#                                 (STAGING_HOSTS, STAGING_DOMAIN)
#   .ci/deploy.sh render          the platform's manifests as JSON on stdout
#   .ci/deploy.sh ssh-setup       root's SSH key and the nodes' host keys (STAGING_SSH_KEY,
#                                 STAGING_KNOWN_HOSTS) for colmena and the smoke test
# The edits are to the checkout only: nothing is committed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

system=x86_64-linux

case "${1:-}" in
  tag)
    tag=${2:?usage: deploy.sh tag <tag>}
    sed -i -E "s|^(  imageTag = )\"[^\"]*\";|\1\"$tag\";|" nixos/cluster.nix
    grep -q "imageTag = \"$tag\";" nixos/cluster.nix || { echo "imageTag not set" >&2; exit 1; }
    ;;
  push-images)
    mapfile -t images < <(nix eval --json ".#packages.$system" --apply builtins.attrNames |
      jq -r '.[] | select(endswith("-image"))')
    [ "${#images[@]}" -gt 0 ] || { echo "no images in the flake" >&2; exit 1; }
    for image in "${images[@]}"; do
      echo "== $image"
      nix run ".#$image.copyToRegistry"
    done
    ;;
  staging)
    : "${STAGING_HOSTS:?the staging nodes (a Nix attribute set like nixos/hosts/default.nix)}"
    : "${STAGING_DOMAIN:?the staging domain}"
    printf '%s\n' "$STAGING_HOSTS" > nixos/hosts/default.nix
    nix-instantiate --parse nixos/hosts/default.nix > /dev/null
    sed -i -E "s|^(  domain = )\"[^\"]*\";|\1\"$STAGING_DOMAIN\";|" nixos/cluster.nix
    grep -q "domain = \"$STAGING_DOMAIN\";" nixos/cluster.nix || { echo "domain not set" >&2; exit 1; }
    ;;
  render)
    nix eval --json .#platformManifests.manifests
    ;;
  ssh-setup)
    : "${STAGING_SSH_KEY:?the private key root accepts on the staging nodes}"
    : "${STAGING_KNOWN_HOSTS:?known_hosts lines of the staging nodes}"
    install -d -m 700 ~/.ssh
    (umask 077 && printf '%s\n' "$STAGING_SSH_KEY" > ~/.ssh/id_ed25519)
    printf '%s\n' "$STAGING_KNOWN_HOSTS" >> ~/.ssh/known_hosts
    ;;
  *)
    sed -n '2,11p' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
esac
