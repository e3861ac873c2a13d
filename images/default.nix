# Packages and nix2container images of the flake (see flake.nix):
#   services (all), api, token-proxy, operator, billing-worker, onboarding-agent   the Java services
#   openclaw-gateway                                                               OpenClaw on Node 24
#   web                                                                            the built site (the api serves it)
#   openclaw-image, <service>-image                                                the images
#   postgres-image                                                                 PostgreSQL 17 + pgBackRest
{
  pkgs,
  n2c,
  cluster,
}:
let
  inherit (pkgs) lib;
  # The api serves the built site from the store (api.web.dir), see services.nix.
  services = pkgs.callPackage ./services.nix { site = web.web or null; };
  table = import ../nixos/platform/services.nix;
  serviceNames = builtins.attrNames table;
  openclaw = pkgs.callPackage ./openclaw/package.nix { };
  serviceImage = import ./service-image.nix { inherit pkgs n2c cluster; };
  # The web UI, once web/ has a lock file.
  web = lib.optionalAttrs (builtins.pathExists ../web/package-lock.json) {
    web = pkgs.callPackage ./web.nix { };
  };
in
{
  packages =
    lib.genAttrs serviceNames (name: services.${name})
    // web
    // {
      services = services.all;
      openclaw-gateway = openclaw;
      maven-repo = services.mavenRepo;
    };
  # `mvn verify` in the sandbox (flake check maven-tests).
  inherit (services) tests;
  images = {
    openclaw-image = import ./openclaw-gateway.nix {
      inherit pkgs n2c cluster openclaw;
    };
    # PostgreSQL 17 with pgBackRest (nixos/platform/backups.nix).
    postgres-image = pkgs.callPackage ./postgres.nix { inherit n2c cluster; };
  }
  // lib.listToAttrs (
    map (
      name:
      lib.nameValuePair "${name}-image" (
        serviceImage name {
          package = services.${name};
          inherit (services) jre;
          libs = services.libs.${name};
          spec = table.${name};
        }
      )
    ) serviceNames
  );
}
