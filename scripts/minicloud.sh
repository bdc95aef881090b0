#!/usr/bin/env bash
# minicloud.sh: a small real OpenStack on 127.0.0.1 for gomagnum's real-cloud tests.
#
# Debian bookworm's OpenStack Zed, every service bound to loopback:
#   Keystone + Heat        scripts/heat.sh (keystone mode) on ports 5100 and 8104
#   MariaDB, RabbitMQ      the databases and the message bus of the services below
#   Placement :8778, Glance :9292 (file store), Nova :8774 (fake virt driver: servers
#   go ACTIVE, no guest boots), Neutron :9696 (ML2 with an agentless mechanism driver
#   that binds every port; routers and floating IPs exist only in its database),
#   Cinder :8776 (fake volume driver), Octavia :9876 (amphora provider, no-op amphora
#   driver; its amphorae are fake Nova servers).
# No interface, bridge, namespace or firewall rule is made: addresses exist only as rows.
#
# Usage: scripts/minicloud.sh start|stop|status|env|wipe|packages
#   start   install the Debian packages if missing, configure, start everything, create
#           the bootstrap objects (images with os_distro, flavors, the external network),
#           write the env file. Idempotent. 3 to 8 min from empty state.
#   stop    stop every process it started (state kept).
#   status  exit 0 only if every API answers.
#   env     print the env file.
#   wipe    stop, drop the databases and delete the state.
#   packages  print the Debian packages it needs, one a line (scripts/test.sh
#           installs them with its own).
#
# State: $GOMAGNUM_STATE/minicloud (default .state/minicloud). Env file: <state>/env with
#   GOMAGNUM_MINICLOUD_AUTH_URL, _USER, _PASSWORD, _PROJECT (an admin), _EXTERNAL_NETWORK,
#   _IMAGE_FCOS, _IMAGE_UBUNTU, _FLAVOR; <state>/openrc for the openstack CLI.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${GOMAGNUM_STATE:-$HERE/../.state}
M=$STATE/minicloud
KS_PORT=${MINICLOUD_KEYSTONE_PORT:-5100}
HEAT_PORT=${MINICLOUD_HEAT_PORT:-8104}
KS=http://127.0.0.1:$KS_PORT/v3
DB=mysql+pymysql://os:dbpass@127.0.0.1
RB=rabbit://openstack:rabbitpass@127.0.0.1:5672/
SVCPASS=svcpass
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_NODENAME=rabbit@localhost \
	RABBITMQ_DIST_PORT=25672 RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

PACKAGES=(rabbitmq-server mariadb-server python3-pymysql
	nova-common nova-api nova-conductor nova-scheduler placement-api glance-api glance-common
	neutron-server neutron-common cinder-api cinder-scheduler cinder-common
	octavia-api octavia-worker octavia-common python3-octaviaclient
	heat-common python3-keystone uwsgi-core uwsgi-plugin-python3 python3-openstackclient
	curl jq openssl)

# The long-running services: name, then the command (run from $M).
SERVICES=(glance-api neutron-server nova-api nova-conductor nova-scheduler nova-compute
	cinder-api cinder-scheduler cinder-volume octavia-api octavia-worker)

log() { printf 'minicloud.sh [%ss]: %s\n' "$SECONDS" "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		[[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || die "packages missing (${missing[*]}) and not root"
	log "installing ${#missing[@]} packages"
	local own=""
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then # keep the packaged daemons from starting
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own=1
	fi
	local rc=0
	DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$M/log/apt.log" 2>&1 ||
		rc=$?
	[[ -z $own ]] || rm -f /usr/sbin/policy-rc.d
	((rc == 0)) || die "apt-get failed ($rc, log $M/log/apt.log)"
}

# ---------------------------------------------------------------- processes

alive() { [[ -s $1 ]] && kill -0 -- "-$(cat "$1")" 2>/dev/null; }

# spawn NAME CMD...: run CMD in its own session, logging to log/NAME.out.
spawn() {
	local name=$1
	shift
	alive "$M/run/$name.pid" && return 0
	setsid "$@" </dev/null >>"$M/log/$name.out" 2>&1 9>&- & # 9>&-: not holding our lock
	echo $! >"$M/run/$name.pid"
}

