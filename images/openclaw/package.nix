# The OpenClaw gateway from npm, pinned by package-lock.json beside this file (every package with its
# registry URL and integrity hash: no separate dependency hash to maintain), on Node 24.
# To move to another OpenClaw version: change "openclaw" in package.json and the version below, then
#   npm install --package-lock-only --ignore-scripts --omit-lockfile-registry-resolved=false
# in this folder (with network) and commit both files.
{
  lib,
  buildNpmPackage,
  importNpmLock,
  nodejs_24,
  makeWrapper,
  git,
}:
buildNpmPackage {
  pname = "openclaw-gateway";
  version = "2026.9.6";
  src = lib.fileset.toSource {
    root = ./.;
    fileset = lib.fileset.unions [
      ./package.json
      ./package-lock.json
    ];
  };
  nodejs = nodejs_24;
  npmDeps = importNpmLock { npmRoot = ./.; };
  npmConfigHook = importNpmLock.npmConfigHook;
  # Nothing to build: the wrapper package only pins openclaw and its dependency tree.
  dontNpmBuild = true;
  # No install scripts, as npm 11 (Node 24) installs it by default and as the operator's local
  # runtime and LocalRuntimeIT run it: koffi comes prebuilt (@koromix/koffi-linux-x64), openclaw's
  # own postinstall is not needed for `gateway run`.
  npmFlags = [ "--ignore-scripts" ];
  nativeBuildInputs = [ makeWrapper ];
  installPhase = ''
    runHook preInstall
    mkdir -p $out/lib/openclaw-gateway $out/bin
    cp -r node_modules package.json $out/lib/openclaw-gateway/
    # openclaw runs `git init` in its workspace: git is on its PATH.
    makeWrapper ${nodejs_24}/bin/node $out/bin/openclaw \
      --add-flags $out/lib/openclaw-gateway/node_modules/openclaw/openclaw.mjs \
      --prefix PATH : ${lib.makeBinPath [ git ]} \
      --set-default DO_NOT_TRACK 1
    runHook postInstall
  '';
  # Fails the build when this Node is one OpenClaw refuses (it needs >= 24.16 on the 24 line).
  doInstallCheck = true;
  installCheckPhase = ''
    HOME=$TMPDIR $out/bin/openclaw --version | grep -F 2026.9.6
  '';
  passthru.nodejs = nodejs_24;
  meta = {
    description = "OpenClaw gateway (npm openclaw, pinned) on Node 24";
    homepage = "https://www.npmjs.com/package/openclaw";
    license = lib.licenses.mit;
    mainProgram = "openclaw";
    platforms = lib.platforms.linux;
  };
}
