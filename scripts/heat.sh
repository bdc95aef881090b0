#!/usr/bin/env bash
# heat.sh: install and run a real OpenStack Heat (Debian bookworm, Heat 19) for gomagnum's tests.
#
# Two instances can run side by side, each with its own state directory and port:
#   noauth    heat-all on 127.0.0.1:8004, no Keystone; any token (or none) is accepted.
#   keystone  Keystone (uwsgi) on 127.0.0.1:5000 and heat-all on 127.0.0.1:8005 checking its tokens;
#             Keystone's catalog lists that Heat as service type "orchestration", region RegionOne.
# Each is a single heat-all process (API + engine over the in-process fake:// transport) on SQLite.
#
# Usage: scripts/heat.sh COMMAND [noauth|keystone|all]        (the target defaults to "all")
#   start    install the Debian packages if missing, configure, start, wait until ready, write the env
#            file. Idempotent: an instance that is already running and ready is left alone.
#   stop     stop the instance (SIGINT for heat-all, SIGTERM for Keystone, SIGKILL after 5 s);
#            its state is kept.
#   status   print the state of each instance; exit 0 only if every named instance is ready.
#   env      print the env file (shell assignments), e.g.  eval "$(scripts/heat.sh env)"
#   install  only install the Debian packages (needs root, apt-get).
#   reset    stop the instance and delete its state.
#
# State: $GOMAGNUM_STATE/heat (GOMAGNUM_STATE defaults to the repository's .state, as for every
# script here; GOMAGNUM_HEAT_STATE below moves it); each instance in <state>/heat/<mode>.
#
# Env file: $GOMAGNUM_STATE/heat/env, rewritten by start, stop and status with the variables of
# every instance that is up (the names internal/testenv reads):
#   GOMAGNUM_HEAT_URL=http://127.0.0.1:8004/v1/admin            (noauth)
#   GOMAGNUM_KEYSTONE_URL=http://127.0.0.1:5000/v3              (keystone)
#   GOMAGNUM_KEYSTONE_USER=admin GOMAGNUM_KEYSTONE_PASSWORD=secret GOMAGNUM_KEYSTONE_PROJECT=admin
# For the openstack CLI, source $GOMAGNUM_STATE/heat/<mode>/openrc instead.
#
# Settings (environment variables):
#   GOMAGNUM_STATE       the state root of all scripts (default: the repository's .state)
#   GOMAGNUM_HEAT_STATE  this Heat's state instead of $GOMAGNUM_STATE/heat, for a second one
#                        (scripts/minicloud.sh keeps its own in $GOMAGNUM_STATE/minicloud/heat)
#   HEAT_NOAUTH_PORT     port of the noauth Heat (default 8004)
#   HEAT_KEYSTONE_PORT   port of the keystone-mode Heat (default 8005)
#   KEYSTONE_PORT        port of Keystone (default 5000)
#   HEAT_READY_TIMEOUT   seconds to wait for readiness (default 120)
#
# Typical CI use:
#   scripts/heat.sh start all && . .state/heat/env && go test ./heat/...
#   scripts/heat.sh stop all
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${GOMAGNUM_HEAT_STATE:-${GOMAGNUM_STATE:-$(dirname "$HERE")/.state}/heat}
NOAUTH_PORT=${HEAT_NOAUTH_PORT:-8004}
KSHEAT_PORT=${HEAT_KEYSTONE_PORT:-8005}
KS_PORT=${KEYSTONE_PORT:-5000}
READY_TIMEOUT=${HEAT_READY_TIMEOUT:-120}
PY=/usr/bin/python3 # Debian's python: Heat and Keystone live in its dist-packages

ADMIN_USER="admin"
ADMIN_PASSWORD="secret"
ADMIN_PROJECT="admin"
SERVICE_PASSWORD=heatpass
REGION=RegionOne

NOAUTH_PKGS=(heat-common curl jq ca-certificates)
KEYSTONE_PKGS=(python3-keystone uwsgi-core uwsgi-plugin-python3)

