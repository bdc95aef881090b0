#!/usr/bin/env bash
# Runs a throw-away PostgreSQL for gomagnum's tests.
#
#   scripts/postgres.sh start   install (Debian) if needed, init and start; idempotent
#   scripts/postgres.sh stop    stop it; its data is kept
#   scripts/postgres.sh status  print whether it answers; exit 0 only if it does
#
# State lives in $GOMAGNUM_STATE/postgres (GOMAGNUM_STATE defaults to the
# repository's .state, as for every script here). Start writes
# GOMAGNUM_POSTGRES_DSN to $GOMAGNUM_STATE/postgres/env.
set -euo pipefail

state=${GOMAGNUM_STATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.state}
dir=$state/postgres
port=${PG_PORT:-55432}
envfile=$dir/env

bin() {
	local d
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[ -d "$d" ] || return 1
	echo "$d"
}

as_postgres() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

install() {
	bin >/dev/null && return
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

ready() { "$(bin)/pg_isready" -q -h 127.0.0.1 -p "$port"; }

start() {
	install
	local b
	b=$(bin)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_postgres "$b/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
	fi
	if ! ready; then
		as_postgres "$b/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
			-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
	fi
	as_postgres "$b/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'gomagnum'" | grep -q 1 ||
		as_postgres "$b/createdb" -h 127.0.0.1 -p "$port" -U postgres gomagnum
	echo "export GOMAGNUM_POSTGRES_DSN=postgres://postgres@127.0.0.1:$port/gomagnum?sslmode=disable" >"$envfile"
	cat "$envfile"
}

stop() {
	local b
	b=$(bin) || return 0
	if [ -f "$dir/data/PG_VERSION" ]; then
		as_postgres "$b/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
	fi
	rm -f "$envfile"
	echo "stopped"
}

status() {
	local b
	if b=$(bin) && [ -f "$dir/data/PG_VERSION" ] && as_postgres "$b/pg_ctl" -D "$dir/data" status >/dev/null && ready; then
		echo "ready on 127.0.0.1:$port (state $dir)"
	else
		echo "not running"
		return 1
	fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
	echo "usage: $0 start|stop|status" >&2
	exit 2
	;;
esac
