# Backups that leave the node (docs/operations.md, "Backups and restore"): PostgreSQL's WAL is
# archived continuously and a base backup taken every night, both by pgBackRest into the S3 bucket
# of nixos/cluster.nix (`backups.s3`, folder /postgres), encrypted there with a key of our own.
# (K3s' etcd snapshots go to the same bucket from the node: nixos/nodes/control-plane.nix.)
#
# pgBackRest runs where the database is: archive_command is run by PostgreSQL itself, and a backup
# needs the data directory and the local socket. So the PostgreSQL StatefulSet of ./default.nix
# gets our image (images/postgres.nix: PostgreSQL 17 + pgBackRest), archiving switched on, and a
# sidecar `pgbackrest` that creates the stanza once the database answers and then runs the nightly
# schedule (supercronic). A CronJob could only do that with exec rights into the database's pod.
# How fresh the backups are is read from the repository itself by the control plane
# (nixos/nodes/backup-metrics.nix): openclaw_backup_last_success_timestamp_seconds{kind}.
#
# Builtins only, like ./default.nix.
{
  cluster,
  ns,
  meta,
  plain,
  fromSecret,
  restricted,
  database,
}:
let
  s3 = cluster.backups.s3;
  image = "${cluster.registry}/postgres:17-${cluster.imageTag}";
  uid = 70;
  secretName = "openclaw-backups";

  # Kubernetes Secret -> key -> sops key (nixos/secrets/cluster.yaml), merged into default.nix's.
  secrets.${secretName} = {
    s3-access-key = "backup-s3-access-key";
    s3-secret-key = "backup-s3-secret-key";
    # pgBackRest encrypts the repository (aes-256-cbc) with it: the bucket's provider never sees
    # the data. Lose it and the backups are unreadable: keep a copy outside the cluster.
    repo-cipher-pass = "backup-repo-cipher-pass";
  };

  # pgBackRest reads every option from PGBACKREST_<OPTION> as well: no configuration file, the same
  # settings for archive-push (PostgreSQL's environment), the sidecar and the restore pod.
  pgbackrestEnv = [
    (plain "PGBACKREST_STANZA" "openclaw")
    (plain "PGBACKREST_PG1_PATH" "/var/lib/postgresql/data/pgdata")
    (plain "PGBACKREST_PG1_SOCKET_PATH" "/var/run/postgresql")
    (plain "PGBACKREST_PG1_USER" database.user)
    (plain "PGBACKREST_PG1_DATABASE" database.name)
    (plain "PGBACKREST_REPO1_TYPE" "s3")
    (plain "PGBACKREST_REPO1_PATH" "/postgres")
    (plain "PGBACKREST_REPO1_S3_ENDPOINT" s3.endpoint)
    (plain "PGBACKREST_REPO1_S3_REGION" s3.region)
    (plain "PGBACKREST_REPO1_S3_BUCKET" s3.bucket)
    # Path-style URLs work with every S3-compatible store; virtual-host style needs DNS per bucket.
    (plain "PGBACKREST_REPO1_S3_URI_STYLE" "path")
    (fromSecret "PGBACKREST_REPO1_S3_KEY" secretName "s3-access-key")
    (fromSecret "PGBACKREST_REPO1_S3_KEY_SECRET" secretName "s3-secret-key")
    (plain "PGBACKREST_REPO1_CIPHER_TYPE" "aes-256-cbc")
    (fromSecret "PGBACKREST_REPO1_CIPHER_PASS" secretName "repo-cipher-pass")
    # A full backup every week, four kept: point-in-time restores reach back four weeks.
    (plain "PGBACKREST_REPO1_RETENTION_FULL" "4")
    (plain "PGBACKREST_COMPRESS_TYPE" "zst")
    (plain "PGBACKREST_START_FAST" "y")
    (plain "PGBACKREST_PROCESS_MAX" "2")
    # The root file system is read-only: locks in /tmp (an emptyDir), logs to the console only.
    (plain "PGBACKREST_LOCK_PATH" "/tmp/pgbackrest")
    (plain "PGBACKREST_LOG_LEVEL_FILE" "off")
    (plain "PGBACKREST_LOG_LEVEL_CONSOLE" "info")
  ];

  # PostgreSQL's settings for archiving (arguments of `postgres`). archive_timeout closes a WAL
  # segment after 60 s, so at most the last minute of writes is lost with the node.
  archiveArgs = [
    "-c"
    "wal_level=replica"
    "-c"
    "archive_mode=on"
    "-c"
    "archive_command=pgbackrest archive-push %p"
    "-c"
    "archive_timeout=60"
  ];

  # Sunday a full backup, the other nights a differential one (what changed since the full).
  schedule = {
    apiVersion = "v1";
    kind = "ConfigMap";
    metadata = meta "postgres-backup-schedule";
    data.crontab = ''
      30 2 * * 0 pgbackrest --type=full backup
      30 2 * * 1-6 pgbackrest --type=diff backup
    '';
  };

  # Waits for the database, creates the stanza (a no-op when it exists and matches), then runs the
  # schedule. A stanza that cannot be created (bucket, key) restarts the container: visible.
  sidecarScript = ''
    set -eu
    until pg_isready -q -h /var/run/postgresql -U ${database.user} -d ${database.name}; do sleep 5; done
    pgbackrest stanza-create
    exec supercronic /etc/openclaw-backup/crontab
  '';

  sidecar = mounts: {
    name = "pgbackrest";
    inherit image;
    command = [
      "bash"
      "-c"
      sidecarScript
    ];
    env = pgbackrestEnv;
    securityContext = restricted uid;
    resources = {
      requests = {
        cpu = "10m";
        memory = "64Mi";
      };
      limits.memory = "512Mi";
    };
    volumeMounts = mounts ++ [
      {
        name = "backup-schedule";
        mountPath = "/etc/openclaw-backup";
        readOnly = true;
      }
    ];
  };

  archivingContainer =
    c:
    if c.name == "postgres" then
      c
      // {
        inherit image;
        args = archiveArgs;
        env = c.env ++ pgbackrestEnv;
      }
    else
      c;

  archivingPod =
    pod:
    let
      postgresMounts = (builtins.head (builtins.filter (c: c.name == "postgres") pod.containers))
        .volumeMounts;
    in
    pod
    // {
      containers = map archivingContainer pod.containers ++ [ (sidecar postgresMounts) ];
      volumes = pod.volumes ++ [
        {
          name = "backup-schedule";
          configMap.name = schedule.metadata.name;
        }
      ];
    };

  archivingObject =
    o:
    if o.kind == "StatefulSet" && o.metadata.name == "postgres" then
      o
      // {
        spec = o.spec // {
          template = o.spec.template // {
            spec = archivingPod o.spec.template.spec;
          };
        };
      }
    else
      o;

  # docs/operations.md: PostgreSQL stopped (replicas 0), this pod restores into its volume
  # (--delta rewrites only what differs), then PostgreSQL starts again and replays to the target.
  # RESTORE_TARGET: "" (to the end of the archive) or a timestamp with zone (a point in time).
  restorePod = {
    apiVersion = "v1";
    kind = "Pod";
    metadata = meta "postgres-restore";
    spec = {
      restartPolicy = "Never";
      nodeSelector."node-role.kubernetes.io/control-plane" = "true";
      automountServiceAccountToken = false;
      securityContext = {
        fsGroup = uid;
        seccompProfile.type = "RuntimeDefault";
      };
      containers = [
        {
          name = "restore";
          inherit image;
          command = [
            "bash"
            "-c"
            (
              "if [ -n \"$RESTORE_TARGET\" ]; then"
              + " exec pgbackrest restore --delta --type=time --target=\"$RESTORE_TARGET\" --target-action=promote;"
              + " else exec pgbackrest restore --delta; fi"
            )
          ];
          env = pgbackrestEnv ++ [ (plain "RESTORE_TARGET" "") ];
          securityContext = restricted uid;
          volumeMounts = [
            {
              name = "data";
              mountPath = "/var/lib/postgresql/data";
            }
            {
              name = "tmp";
              mountPath = "/tmp";
            }
          ];
        }
      ];
      volumes = [
        {
          name = "data";
          persistentVolumeClaim.claimName = "data-postgres-0";
        }
        {
          name = "tmp";
          emptyDir = { };
        }
      ];
    };
  };
in
{
  inherit secrets;
  # ./default.nix's PostgreSQL objects with archiving and the backup sidecar.
  withArchiving = objects: map archivingObject objects ++ [ schedule ];
  # Not deployed: applied by hand during a restore (docs/operations.md).
  restore.postgres = restorePod;
}
