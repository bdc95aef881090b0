#!/usr/bin/env bash
# barbican.sh: install and run a real OpenStack Barbican (Debian bookworm's
# python3-barbican, 15.0.1) for the tests of certs/barbican. It serves the v1
# API without authentication on loopback, on SQLite: no Keystone, no broker,
# none of the Debian packages' daemons; one python3 process.
#
# Usage: scripts/barbican.sh COMMAND
#   start    install the Debian packages if missing (apt-get, as root; runs
#            apt-get update when the install fails), configure, start, wait
#            until the API answers, write the env file. Idempotent: a Barbican
#            that already answers on the port is left alone.
#   stop     stop the server started by this script (its recorded pid);
#            the state is kept.
#   restart  stop, then start (database and key-encryption key kept).
#   status   print whether the API answers; exit 0 only if it does.
#   env      print the env file (shell assignments), e.g.
#            eval "$(scripts/barbican.sh env)"
#   reset    stop and delete the state.
#
# State: $GOMAGNUM_STATE/barbican (GOMAGNUM_STATE defaults to the
# repository's .state, as for every script here).
#
# Env file: $GOMAGNUM_STATE/barbican/env, written by start and removed by
# stop:
#   GOMAGNUM_BARBICAN_URL=http://127.0.0.1:9311
# which internal/testenv reads (tests skip without it, and fail in CI when
# GOMAGNUM_REQUIRE_REAL=1).
#
# Settings (environment variables):
#   GOMAGNUM_STATE           the state root of all scripts (default: the
#                            repository's .state)
#   GOMAGNUM_BARBICAN_PORT   port on 127.0.0.1 (default 9311)
#
# Typical CI use:
#   scripts/barbican.sh start && . .state/barbican/env && go test ./certs/...
#   scripts/barbican.sh stop
#
# Using it: every request needs an X-Project-Id header (any string); without
# X-Roles the caller is admin. Secrets are encrypted by Barbican's software
# crypto plugin under a random key-encryption key made at the first start.
# Measured here: fresh debootstrap'd bookworm minbase -> ready in ~5 min
# (222 packages); already installed -> ready in ~3 s.
set -euo pipefail

STATE=${GOMAGNUM_STATE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.state}/barbican
PORT=${GOMAGNUM_BARBICAN_PORT:-9311}
URL="http://127.0.0.1:${PORT}"
PYTHON=/usr/bin/python3 # Debian's python, which sees the python3-* packages
PIDFILE="$STATE/barbican.pid"
ENVFILE="$STATE/env"
LOG="$STATE/log/barbican-api.log"

log() { printf 'barbican.sh: %s\n' "$*" >&2; }

answers() {
	curl -fsS -o /dev/null -m 3 -H 'X-Project-Id: gomagnum' "$URL/v1/secrets?limit=1" 2>/dev/null
}