log() { printf 'heat.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- packages

missing_packages() {
	local p
	for p in "$@"; do
		[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || echo "$p"
	done
}

install_packages() {
	local want=("${NOAUTH_PKGS[@]}")
	[[ $1 == noauth ]] || want+=("${KEYSTONE_PKGS[@]}")
	local missing
	missing=$(missing_packages "${want[@]}" | tr '\n' ' ')
	[[ -z ${missing// /} ]] && return 0
	[[ $(id -u) == 0 ]] || die "packages missing ($missing) and not root: install them or run as root"
	log "installing: $missing"
	# Keep the packages' daemons from starting on their default ports during the install.
	local own_policy=""
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		own_policy=1
	fi
	local rc=0
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		rc=$?
	[[ -z $own_policy ]] || rm -f /usr/sbin/policy-rc.d
	((rc == 0)) || die "apt-get failed ($rc)"
}

# ---------------------------------------------------------------- processes

# alive PIDFILE: the process group recorded in PIDFILE is running.
alive() { [[ -s $1 ]] && kill -0 -- "-$(cat "$1")" 2>/dev/null; }

# spawn PIDFILE OUTFILE CMD...: run CMD in a new session; its pid is the group to signal on stop.
spawn() {
	local pidfile=$1 out=$2
	shift 2
	setsid "$@" </dev/null >>"$out" 2>&1 9>&- & # 9>&-: the daemon must not hold heat.sh's lock
	echo $! >"$pidfile"
}

# terminate PIDFILE NAME SIGNAL: signal the group, SIGKILL it if it is still there after 5 s.
terminate() {
	local pidfile=$1 name=$2 sig=$3
	if ! alive "$pidfile"; then
		rm -f "$pidfile"
		return 0
	fi
	local pgid
	pgid=$(cat "$pidfile")
	kill "-$sig" -- "-$pgid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 -- "-$pgid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 -- "-$pgid" 2>/dev/null; then
		log "$name did not exit on SIG$sig; sending SIGKILL"
		kill -KILL -- "-$pgid" 2>/dev/null || true
		sleep 0.2
	fi
	rm -f "$pidfile"
	log "$name stopped"
}

# http_code URL [CURL ARGS...]: the status code of a GET, 000 when nothing answers.
http_code() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" 2>/dev/null || true
}

port_answers() { [[ $(http_code "http://127.0.0.1:$1/") != 000 ]]; }

# wait_for NAME PIDFILE LOGFILE CHECK...: poll CHECK until it succeeds, the process dies or time is up.
wait_for() {
	local name=$1 pidfile=$2 logfile=$3
	shift 3
	local deadline=$((SECONDS + READY_TIMEOUT))
	until "$@"; do
		if ! alive "$pidfile"; then
			tail -n 30 "$logfile" >&2 || true
			die "$name exited during start-up (log: $logfile)"
		fi
		((SECONDS < deadline)) || die "$name not ready after ${READY_TIMEOUT}s (log: $logfile)"
		sleep 0.3
	done
}

# ---------------------------------------------------------------- heat

# heat_conf DIR PORT MODE [DOMAIN_ID]: write DIR/heat.conf.
heat_conf() {
	local dir=$1 port=$2 mode=$3 domain_id=${4:-}
	mkdir -p "$dir/log" "$dir/lock"
	{
		cat <<EOF
[DEFAULT]
transport_url = fake://
num_engine_workers = 1
max_stacks_per_tenant = 100000
max_events_per_stack = 0
host = heat-$mode
log_dir = $dir/log
EOF
		if [[ $mode == noauth ]]; then
			echo "deferred_auth_method = password"
		else
			cat <<EOF
region_name_for_services = $REGION
# Servers' boot data names these; no CFN API runs, the URLs only end up in the user data.
heat_metadata_server_url = http://127.0.0.1:8000
heat_waitcondition_server_url = http://127.0.0.1:8000/v1/waitcondition
stack_user_domain_id = $domain_id
stack_domain_admin = heat_domain_admin
stack_domain_admin_password = $SERVICE_PASSWORD
EOF
		fi
		cat <<EOF

[heat_all]
enabled_services = api,engine

[heat_api]
bind_host = 127.0.0.1
bind_port = $port
workers = 1

[database]
connection = sqlite:///$dir/heat.sqlite
# No fsync per commit: a test Heat's state may be lost with the machine, never with the process.
sqlite_synchronous = false

[oslo_concurrency]
lock_path = $dir/lock

[oslo_policy]
policy_dirs = /etc/heat/policy.d
policy_file = $dir/policy.yaml

[paste_deploy]
api_paste_config = /etc/heat/api-paste.ini
EOF
		if [[ $mode == noauth ]]; then
			printf 'flavor = noauth\n'
		else
			local ks="http://127.0.0.1:$KS_PORT"
			cat <<EOF

[keystone_authtoken]
www_authenticate_uri = $ks
auth_url = $ks
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = heat
password = $SERVICE_PASSWORD
region_name = $REGION

[trustee]
auth_type = password
auth_url = $ks
username = heat
password = $SERVICE_PASSWORD
user_domain_id = default

[clients_keystone]
auth_uri = $ks

[ec2authtoken]
auth_uri = $ks/v3
EOF
		fi
	} >"$dir/heat.conf"
	# Heat lists the stacks of every project (global_tenant) to nobody by default;
	# Magnum's status sync needs it for admins, as Magnum's deployment guides set.
	printf '"stacks:global_index": "rule:context_is_admin"\n' >"$dir/policy.yaml"
}

# heat_start DIR PORT MODE PROJECT [TOKEN_FUNC]: migrate the DB and start heat-all, wait until ready.
heat_start() {
	local dir=$1 port=$2 mode=$3 project=$4 token_func=${5:-}
	if alive "$dir/heat.pid"; then
		log "heat ($mode) already running on port $port"
	else
		port_answers "$port" && die "port $port already answers (another Heat?); refusing to share it"
		heat-manage --config-file "$dir/heat.conf" db_sync >>"$dir/log/db_sync.log" 2>&1 ||
			die "heat-manage db_sync failed (log: $dir/log/db_sync.log)"
		# SQLite re-uses freed row ids and Heat relies on ids never being re-used.
		"$PY" "$HERE/heat-sqlite-autoincrement.py" "$dir/heat.sqlite"
		spawn "$dir/heat.pid" "$dir/log/heat-all.out" heat-all --config-file "$dir/heat.conf"
	fi
	local hdr=()
	[[ -z $token_func ]] || hdr=(-H "X-Auth-Token: $($token_func)")
	wait_for "heat ($mode)" "$dir/heat.pid" "$dir/log/heat-all.out" heat_ready "$port" "$project" "${hdr[@]}"
}

# heat_ready PORT PROJECT [CURL ARGS...]: the API answers its version probe with 300, and listing
# stacks answers 200, which proves the engine answers RPC.
heat_ready() {
	local port=$1 project=$2
	shift 2
	[[ $(http_code "http://127.0.0.1:$port/") == 300 ]] &&
		[[ $(http_code "http://127.0.0.1:$port/v1/$project/stacks" "$@") == 200 ]]
}

# ---------------------------------------------------------------- noauth mode

noauth_start() {
	local dir=$ROOT/noauth/heat
	heat_conf "$dir" "$NOAUTH_PORT" noauth
	heat_start "$dir" "$NOAUTH_PORT" noauth "$ADMIN_PROJECT"
	local url="http://127.0.0.1:$NOAUTH_PORT/v1/$ADMIN_PROJECT"
	printf 'GOMAGNUM_HEAT_URL=%s\nexport GOMAGNUM_HEAT_URL\n' "$url" >"$ROOT/noauth/test.env"
	printf 'export OS_AUTH_TYPE=none OS_ENDPOINT=%s HEAT_URL=%s\n' "$url" "$url" >"$ROOT/noauth/openrc"
	log "heat (noauth) ready: $url"
}

# heat-all, once it has served requests, often lingers for minutes after a signal (SIGINT did
# better than SIGTERM here); SIGKILL is safe, as all its state is in SQLite.
noauth_stop() { terminate "$ROOT/noauth/heat/heat.pid" "heat (noauth)" INT; }

# ---------------------------------------------------------------- keystone mode

KS_URL="http://127.0.0.1:$KS_PORT/v3"

keystone_conf() {
	local dir=$1
	mkdir -p "$dir/log" "$dir/fernet-keys" "$dir/credential-keys"
	cat >"$dir/keystone.conf" <<EOF
[DEFAULT]
log_dir = $dir/log
log_file = keystone.log

[database]
connection = sqlite:///$dir/keystone.sqlite
sqlite_synchronous = false

[identity]
# bcrypt's minimum cost: every Heat trust starts with a password login, and the default
# cost (12) spends a quarter of a second of CPU on each. These are throw-away test users.
password_hash_rounds = 4

[token]
provider = fernet
expiration = 86400

[fernet_tokens]
key_repository = $dir/fernet-keys

[fernet_receipts]
key_repository = $dir/fernet-keys

[credential]
key_repository = $dir/credential-keys
EOF
	# Connection: close, as uwsgi's http-socket resets reused keep-alive connections.
	cat >"$dir/uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$KS_PORT
add-header = Connection: close
wsgi-file = /usr/bin/keystone-wsgi-public
env = OS_KEYSTONE_CONFIG_FILES=$dir/keystone.conf
master = true
processes = 1
threads = 4
lazy-apps = true
die-on-term = true
enable-threads = true
buffer-size = 65535
logto = $dir/log/uwsgi.log
EOF
}

keystone_bootstrap() {
	local dir=$1
	[[ -e $dir/bootstrapped ]] && return 0
	local km=(keystone-manage --config-file "$dir/keystone.conf")
	local out=$dir/log/keystone-manage.log
	# keystone-manage prints harmless eventlet tracebacks at exit; its exit code is what counts.
	"${km[@]}" db_sync >>"$out" 2>&1 || die "keystone db_sync failed (log: $out)"
	# Without WAL, sqlite answers "database is locked" to concurrent Keystone writes.
	"$PY" -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' \
		"$dir/keystone.sqlite"
	"${km[@]}" fernet_setup --keystone-user root --keystone-group root >>"$out" 2>&1 ||
		die "keystone fernet_setup failed (log: $out)"
	"${km[@]}" credential_setup --keystone-user root --keystone-group root >>"$out" 2>&1 ||
		die "keystone credential_setup failed (log: $out)"
	"${km[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-username "$ADMIN_USER" \
		--bootstrap-project-name "$ADMIN_PROJECT" --bootstrap-role-name admin \
		--bootstrap-service-name keystone --bootstrap-region-id "$REGION" \
		--bootstrap-admin-url "$KS_URL" --bootstrap-public-url "$KS_URL" \
		--bootstrap-internal-url "$KS_URL" >>"$out" 2>&1 || die "keystone bootstrap failed (log: $out)"
	touch "$dir/bootstrapped"
}

admin_token() {
	local body
	body=$(jq -cn --arg u "$ADMIN_USER" --arg p "$ADMIN_PASSWORD" --arg pr "$ADMIN_PROJECT" \
		'{auth:{identity:{methods:["password"],password:{user:{name:$u,domain:{id:"default"},password:$p}}},
		  scope:{project:{name:$pr,domain:{id:"default"}}}}}')
	{ curl -sf -D - -o /dev/null -H 'Content-Type: application/json' -d "$body" "$KS_URL/auth/tokens" || true; } |
		awk 'tolower($1)=="x-subject-token:" {sub(/\r$/,"",$2); print $2}'
}

# ks METHOD PATH [JSON]: one Keystone admin REST call, printing the response body.
ks() {
	local args=(-sf -X "$1" -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json')
	[[ $# -lt 3 ]] || args+=(-d "$3")
	curl "${args[@]}" "$KS_URL$2" || die "keystone $1 $2 failed"
}

# ks_ensure COLLECTION QUERY BODY: the id of the first object QUERY finds, created from BODY if none.
ks_ensure() {
	local coll=$1 query=$2 body=$3 id
	id=$(ks GET "/$coll?$query" | jq -r ".${coll##*/}[0].id // empty")
	[[ -n $id ]] || id=$(ks POST "/$coll" "$body" | jq -r '.[] | .id')
	echo "$id"
}

# keystone_objects HEAT_URL: the service project, heat users, domain, roles and catalog entries.
keystone_objects() {
	local heat_url=$1
	TOKEN=$(admin_token)
	[[ -n $TOKEN ]] || die "no admin token from Keystone"
	local service_project heat_user admin_role domain domain_admin service
	service_project=$(ks_ensure projects 'name=service&domain_id=default' \
		'{"project":{"name":"service","domain_id":"default"}}')
	heat_user=$(ks_ensure users 'name=heat&domain_id=default' \
		"{\"user\":{\"name\":\"heat\",\"domain_id\":\"default\",\"password\":\"$SERVICE_PASSWORD\"}}")
	admin_role=$(ks_ensure roles 'name=admin' '{"role":{"name":"admin"}}')
	ks_ensure roles 'name=heat_stack_owner' '{"role":{"name":"heat_stack_owner"}}' >/dev/null
	ks_ensure roles 'name=heat_stack_user' '{"role":{"name":"heat_stack_user"}}' >/dev/null
	ks PUT "/projects/$service_project/users/$heat_user/roles/$admin_role" >/dev/null
	domain=$(ks_ensure domains 'name=heat' '{"domain":{"name":"heat","description":"Heat stack users"}}')
	domain_admin=$(ks_ensure users "name=heat_domain_admin&domain_id=$domain" \
		"{\"user\":{\"name\":\"heat_domain_admin\",\"domain_id\":\"$domain\",\"password\":\"$SERVICE_PASSWORD\"}}")
	ks PUT "/domains/$domain/users/$domain_admin/roles/$admin_role" >/dev/null
	service=$(ks_ensure services 'type=orchestration' \
		'{"service":{"name":"heat","type":"orchestration","description":"Orchestration"}}')
	local iface id url
	for iface in public internal admin; do
		url="$heat_url/v1/%(tenant_id)s"
		id=$(ks GET "/endpoints?service_id=$service&interface=$iface" | jq -r '.endpoints[0].id // empty')
		if [[ -z $id ]]; then
			ks POST /endpoints "$(jq -cn --arg s "$service" --arg i "$iface" --arg u "$url" --arg r "$REGION" \
				'{endpoint:{service_id:$s,interface:$i,url:$u,region_id:$r}}')" >/dev/null
		else # the port may have changed since the last start
			ks PATCH "/endpoints/$id" "$(jq -cn --arg u "$url" '{endpoint:{url:$u}}')" >/dev/null
		fi
	done
	HEAT_DOMAIN_ID=$domain
	ADMIN_PROJECT_ID=$(ks GET "/projects?name=$ADMIN_PROJECT&domain_id=default" | jq -r '.projects[0].id')
}

keystone_ready() { [[ $(http_code "$KS_URL") == 200 ]]; }

keystone_start() {
	local base=$ROOT/keystone dir=$ROOT/keystone/keystone
	keystone_conf "$dir"
	if alive "$dir/uwsgi.pid"; then
		log "keystone already running on port $KS_PORT"
	else
		port_answers "$KS_PORT" && die "port $KS_PORT already answers (another Keystone?); refusing to share it"
		keystone_bootstrap "$dir"
		spawn "$dir/uwsgi.pid" "$dir/log/uwsgi.out" uwsgi-core --ini "$dir/uwsgi.ini"
	fi
	wait_for keystone "$dir/uwsgi.pid" "$dir/log/uwsgi.log" keystone_ready
	keystone_objects "http://127.0.0.1:$KSHEAT_PORT"
	heat_conf "$base/heat" "$KSHEAT_PORT" keystone "$HEAT_DOMAIN_ID"
	heat_start "$base/heat" "$KSHEAT_PORT" keystone "$ADMIN_PROJECT_ID" admin_token
	cat >"$base/test.env" <<EOF
GOMAGNUM_KEYSTONE_URL=$KS_URL
GOMAGNUM_KEYSTONE_USER=$ADMIN_USER
GOMAGNUM_KEYSTONE_PASSWORD=$ADMIN_PASSWORD
GOMAGNUM_KEYSTONE_PROJECT=$ADMIN_PROJECT
export GOMAGNUM_KEYSTONE_URL GOMAGNUM_KEYSTONE_USER GOMAGNUM_KEYSTONE_PASSWORD GOMAGNUM_KEYSTONE_PROJECT
EOF
	cat >"$base/openrc" <<EOF
export OS_AUTH_URL=$KS_URL OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=$REGION
export OS_USERNAME=$ADMIN_USER OS_PASSWORD=$ADMIN_PASSWORD OS_PROJECT_NAME=$ADMIN_PROJECT
export OS_USER_DOMAIN_ID=default OS_PROJECT_DOMAIN_ID=default
export HEAT_URL=http://127.0.0.1:$KSHEAT_PORT/v1/$ADMIN_PROJECT_ID
EOF
	log "keystone ready: $KS_URL; heat (keystone) ready: http://127.0.0.1:$KSHEAT_PORT/v1/$ADMIN_PROJECT_ID"
}

keystone_stop() {
	terminate "$ROOT/keystone/heat/heat.pid" "heat (keystone)" INT
	terminate "$ROOT/keystone/keystone/uwsgi.pid" keystone TERM
}

# ---------------------------------------------------------------- env file and commands

# write_env: $ROOT/env holds the variables of every instance whose processes are alive.
write_env() {
	mkdir -p "$ROOT"
	local tmp=$ROOT/env.tmp
	echo "# written by scripts/heat.sh; source it before go test" >"$tmp"
	if alive "$ROOT/noauth/heat/heat.pid" && [[ -e $ROOT/noauth/test.env ]]; then
		cat "$ROOT/noauth/test.env" >>"$tmp"
	fi
	if alive "$ROOT/keystone/heat/heat.pid" && alive "$ROOT/keystone/keystone/uwsgi.pid" &&
		[[ -e $ROOT/keystone/test.env ]]; then
		cat "$ROOT/keystone/test.env" >>"$tmp"
	fi
	mv "$tmp" "$ROOT/env"
}

status_of() {
	local mode=$1
	case $mode in
	noauth)
		if alive "$ROOT/noauth/heat/heat.pid" &&
			[[ $(http_code "http://127.0.0.1:$NOAUTH_PORT/v1/$ADMIN_PROJECT/stacks") == 200 ]]; then
			echo "noauth: ready (heat http://127.0.0.1:$NOAUTH_PORT, state $ROOT/noauth)"
		else
			echo "noauth: down"
			return 1
		fi
		;;
	keystone)
		local t=""
		if alive "$ROOT/keystone/keystone/uwsgi.pid" && keystone_ready && t=$(admin_token) && [[ -n $t ]] &&
			alive "$ROOT/keystone/heat/heat.pid" &&
			[[ $(http_code "http://127.0.0.1:$KSHEAT_PORT/" ) == 300 ]]; then
			echo "keystone: ready (keystone $KS_URL, heat http://127.0.0.1:$KSHEAT_PORT, state $ROOT/keystone)"
		else
			echo "keystone: down"
			return 1
		fi
		;;
	esac
}

targets() {
	case ${1:-all} in
	noauth | keystone) echo "$1" ;;
	all) echo noauth keystone ;;
	*) die "unknown target '$1' (noauth, keystone or all)" ;;
	esac
}

# lock: one heat.sh at a time per state root (CI and a developer may both call it).
lock() {
	mkdir -p "$ROOT"
	exec 9>"$ROOT/.lock"
	flock 9
}

main() {
	local cmd=${1:-} target=${2:-all} mode rc=0
	case $cmd in
	start | stop | status | install | reset) lock ;;
	esac
	case $cmd in
	start)
		mkdir -p "$ROOT"
		for mode in $(targets "$target"); do
			install_packages "$mode"
			mkdir -p "$ROOT/$mode"
			"${mode}_start"
		done
		write_env
		log "env file: $ROOT/env"
		;;
	stop)
		for mode in $(targets "$target"); do "${mode}_stop"; done
		write_env
		;;
	status)
		for mode in $(targets "$target"); do status_of "$mode" || rc=1; done
		write_env
		return $rc
		;;
	env)
		[[ -e $ROOT/env ]] || write_env
		cat "$ROOT/env"
		;;
	install)
		for mode in $(targets "$target"); do install_packages "$mode"; done
		;;
	reset)
		for mode in $(targets "$target"); do
			"${mode}_stop"
			rm -rf "${ROOT:?}/$mode"
		done
		write_env
		;;
	*)
		sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
		[[ $cmd == -h || $cmd == --help || $cmd == help ]] || return 2
		;;
	esac
}

main "$@"