# terminate NAME: SIGTERM the group, SIGKILL after 8 s (eventlet services are slow to exit).
terminate() {
	local pidfile=$M/run/$1.pid pg
	alive "$pidfile" || { rm -f "$pidfile"; return 0; }
	pg=$(cat "$pidfile")
	kill -TERM -- "-$pg" 2>/dev/null || true
	for _ in $(seq 80); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.1; done
	kill -KILL -- "-$pg" 2>/dev/null || true
	rm -f "$pidfile"
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true; }

# wait_http URL CODES SECONDS
wait_http() {
	local deadline=$((SECONDS + $3))
	until [[ $(http_code "$1") =~ ^($2)$ ]]; do
		((SECONDS < deadline)) || die "$1 not answering after $3 s (logs: $M/log)"
		sleep 0.5
	done
}

# ---------------------------------------------------------------- configuration

authtoken() { # authtoken SECTION USER
	cat <<EOF
[$1]
www_authenticate_uri = http://127.0.0.1:$KS_PORT
auth_url = http://127.0.0.1:$KS_PORT
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = $2
password = $SVCPASS
region_name = RegionOne
EOF
}

common() { # common DB: the options every oslo service shares
	cat <<EOF
[database]
connection = $DB/$1
[oslo_concurrency]
lock_path = $M/state/locks
EOF
}

write_placement() {
	{
		printf '[DEFAULT]\nlog_dir = %s/log\nlog_file = placement.log\n[api]\nauth_strategy = keystone\n' "$M"
		printf '[placement_database]\nconnection = %s/placement\n' "$DB"
		authtoken keystone_authtoken placement
	} >etc/placement/placement.conf
	cat >etc/placement/uwsgi.ini <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:8778
add-header = Connection: close
wsgi-file = /usr/bin/placement-api
env = OS_PLACEMENT_CONFIG_DIR=$M/etc/placement
master = true
processes = 1
threads = 4
lazy-apps = true
die-on-term = true
enable-threads = true
buffer-size = 65535
logto = $M/log/placement-uwsgi.log
EOF
}

write_glance() {
	{
		cat <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
log_dir = $M/log
log_file = glance-api.log
enabled_backends = file:file
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = $M/state/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $M/state/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $M/state/glance/tasks
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
EOF
		common glance
		authtoken keystone_authtoken glance
	} >etc/glance/glance-api.conf
}

write_nova() {
	{
		cat <<EOF
[DEFAULT]
transport_url = $RB
compute_driver = fake.FakeDriver
host = mc-compute
my_ip = 127.0.0.1
state_path = $M/state/nova
log_dir = $M/log
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[api_database]
connection = $DB/nova_api
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 5
[vnc]
enabled = false
[glance]
region_name = RegionOne
EOF
		common nova
		authtoken keystone_authtoken nova
		authtoken placement nova
		authtoken neutron nova
		authtoken cinder nova
		echo "os_region_name = RegionOne"
		# Cinder deletes an attachment only for a request carrying Nova's service token.
		authtoken service_user nova
		echo "send_service_user_token = true"
	} >etc/nova/nova.conf
}

write_neutron() {
	{
		cat <<EOF
[DEFAULT]
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
bind_host = 127.0.0.1
bind_port = 9696
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 0
transport_url = $RB
state_path = $M/state/neutron
log_dir = $M/log
log_file = neutron-server.log
api_paste_config = /etc/neutron/api-paste.ini
# Nova learns of floating IPs through these events (its servers' addresses show them).
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
EOF
		common neutron
		authtoken keystone_authtoken neutron
		authtoken nova neutron
	} >etc/neutron/neutron.conf
	cat >etc/neutron/ml2_conf.ini <<EOF
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = bindall
extension_drivers = port_security
[ml2_type_flat]
flat_networks = public
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
firewall_driver = noop
EOF
	# An ML2 mechanism driver that binds every port to its first segment: no agent, no
	# dataplane. Registered for stevedore by a hand-made dist-info on PYTHONPATH.
	mkdir -p plugins/gomagnum_bindall-1.0.dist-info
	cat >plugins/gomagnum_bindall.py <<'EOF'
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class BindAll(api.MechanismDriver):
    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            vif = {portbindings.CAP_PORT_FILTER: True, portbindings.OVS_HYBRID_PLUG: False}
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS, vif, status='ACTIVE')
            return
