#!/usr/bin/env bash
# A throwaway PostgreSQL cluster: initdb in a temp dir (as the unprivileged user nobody when
# run as root, else as the caller), trust auth, listening on 127.0.0.1 only, on a free port;
# stopped and removed afterwards. Needs Debian's postgresql (/usr/lib/postgresql/*/bin) or
# initdb on the PATH, and node (to pick the port). Extra arguments are server options, e.g.
# `-c fsync=off`.
#
# Sourced (.ci/run):
#   source scripts/pg-throwaway.sh && pg_throwaway_start -c fsync=off
#   exports PG_THROWAWAY_URL (postgres://emcee@127.0.0.1:<port>/postgres), PG_THROWAWAY_BIN
#   and PG_THROWAWAY_VERSION, and stops the cluster at exit (trap … EXIT).
# Run (npm run bench):
#   scripts/pg-throwaway.sh [server options…]
#   prints the URL as its only line on stdout, then keeps the cluster until its stdin closes
#   (or SIGTERM/SIGINT), then stops and removes it. The caller's death closes the pipe too.
# Exit status (return status when sourced) 3: no PostgreSQL binaries on this machine.

pg_throwaway_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then bin=$(dirname "$(command -v initdb)"); fi
  [ -n "$bin" ] && [ -x "$bin/initdb" ] && echo "$bin"
}

# Runs a command as the cluster's owner, from inside the cluster's dir (nobody may not be
# allowed into the caller's working directory).
pg_throwaway_as_owner() {
  if [ "$(id -u)" = 0 ]; then (cd "$PG_THROWAWAY_DIR" && runuser -u nobody -- "$@"); else (cd "$PG_THROWAWAY_DIR" && "$@"); fi
}

pg_throwaway_stop() {
  [ -n "${PG_THROWAWAY_DIR:-}" ] || return 0
  pg_throwaway_as_owner "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_THROWAWAY_DIR"
  PG_THROWAWAY_DIR=
}

pg_throwaway_start() {
  PG_THROWAWAY_BIN=$(pg_throwaway_bin) || { echo "no PostgreSQL binaries (install postgresql)" >&2; return 3; }
  PG_THROWAWAY_DIR=$(mktemp -d /tmp/emcee-pg.XXXXXX)
  trap pg_throwaway_stop EXIT
  if [ "$(id -u)" = 0 ]; then chown nobody "$PG_THROWAWAY_DIR"; fi
  chmod 700 "$PG_THROWAWAY_DIR"
  local port
  port=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
  pg_throwaway_as_owner "$PG_THROWAWAY_BIN/initdb" -D "$PG_THROWAWAY_DIR/data" -U emcee --auth=trust -E UTF8 --no-sync > "$PG_THROWAWAY_DIR/initdb.log" 2>&1 \
    || { cat "$PG_THROWAWAY_DIR/initdb.log" >&2; return 1; }
  pg_throwaway_as_owner "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_THROWAWAY_DIR $*" start > /dev/null \
    || { cat "$PG_THROWAWAY_DIR/server.log" >&2; return 1; }
  PG_THROWAWAY_VERSION=$("$PG_THROWAWAY_BIN/postgres" --version | awk '{print $3}')
  export PG_THROWAWAY_URL="postgres://emcee@127.0.0.1:$port/postgres" PG_THROWAWAY_BIN PG_THROWAWAY_VERSION
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  trap 'exit 143' TERM
  trap 'exit 130' INT
  pg_throwaway_start "$@" || exit $?
  echo "PostgreSQL $PG_THROWAWAY_VERSION at $PG_THROWAWAY_URL (until stdin closes)" >&2
  echo "$PG_THROWAWAY_URL"
  # Until stdin closes. In the background (so that a trapped signal ends the wait at once),
  # reading the script's own stdin, not the /dev/null a background job gets by default.
  exec 3<&0
  cat <&3 >/dev/null &
  wait $! || true
fi
