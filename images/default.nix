# Packages and nix2container images of the flake (see flake.nix):
#   services (all), api, token-proxy, operator, billing-worker, onboarding-agent   the Java services
#   openclaw-gateway                                                               OpenClaw on Node 24
#   openclaw-image, <service>-image                                                the images
{
  pkgs,
  n2c,
  cluster,
}:
let
  inherit (pkgs) lib;
  services = pkgs.callPackage ./services.nix { };
  table = import ../nixos/platform/services.nix;
  serviceNames = builtins.attrNames table;
  openclaw = pkgs.callPackage ./openclaw/package.nix { };
  serviceImage = import ./service-image.nix { inherit pkgs n2c cluster; };
  # The web UI, once web/ exists with a package.json and package-lock.json.
  web = lib.optionalAttrs (builtins.pathExists ../web/package-lock.json) {
    web = pkgs.buildNpmPackage {
      pname = "openclaw-web";
      version = "0.1.0";
      src = ../web;
      npmDeps = pkgs.importNpmLock { npmRoot = ../web; };
      npmConfigHook = pkgs.importNpmLock.npmConfigHook;
      installPhase = "cp -r dist $out";
    };
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