EOF
	printf 'Metadata-Version: 2.1\nName: gomagnum-bindall\nVersion: 1.0\n' >plugins/gomagnum_bindall-1.0.dist-info/METADATA
	printf '[neutron.ml2.mechanism_drivers]\nbindall = gomagnum_bindall:BindAll\n' \
		>plugins/gomagnum_bindall-1.0.dist-info/entry_points.txt
}

write_cinder() {
	{
		cat <<EOF
[DEFAULT]
transport_url = $RB
auth_strategy = keystone
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
state_path = $M/state/cinder
log_dir = $M/log
my_ip = 127.0.0.1
host = mc-cinder
enabled_backends = fake
api_paste_config = /etc/cinder/api-paste.ini
[fake]
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
EOF
		common cinder
		authtoken keystone_authtoken cinder
		echo "service_token_roles_required = true"
		authtoken nova cinder
	} >etc/cinder/cinder.conf
}

# write_octavia FLAVOR_ID MGMT_NET_ID
write_octavia() {
	local c=$M/state/octavia-certs
	[[ -s $c/ca_01.pem ]] || openssl req -x509 -newkey rsa:2048 -nodes -keyout "$c/ca.key" -out "$c/ca_01.pem" \
		-days 3650 -subj '/CN=gomagnum-minicloud-octavia' 2>/dev/null
	{
		cat <<EOF
[DEFAULT]
transport_url = $RB
log_dir = $M/log
host = mc-octavia
[api_settings]
bind_host = 127.0.0.1
bind_port = 9876
auth_strategy = keystone
[controller_worker]
client_ca = $c/ca_01.pem
amphora_driver = amphora_noop_driver
compute_driver = compute_nova_driver
network_driver = allowed_address_pairs_driver
image_driver = image_glance_driver
volume_driver = volume_noop_driver
loadbalancer_topology = SINGLE
amp_image_tag = amphora
amp_flavor_id = $1
amp_boot_network_list = $2
workers = 1
# A loaded 2-core machine can take minutes to make a fake server ACTIVE.
amp_active_retries = 120
amp_active_wait_sec = 3
[certificates]
ca_certificate = $c/ca_01.pem
ca_private_key = $c/ca.key
[task_flow]
jobboard_enabled = false
[oslo_messaging]
topic = octavia_prov
[health_manager]
bind_ip = 127.0.0.1
controller_ip_port_list = 127.0.0.1:5555
heartbeat_key = insecure
[nova]
region_name = RegionOne
endpoint_type = public
[glance]
region_name = RegionOne
endpoint_type = public
[neutron]
region_name = RegionOne
endpoint_type = public
EOF
		common octavia
		authtoken keystone_authtoken octavia
		authtoken service_auth octavia
	} >etc/octavia/octavia.conf
}

# ---------------------------------------------------------------- keystone

admin_token() {
	curl -sf -D - -o /dev/null -H 'Content-Type: application/json' \
		-d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"id":"default"},"password":"secret"}}},"scope":{"project":{"name":"admin","domain":{"id":"default"}}}}}' \
		"$KS/auth/tokens" | awk 'tolower($1)=="x-subject-token:" {sub(/\r$/,"",$2); print $2}'
}

