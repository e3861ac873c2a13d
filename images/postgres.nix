# The platform's PostgreSQL: PostgreSQL 17 with pgBackRest beside it, because archive_command runs
# inside the database's container (nixos/platform/backups.nix). Same contract as the upstream
# postgres:17-alpine it replaces, so an existing data directory starts as it is: uid/gid 70, PGDATA,
# and on an empty PGDATA an initdb with POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB (local socket
# trusted, TCP with scram-sha-256). Also the backup sidecar's image: supercronic for the schedule,
# jq for `pgbackrest info`.
#   nix build .#postgres-image
#   nix run .#postgres-image.copyToRegistry            # to <registry>/postgres:17-<imageTag>
{
  lib,
  n2c,
  cluster,
  buildEnv,
  runCommand,
  writeShellScriptBin,
  postgresql_17,
  pgbackrest,
  supercronic,
  bashInteractive,
  coreutils,
  gnugrep,
  jq,
  cacert,
  tzdata,
}:
let
  uid = 70;
  # Mirrors the upstream image's first start (./postgres-entrypoint.sh, PostgresEntrypointIT).
  entrypoint = writeShellScriptBin "openclaw-postgres" (builtins.readFile ./postgres-entrypoint.sh);
  tools = buildEnv {
    name = "openclaw-postgres-root";
    paths = [
      entrypoint
      postgresql_17
      pgbackrest
      supercronic
      bashInteractive
      coreutils
      gnugrep
      jq
    ];
    pathsToLink = [ "/bin" ];
  };
  skeleton = runCommand "openclaw-postgres-skeleton" { } ''
    mkdir -p $out/etc $out/tmp $out/var/run/postgresql $out/var/lib/postgresql/data
    echo 'root:x:0:0:root:/root:/sbin/nologin' > $out/etc/passwd
    echo 'postgres:x:${toString uid}:${toString uid}:postgres:/var/lib/postgresql:/bin/sh' >> $out/etc/passwd
    echo 'root:x:0:' > $out/etc/group
    echo 'postgres:x:${toString uid}:' >> $out/etc/group
  '';
  baseLayer = n2c.buildLayer {
    deps = [
      postgresql_17
      pgbackrest
      cacert
      tzdata
    ];
  };
in
n2c.buildImage {
  name = "${cluster.registry}/postgres";
  tag = "17-${cluster.imageTag}";
  copyToRoot = [
    tools
    skeleton
  ];
  layers = [ baseLayer ];
  perms = [
    {
      path = skeleton;
      regex = "/var/(run/postgresql|lib/postgresql).*";
      mode = "0755";
      inherit uid;
      gid = uid;
    }
    {
      path = skeleton;
      regex = "/tmp";
      mode = "1777";
    }
  ];
  config = {
    User = "${toString uid}:${toString uid}";
    Entrypoint = [ "${entrypoint}/bin/openclaw-postgres" ];
    Env = [
      "PATH=/bin"
      "LANG=C.UTF-8"
      "TZDIR=${tzdata}/share/zoneinfo"
      "PGDATA=/var/lib/postgresql/data/pgdata"
      # pgBackRest's TLS to the S3 endpoint.
      "SSL_CERT_FILE=${cacert}/etc/ssl/certs/ca-bundle.crt"
    ];
    ExposedPorts."5432/tcp" = { };
    Labels = {
      "org.opencontainers.image.title" = "postgres";
      "org.opencontainers.image.source" = cluster.sourceUrl;
    };
  };
}
