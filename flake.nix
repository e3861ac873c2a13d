{
  description = "openclaw-cloud: the services, their container images, the K3s nodes and the platform deployed on them";

  # Every input follows our nixpkgs, so the lock holds exactly one nixpkgs (a stable NixOS release).
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
    nix2container = {
      url = "github:nlewo/nix2container";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    colmena = {
      url = "github:zhaofengli/colmena";
      inputs.nixpkgs.follows = "nixpkgs";
      inputs.stable.follows = "nixpkgs";
    };
    sops-nix = {
      url = "github:Mic92/sops-nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    disko = {
      url = "github:nix-community/disko";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      nix2container,
      colmena,
      sops-nix,
      disko,
    }:
    let
      # The nodes and the images are x86_64-linux (Hetzner cx/cpx machines).
      system = "x86_64-linux";
      lib = nixpkgs.lib;
      pkgs = import nixpkgs { inherit system; };
      n2c = nix2container.packages.${system}.nix2container;

      cluster = import ./nixos/cluster.nix;
      hosts = import ./nixos/hosts;

      # Services, the OpenClaw gateway and their images (images/default.nix).
      built = import ./images { inherit pkgs n2c cluster; };

      # The modules of one node; the same list for nixosConfigurations and the Colmena hive.
      nodeModules = host: [
        sops-nix.nixosModules.sops
        disko.nixosModules.disko
        ./nixos/nodes/common.nix
        (if host.role == "control-plane" then ./nixos/nodes/control-plane.nix else ./nixos/nodes/worker.nix)
      ];
      nodeArgs = name: host: {
        inherit cluster hosts host;
        hostName = name;
      };

      devShell = pkgs.callPackage ./nixos/devshell.nix { colmena = colmena.packages.${system}.colmena; };
      dev = pkgs.callPackage ./nixos/dev.nix { };
    in
    {
      packages.${system} = built.packages // built.images // { default = built.packages.services; };

      # `nix run` = dev mode: the README's ./openclaw-cloud dev, with JDK 25 and Maven from nixpkgs.
      apps.${system}.default = {
        type = "app";
        program = "${dev}/bin/openclaw-cloud-dev";
        meta.description = "the whole platform on this machine (./openclaw-cloud dev)";
      };

      devShells.${system}.default = devShell;

      nixosConfigurations = lib.mapAttrs (
        name: host:
        lib.nixosSystem {
          inherit system;
          specialArgs = nodeArgs name host;
          modules = nodeModules host;
        }
      ) hosts;

      # `colmena apply` reads this (colmena >= 0.5 looks for the colmenaHive output).
      colmenaHive = colmena.lib.makeHive (
        {
          meta = {
            nixpkgs = pkgs;
            nodeSpecialArgs = lib.mapAttrs nodeArgs hosts;
          };
        }
        // lib.mapAttrs (_: host: {
          imports = nodeModules host;
          deployment = {
            targetHost = host.address;
            targetUser = "root";
            tags = [ host.role ];
            # Build on the deploying machine, copy closures over SSH.
            buildOnTarget = false;
          };
        }) hosts
      );

      # The platform's Kubernetes objects as plain data (also rendered by nixos/platform/render.nix).
      platformManifests = import ./nixos/platform { inherit cluster; };

      checks.${system} = {
        # `mvn verify`: unit tests and ITs against a PostgreSQL and a Redis started in the build.
        maven-tests = built.tests;
        # The platform manifests render to JSON (the same data CI asserts on).
        platform-manifests = pkgs.writeText "platform-manifests.json" (
          builtins.toJSON self.platformManifests
        );
      }
      // lib.mapAttrs' (
        name: _: lib.nameValuePair "host-${name}" self.nixosConfigurations.${name}.config.system.build.toplevel
      ) hosts
      // lib.mapAttrs' (name: image: lib.nameValuePair "image-${name}" image) built.images;
    };
}
