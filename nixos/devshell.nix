# `nix develop`: everything the README, .ci/run and docs/deploy.md use.
{
  mkShell,
  jdk25,
  maven,
  nodejs_24,
  postgresql_17,
  redis,
  sops,
  age,
  ssh-to-age,
  colmena,
  kubectl,
  kubernetes-helm,
  skopeo,
  nixos-anywhere,
  jq,
}:
mkShell {
  packages = [
    jdk25
    maven
    nodejs_24
    postgresql_17
    redis
    sops
    age
    ssh-to-age
    colmena
    kubectl
    kubernetes-helm
    skopeo
    nixos-anywhere
    jq
  ];
  JAVA_HOME = jdk25.home;
  # The tests find a local PostgreSQL and Redis through these (see README); unset them to let the
  # tests start embedded ones instead.
  shellHook = ''
    export OPENCLAW_TEST_DATABASE_URL=''${OPENCLAW_TEST_DATABASE_URL:-'jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres'}
    export OPENCLAW_TEST_REDIS_URL=''${OPENCLAW_TEST_REDIS_URL:-redis://127.0.0.1:6379}
  '';
}
