# `nix run` (apps.default): dev mode, the README's `./openclaw-cloud dev`, with JDK 25 and Maven from
# nixpkgs. Run it in the repository root: it builds the working tree, not the flake's copy, and keeps
# its data in .openclaw-dev/ there.
{
  writeShellApplication,
  jdk25,
  maven,
}:
writeShellApplication {
  name = "openclaw-cloud-dev";
  runtimeInputs = [
    jdk25
    maven
  ];
  text = ''
    if [ ! -x ./openclaw-cloud ]; then
      echo "openclaw-cloud-dev: run it in the openclaw-cloud repository root (no ./openclaw-cloud here)" >&2
      exit 2
    fi
    export JAVA_HOME=${jdk25.home}
    exec ./openclaw-cloud dev "$@"
  '';
}
