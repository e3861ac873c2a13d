# The platform's objects as JSON, without nixpkgs:
#   nix-instantiate --eval --strict --json nixos/platform/render.nix
import ./. { cluster = import ../cluster.nix; }
