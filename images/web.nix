# The site (web/): `npm run build` from package-lock.json, as web/build.sh does; the api serves the
# result from the store (api.web.dir, see services.nix).
{
  lib,
  buildNpmPackage,
  importNpmLock,
}:
buildNpmPackage {
  pname = "openclaw-web";
  version = "0.1.0";
  # Without what a local build leaves there (ignored by git, but not by a path outside a flake).
  src = lib.fileset.toSource {
    root = ../web;
    fileset = lib.fileset.difference ../web (
      lib.fileset.unions [
        (lib.fileset.maybeMissing ../web/node_modules)
        (lib.fileset.maybeMissing ../web/dist)
      ]
    );
  };
  npmDeps = importNpmLock { npmRoot = ../web; };
  npmConfigHook = importNpmLock.npmConfigHook;
  installPhase = "cp -r dist $out";
}
