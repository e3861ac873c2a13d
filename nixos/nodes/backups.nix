# Backups on the control plane (docs/operations.md, "Backups and restore"):
#  - K3s' etcd snapshots (every 6 hours, control-plane.nix) are uploaded to the backup bucket as
#    well, folder etcd/ (K3s' own --etcd-s3; its retention applies there too);
#  - how fresh every kind of backup is (./backup-metrics.sh, every 5 minutes):
#    openclaw_backup_last_success_timestamp_seconds{kind} in node-exporter's textfile directory.
{
  config,
  lib,
  pkgs,
  cluster,
  ...
}:
let
  cfg = config.openclaw.backups;
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
    # PostgreSQL's user and database (nixos/platform/default.nix, `database`).
    database = lib.mkOption {
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
        path = [
          pkgs.kubectl
          pkgs.jq
          pkgs.coreutils
        ];
        environment = {
          KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";
          TEXTFILE_DIR = cfg.textfileDirectory;
          DATABASE = cfg.database;
        };
        serviceConfig = {
          Type = "oneshot";
          ExecStart = "${pkgs.bash}/bin/bash ${./backup-metrics.sh}";
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
