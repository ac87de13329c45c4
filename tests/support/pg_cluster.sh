#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, from Debian's `postgresql` package.
#
#   eval "$(tests/support/pg_cluster.sh start DIR)"   # prints: export PAPERFEED_TEST_POSTGRES_URL=...
#   tests/support/pg_cluster.sh stop DIR
#
# The cluster lives in DIR (keep the path short: the Unix socket is created there), listens on a
# Unix socket in DIR only (no TCP), trusts local connections, and runs as a non-root user: PostgreSQL
# refuses to run as root, so under root (CI) it runs as `nobody` through runuser.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bindir=$candidate
done
if [ -z "$bindir" ]; then
  bindir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  [ -x "$bindir/initdb" ] || { echo "pg_cluster: initdb not found (apt-get install postgresql)" >&2; exit 1; }
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$dir" && runuser -u nobody -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
      chown nobody "$dir"
      chmod 0755 "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U paperfeed -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bindir/createdb" -h "$dir" -U paperfeed paperfeed_test 2>/dev/null || true
    echo "export PAPERFEED_TEST_POSTGRES_URL='postgresql://paperfeed@/paperfeed_test?host=$dir'"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
