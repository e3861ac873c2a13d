#!/usr/bin/env bash
# How fresh the backups are, for node-exporter's textfile collector (nixos/nodes/backups.nix runs
# it every 5 minutes on the control plane; docs/operations.md, "Is it working?"). Read where the
# backups are, not from a job's exit code. A kind that cannot be read is left out (absent), never
# reported as fresh. Needs kubectl (cluster-admin) and jq on PATH.
#   TEXTFILE_DIR  node-exporter's textfile directory
#   DATABASE      PostgreSQL's user and database (openclaw)
set -uo pipefail
: "${TEXTFILE_DIR:?}" "${DATABASE:?}"
namespace=openclaw-system

mkdir -p "$TEXTFILE_DIR"
tmp=$(mktemp "$TEXTFILE_DIR/.openclaw-backups.XXXXXX")
{
  echo '# HELP openclaw_backup_last_success_timestamp_seconds When the newest backup of this kind that left the node was taken.'
  echo '# TYPE openclaw_backup_last_success_timestamp_seconds gauge'
} > "$tmp"

# metric KIND VALUE: one sample, or a note on stderr when VALUE is no number.
metric() {
  if [[ "$2" =~ ^[0-9]+$ ]]; then
    echo "openclaw_backup_last_success_timestamp_seconds{kind=\"$1\"} $2" >> "$tmp"
  else
    echo "no $1 backup found${2:+: $2}" >&2
  fi
}
in_postgres() { kubectl -n "$namespace" exec postgres-0 -c pgbackrest -- "$@"; }

# The newest good base backup (full or differential) in the repository: pgBackRest reads the bucket.
metric postgres-base "$(in_postgres pgbackrest info --output=json \
  | jq '[.[0].backup[]? | select(.error != true) | .timestamp.stop] | max')"

# Every finished WAL segment archived: WAL is off the node up to now; else up to the last one
# archived. (An idle database switches no segment, so last_archived_time alone would age.)
metric postgres-wal "$(in_postgres psql -h /var/run/postgresql -U "$DATABASE" -d "$DATABASE" -Atc "
  SELECT extract(epoch FROM CASE
    WHEN a.last_archived_wal >= pg_walfile_name(pg_current_wal_lsn()
      - pg_size_bytes(current_setting('wal_segment_size'))::numeric)
    THEN now() ELSE a.last_archived_time END)::bigint
  FROM pg_stat_archiver a")"

# The newest snapshot K3s uploaded to S3 (its ETCDSnapshotFile objects; local ones have no s3).
metric etcd "$(kubectl get etcdsnapshotfiles -o json \
  | jq '[.items[] | select(.spec.s3 != null and .status.readyToUse == true)
         | .status.creationTime | fromdateiso8601] | max')"

chmod 0644 "$tmp"
mv "$tmp" "$TEXTFILE_DIR/openclaw-backups.prom"