ks() { curl -sf -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' "$@"; }

# ensure COLLECTION QUERY BODY: the id of the first match, created from BODY if none.
ensure() {
	local id
	id=$(ks "$KS/$1?$2" | jq -r ".$1[0].id // empty")
	[[ -n $id ]] || id=$(ks -X POST -d "$3" "$KS/$1" | jq -r '.[keys[0]].id')
	echo "$id"
}

# register: service users (admin and service roles on project service) and the catalog.
register() {
	TOKEN=$(admin_token)
	[[ -n $TOKEN ]] || die "no admin token from Keystone"
	local sp ar sr r name type port path user svc iface
	sp=$(ensure projects 'name=service&domain_id=default' '{"project":{"name":"service","domain_id":"default"}}')
	ar=$(ks "$KS/roles?name=admin" | jq -r '.roles[0].id')
	for r in member reader load-balancer_member; do ensure roles "name=$r" "{\"role\":{\"name\":\"$r\"}}" >/dev/null; done
	sr=$(ensure roles name=service '{"role":{"name":"service"}}')
	while read -r name type port path; do
		user=$(ensure users "name=$name&domain_id=default" \
			"{\"user\":{\"name\":\"$name\",\"domain_id\":\"default\",\"password\":\"$SVCPASS\"}}")
		ks -X PUT "$KS/projects/$sp/users/$user/roles/$ar" -o /dev/null
		ks -X PUT "$KS/projects/$sp/users/$user/roles/$sr" -o /dev/null
		svc=$(ensure services "type=$type" "{\"service\":{\"type\":\"$type\",\"name\":\"$name\"}}")
		for iface in public internal admin; do
			[[ -n $(ks "$KS/endpoints?service_id=$svc&interface=$iface" | jq -r '.endpoints[0].id // empty') ]] ||
				ks -X POST "$KS/endpoints" -o /dev/null -d "{\"endpoint\":{\"service_id\":\"$svc\",\"interface\":\"$iface\",\"region_id\":\"RegionOne\",\"url\":\"http://127.0.0.1:$port$path\"}}"
		done
	done <<'EOF'
placement placement 8778
glance image 9292
nova compute 8774 /v2.1
neutron network 9696
cinder volumev3 8776 /v3/%(project_id)s
octavia load-balancer 9876
EOF
}

# ---------------------------------------------------------------- start and stop

infra_start() {
	if ! mysqladmin ping >/dev/null 2>&1; then
		mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
		spawn mariadb /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 --skip-name-resolve
	fi
	rabbitmqctl -n rabbit@localhost status >/dev/null 2>&1 || rabbitmq-server -detached >>log/rabbitmq.out 2>&1 9>&-
	local deadline=$((SECONDS + 90))
	until mysqladmin ping >/dev/null 2>&1; do ((SECONDS < deadline)) || die "mariadb did not start"; sleep 0.5; done
	mysql -e "CREATE USER IF NOT EXISTS 'os'@'127.0.0.1' IDENTIFIED BY 'dbpass'; GRANT ALL ON *.* TO 'os'@'127.0.0.1';"
	local db
	for db in nova_api nova nova_cell0 placement glance neutron cinder octavia; do
		mysql -e "CREATE DATABASE IF NOT EXISTS $db"
	done
	until rabbitmqctl -n rabbit@localhost status >/dev/null 2>&1; do ((SECONDS < deadline)) || die "rabbitmq did not start"; sleep 0.5; done
	rabbitmqctl -n rabbit@localhost add_user openstack rabbitpass >/dev/null 2>&1 || true
	rabbitmqctl -n rabbit@localhost set_permissions openstack '.*' '.*' '.*' >/dev/null
}

db_sync() {
	[[ -e state/synced ]] && return 0
	local pids=() p n="nova-manage --config-file etc/nova/nova.conf"
	placement-manage --config-dir etc/placement db sync >log/sync-placement.log 2>&1 & pids+=($!)
	glance-manage --config-file etc/glance/glance-api.conf db_sync >log/sync-glance.log 2>&1 & pids+=($!)
	neutron-db-manage --config-file etc/neutron/neutron.conf --config-file etc/neutron/ml2_conf.ini \
		upgrade heads >log/sync-neutron.log 2>&1 & pids+=($!)
	cinder-manage --config-file etc/cinder/cinder.conf db sync >log/sync-cinder.log 2>&1 & pids+=($!)
	octavia-db-manage --config-file etc/octavia/octavia.conf upgrade head >log/sync-octavia.log 2>&1 & pids+=($!)
	# shellcheck disable=SC2086
	{ $n api_db sync && $n cell_v2 map_cell0 --database_connection "$DB/nova_cell0" &&
		{ $n cell_v2 list_cells | grep -q cell1 || $n cell_v2 create_cell --name=cell1; } && $n db sync; } \
		>log/sync-nova.log 2>&1 & pids+=($!)
	for p in "${pids[@]}"; do wait "$p" || die "a database sync failed (logs: $M/log/sync-*.log)"; done
	touch state/synced
}

services_start() {
	local py=/usr/bin/python3
	alive run/placement.pid || spawn placement uwsgi-core --ini etc/placement/uwsgi.ini
	spawn glance-api glance-api --config-file etc/glance/glance-api.conf
	PYTHONPATH=$M/plugins spawn neutron-server neutron-server --config-file etc/neutron/neutron.conf \
		--config-file etc/neutron/ml2_conf.ini
	local s
	for s in nova-api nova-conductor nova-scheduler; do spawn "$s" "$s" --config-file etc/nova/nova.conf; done
	# nova-compute and cinder-volume through their entry points: their packages pull a
	# hypervisor and iSCSI tooling the fake drivers do not need.
	spawn nova-compute "$py" -c 'import sys; from nova.cmd.compute import main; sys.exit(main())' \
		--config-file etc/nova/nova.conf --log-file "$M/log/nova-compute.log"
	spawn cinder-api cinder-api --config-file etc/cinder/cinder.conf
	spawn cinder-scheduler cinder-scheduler --config-file etc/cinder/cinder.conf
	spawn cinder-volume "$py" -c 'import sys; from cinder.cmd.volume import main; sys.exit(main())' \
		--config-file etc/cinder/cinder.conf --log-file "$M/log/cinder-volume.log"
	wait_http http://127.0.0.1:8778/ 200 120
	wait_http http://127.0.0.1:9292/ '300|200' 120
	wait_http http://127.0.0.1:9696/ 200 120
	wait_http http://127.0.0.1:8774/ 200 120
	wait_http http://127.0.0.1:8776/ '300|200' 120
}

os_cli() { openstack "$@"; }

# bootstrap: the public objects every test uses, then Octavia (it needs two of them).
bootstrap() {
	# shellcheck source=/dev/null
	. "$M/openrc"
	if ! os_cli image show fedora-coreos >/dev/null 2>&1; then
		head -c 65536 /dev/urandom >state/fake.img
		os_cli image create --disk-format raw --container-format bare --public --file state/fake.img \
			--property os_distro=fedora-coreos fedora-coreos >/dev/null
		os_cli image create --disk-format raw --container-format bare --public --file state/fake.img \
			--property os_distro=ubuntu ubuntu >/dev/null
		os_cli image create --disk-format raw --container-format bare --public --file state/fake.img \
			--tag amphora amphora >/dev/null
	fi
	local f
	for f in m1.tiny amphora; do
		os_cli flavor show "$f" >/dev/null 2>&1 || os_cli flavor create --vcpus 1 --ram 64 --disk 1 "$f" >/dev/null
	done
	if ! os_cli network show public >/dev/null 2>&1; then
		os_cli network create --external --provider-network-type flat --provider-physical-network public public >/dev/null
		os_cli subnet create --network public --subnet-range 172.24.4.0/24 --no-dhcp --gateway 172.24.4.1 \
			public-subnet >/dev/null
	fi
	if ! os_cli network show lb-mgmt-net >/dev/null 2>&1; then
		os_cli network create lb-mgmt-net >/dev/null
		os_cli subnet create --network lb-mgmt-net --subnet-range 10.99.0.0/24 lb-mgmt-subnet >/dev/null
	fi
	write_octavia "$(os_cli flavor show amphora -f value -c id)" "$(os_cli network show lb-mgmt-net -f value -c id)"
	spawn octavia-api octavia-api --config-file etc/octavia/octavia.conf
	spawn octavia-worker octavia-worker --config-file etc/octavia/octavia.conf
	wait_http http://127.0.0.1:9876/ 200 120
	local deadline=$((SECONDS + 120))
	until [[ -n $(os_cli hypervisor list -f value 2>/dev/null) ]]; do
		((SECONDS < deadline)) || die "nova-compute not discovered (log: $M/log/nova-compute.log)"
		sleep 1
	done
}

write_env() {
	cat >"$M/openrc" <<EOF
export OS_AUTH_URL=$KS OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=RegionOne OS_INTERFACE=public
export OS_USERNAME=admin OS_PASSWORD=secret OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_ID=default OS_PROJECT_DOMAIN_ID=default
EOF
	cat >"$M/env" <<EOF
GOMAGNUM_MINICLOUD_AUTH_URL=$KS
GOMAGNUM_MINICLOUD_USER=admin
GOMAGNUM_MINICLOUD_PASSWORD=secret
GOMAGNUM_MINICLOUD_PROJECT=admin
GOMAGNUM_MINICLOUD_EXTERNAL_NETWORK=public
GOMAGNUM_MINICLOUD_IMAGE_FCOS=fedora-coreos
GOMAGNUM_MINICLOUD_IMAGE_UBUNTU=ubuntu
GOMAGNUM_MINICLOUD_FLAVOR=m1.tiny
GOMAGNUM_MINICLOUD_STATE=$M
export GOMAGNUM_MINICLOUD_AUTH_URL GOMAGNUM_MINICLOUD_USER GOMAGNUM_MINICLOUD_PASSWORD GOMAGNUM_MINICLOUD_PROJECT
export GOMAGNUM_MINICLOUD_EXTERNAL_NETWORK GOMAGNUM_MINICLOUD_IMAGE_FCOS GOMAGNUM_MINICLOUD_IMAGE_UBUNTU
export GOMAGNUM_MINICLOUD_FLAVOR GOMAGNUM_MINICLOUD_STATE
EOF
}

heat_sh() {
	GOMAGNUM_HEAT_STATE=$M/heat KEYSTONE_PORT=$KS_PORT HEAT_KEYSTONE_PORT=$HEAT_PORT "$HERE/heat.sh" "$@" keystone
}

do_start() {
	mkdir -p "$M"/{etc/placement,etc/nova,etc/neutron,etc/glance,etc/cinder,etc/octavia,log,run,plugins} \
		"$M"/state/{nova,neutron,glance/images,glance/staging,glance/tasks,cinder,locks,octavia-certs}
	cd "$M"
	install_packages
	infra_start
	log "mariadb and rabbitmq up"
	heat_sh start >log/heat.sh.log 2>&1 || { tail -n 20 log/heat.sh.log >&2; die "keystone/heat failed"; }
	log "keystone and heat up"
	write_placement
	write_glance
	write_nova
	write_neutron
	write_cinder
	write_octavia none none # rewritten with the bootstrap objects' ids
	register &
	local reg=$!
	db_sync
	wait "$reg" || die "keystone registration failed"
	log "databases synced, services registered"
	services_start
	write_env
	log "APIs up"
	bootstrap
	log "ready: $KS (env file $M/env)"
}

do_stop() {
	local s pids=()
	for s in "${SERVICES[@]}"; do
		terminate "$s" &
		pids+=($!)
	done
	wait "${pids[@]}" # not a bare wait: mariadbd may be our child (wipe)
	terminate placement
	heat_sh stop >/dev/null 2>&1 || true
	rabbitmqctl -n rabbit@localhost stop >/dev/null 2>&1 || true
	epmd -kill >/dev/null 2>&1 || true
	terminate mariadb
	log "stopped"
}

do_status() {
	local rc=0 url
	for url in "$KS" http://127.0.0.1:$HEAT_PORT/ http://127.0.0.1:8778/ http://127.0.0.1:9292/ \
		http://127.0.0.1:8774/ http://127.0.0.1:9696/ http://127.0.0.1:8776/ http://127.0.0.1:9876/; do
		local code
		code=$(http_code "$url")
		if [[ $code == 000 ]]; then echo "down  $url"; rc=1; else echo "up    $url"; fi
	done
	return $rc
}

do_wipe() {
	do_stop
	cd "$M"
	infra_start
	local db
	for db in nova_api nova nova_cell0 placement glance neutron cinder octavia; do
		mysql -e "DROP DATABASE IF EXISTS $db"
	done
	do_stop
	rm -rf "${M:?}"
}

if [[ ${1:-} == packages ]]; then
	printf '%s\n' "${PACKAGES[@]}"
	exit 0
fi
mkdir -p "$M"
exec 9>"$M/.lock"
flock 9
case ${1:-} in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
env) cat "$M/env" ;;
wipe) do_wipe ;;
*)
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
	;;
esac
