#!/usr/bin/env bash
# The PostgreSQL image's entrypoint (images/postgres.nix): the upstream postgres image's contract,
# so a volume it initialised starts as it is. On an empty PGDATA: initdb with POSTGRES_USER (the
# superuser) and POSTGRES_PASSWORD, the local socket trusted, TCP with scram-sha-256 from anywhere
# (the NetworkPolicy decides who reaches it), and the database POSTGRES_DB owned by that user.
# Then postgres itself, with the arguments given (the StatefulSet's archiving settings).
# PostgresEntrypointIT (modules/launcher) runs it.
set -euo pipefail
: "${PGDATA:?PGDATA is not set}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}"
  user=${POSTGRES_USER:-postgres}
  mkdir -p "$PGDATA"
  chmod 0700 "$PGDATA"
  initdb -D "$PGDATA" -U "$user" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 \
    --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
    # Single-user mode: no server listens before the database exists; archiving off meanwhile.
    postgres --single -D "$PGDATA" -c archive_mode=off postgres \
      <<< "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$user\";"
  fi
fi
exec postgres -D "$PGDATA" "$@"