running_pid() {
	[[ -f $PIDFILE ]] || return 1
	local pid
	pid=$(<"$PIDFILE")
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install_packages() {
	if [[ -x $PYTHON ]] && "$PYTHON" -c 'import barbican.api.app, paste.deploy' 2>/dev/null &&
		command -v curl >/dev/null; then
		return 0
	fi
	log "installing python3-barbican (Debian) ..."
	export DEBIAN_FRONTEND=noninteractive
	# python3-barbican is the service itself; barbican-api/barbican-common
	# would add init scripts, a system user and dbconfig that we do not use.
	if ! apt-get install -y --no-install-recommends python3-barbican curl ca-certificates; then
		apt-get update
		apt-get install -y --no-install-recommends python3-barbican curl ca-certificates
	fi
}

write_config() {
	mkdir -p "$STATE/home/.barbican" "$STATE/log"
	chmod 0700 "$STATE"
	local kekfile="$STATE/kek"
	if [[ ! -s $kekfile ]]; then
		(umask 077 && head -c 32 /dev/urandom | base64 >"$kekfile")
	fi
	# oslo.config looks for ~/.barbican/barbican.conf first: HOME points here.
	cat >"$STATE/home/.barbican/barbican.conf" <<EOF
[DEFAULT]
host_href = $URL
sql_connection = sqlite:///$STATE/barbican.sqlite
db_auto_create = True
log_file = $LOG
debug = False
[secretstore]
enabled_secretstore_plugins = store_crypto
[crypto]
enabled_crypto_plugins = simple_crypto
[simple_crypto_plugin]
kek = $(<"$kekfile")
[queue]
enable = False
EOF
	# Versions at /, the v1 API without authentication: project and roles come
	# from the X-Project-Id / X-Roles headers.
	cat >"$STATE/api-paste.ini" <<'EOF'
[composite:main]
use = egg:Paste#urlmap
/: versions
/v1: v1

[pipeline:versions]
pipeline = microversion versionapp

[pipeline:v1]
pipeline = unauthenticated-context microversion apiapp

[app:apiapp]
paste.app_factory = barbican.api.app:create_main_app

[app:versionapp]
paste.app_factory = barbican.api.app:create_version_app

[filter:unauthenticated-context]
paste.filter_factory = barbican.api.middleware.context:UnauthenticatedContextMiddleware.factory

[filter:microversion]
paste.filter_factory = barbican.api.middleware.microversion:MicroversionMiddleware.factory
EOF
}

start() {
	if answers; then
		log "already running at $URL"
		write_env
		return 0
	fi
	stop_quietly
	install_packages
	write_config
	log "starting Barbican at $URL (state $STATE)"
	# The standard library's WSGI server on loopback. It serves one request
	# at a time, which is what Barbican on sqlite needs: concurrent writes
	# fail there with "database is locked" (HTTP 500). The barbican modules
	# read their configuration from $HOME/.barbican/barbican.conf at import.
	HOME="$STATE/home" setsid nohup "$PYTHON" -c '
import sys
from wsgiref.simple_server import make_server
from paste import deploy
app = deploy.loadapp("config:" + sys.argv[1])
make_server("127.0.0.1", int(sys.argv[2]), app).serve_forever()
' "$STATE/api-paste.ini" "$PORT" >"$STATE/log/server.out" 2>&1 </dev/null &
	echo $! >"$PIDFILE"
	local i
	for i in $(seq 1 120); do
		if answers; then
			write_env
			log "ready after ${i} polls: $URL"
			return 0
		fi
		if ! running_pid >/dev/null; then
			log "Barbican exited"
			show_logs
			return 1
		fi
		sleep 0.5
	done
	log "Barbican did not answer within 60 s"
	show_logs
	return 1
}

show_logs() {
	tail -n 20 "$STATE/log/server.out" "$LOG" >&2 2>/dev/null || true
}

write_env() {
	printf 'GOMAGNUM_BARBICAN_URL=%s\nexport GOMAGNUM_BARBICAN_URL\n' "$URL" >"$ENVFILE"
}

stop_quietly() {
	local pid
	if pid=$(running_pid); then
		kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
		local i
		for i in $(seq 1 40); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.25
		done
		kill -9 -- "-$pid" 2>/dev/null || true
	fi
	rm -f "$PIDFILE"
}

case ${1:-} in
start) start ;;
stop)
	stop_quietly
	rm -f "$ENVFILE"
	log "stopped"
	;;
restart)
	stop_quietly
	start
	;;
status)
	if running_pid >/dev/null && answers; then
		echo "running at $URL"
	else
		echo "not running"
		exit 1
	fi
	;;
env)
	[[ -f $ENVFILE ]] || exit 1
	cat "$ENVFILE"
	;;
reset)
	stop_quietly
	rm -rf "$STATE"
	log "state deleted"
	;;
*)
	echo "usage: $0 start|stop|restart|status|env|reset" >&2
	exit 2
	;;
esac
