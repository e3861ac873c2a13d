# Backups on the control plane (docs/operations.md, "Backups and restore"):
#  - K3s' etcd snapshots (every 6 hours, control-plane.nix) are uploaded to the backup bucket as
#    well, folder etcd/ (K3s' own --etcd-s3; its retention applies there too);
#  - how fresh every kind of backup is, read where the backups are, not from a job's exit code:
#    openclaw_backup_last_success_timestamp_seconds{kind} in node-exporter's textfile directory,
#    every 5 minutes. A kind that cannot be read is left out (absent), never reported as fresh.
{
  config,
  lib,
  pkgs,
  cluster,
  ...
}:
let
  cfg = config.openclaw.backups;
  kubectl = "${pkgs.kubectl}/bin/kubectl";
  jq = "${pkgs.jq}/bin/jq";
  # Every finished WAL segment archived: WAL is off the node up to now; else up to the last one
  # archived. (An idle database switches no segment, so last_archived_time alone would age.)
  walSql = lib.concatStringsSep " " [
    "SELECT extract(epoch FROM CASE"
    "WHEN a.last_archived_wal >= pg_walfile_name(pg_current_wal_lsn()"
    "- pg_size_bytes(current_setting('wal_segment_size'))::numeric)"
    "THEN now() ELSE a.last_archived_time END)::bigint FROM pg_stat_archiver a"
  ];
  collect = pkgs.writeShellScript "openclaw-backup-metrics" ''
    set -uo pipefail
    export KUBECONFIG=/etc/rancher/k3s/k3s.yaml
    dir=${cfg.textfileDirectory}
    mkdir -p "$dir"
    tmp=$(mktemp "$dir/.openclaw-backups.XXXXXX")
    {
      echo '# HELP openclaw_backup_last_success_timestamp_seconds When the newest backup of this kind that left the node was taken.'
      echo '# TYPE openclaw_backup_last_success_timestamp_seconds gauge'
    } > "$tmp"
    metric() {
      case "$2" in
        "" | null) echo "no $1 backup found" >&2 ;;
        *) echo "openclaw_backup_last_success_timestamp_seconds{kind=\"$1\"} $2" >> "$tmp" ;;
      esac
    }
    pg() { ${kubectl} -n openclaw-system exec postgres-0 -c pgbackrest -- "$@"; }

    # The newest good base backup (full or differential) in the repository: pgBackRest reads the bucket.
    metric postgres-base "$(pg pgbackrest info --output=json \
      | ${jq} '[.[0].backup[]? | select(.error != true) | .timestamp.stop] | max')"
    metric postgres-wal "$(pg psql -h /var/run/postgresql -U ${cfg.databaseUser} -d ${cfg.databaseUser} -Atc "${walSql}")"
    # The newest snapshot K3s uploaded to S3 (its ETCDSnapshotFile objects; local ones have no s3).
    metric etcd "$(${kubectl} get etcdsnapshotfiles -o json \
      | ${jq} '[.items[] | select(.spec.s3 != null and .status.readyToUse == true)
                | .status.creationTime | fromdateiso8601] | max')"

    chmod 0644 "$tmp"
    mv "$tmp" "$dir/openclaw-backups.prom"
  '';
in
{
  options.openclaw.backups = {
    etcd = {
      enable = lib.mkOption {
        type = lib.types.bool;
        default = true;
        description = "Upload K3s' etcd snapshots to the backup bucket.";
      };
      # The bucket of nixos/cluster.nix; a host may send its snapshots elsewhere.
      endpoint = lib.mkOption {
        type = lib.types.str;
        default = cluster.backups.s3.endpoint;
      };
      region = lib.mkOption {
        type = lib.types.str;
        default = cluster.backups.s3.region;
      };
      bucket = lib.mkOption {
        type = lib.types.str;
        default = cluster.backups.s3.bucket;
      };
      folder = lib.mkOption {
        type = lib.types.str;
        default = "etcd";
      };
    };
    # node-exporter's textfile collector reads *.prom here (nixos/platform/monitoring.nix).
    textfileDirectory = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/node-exporter/textfile";
    };
    databaseUser = lib.mkOption {
      type = lib.types.str;
      default = "openclaw";
    };
  };

  config = lib.mkMerge [
    (lib.mkIf cfg.etcd.enable {
      # K3s takes the S3 key from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (its --etcd-s3-access-key
      # and --etcd-s3-secret-key), so the key is in an environment file, never on a command line.
      sops.templates."k3s-etcd-s3.env" = {
        content = ''
          AWS_ACCESS_KEY_ID=${config.sops.placeholder.backup-s3-access-key}
          AWS_SECRET_ACCESS_KEY=${config.sops.placeholder.backup-s3-secret-key}
        '';
        restartUnits = [ "k3s.service" ];
      };
      services.k3s.environmentFile = config.sops.templates."k3s-etcd-s3.env".path;
      services.k3s.extraFlags = [
        "--etcd-s3"
        "--etcd-s3-endpoint=${cfg.etcd.endpoint}"
        "--etcd-s3-region=${cfg.etcd.region}"
        "--etcd-s3-bucket=${cfg.etcd.bucket}"
        "--etcd-s3-folder=${cfg.etcd.folder}"
      ];
    })
    {
      systemd.services.openclaw-backup-metrics = {
        description = "openclaw-cloud: how fresh the backups are, for node-exporter's textfile collector";
        after = [ "k3s.service" ];
        serviceConfig = {
          Type = "oneshot";
          ExecStart = collect;
        };
      };
      systemd.timers.openclaw-backup-metrics = {
        wantedBy = [ "timers.target" ];
        timerConfig = {
          OnBootSec = "5min";
          OnUnitActiveSec = "5min";
        };
      };
    }
  ];
}
