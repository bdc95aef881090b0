#!/bin/bash
# mesos-bootstrap.sh: run once by cloud-init at first boot of a gomagnum
# Mesos node (Ubuntu). Installs Docker and runs the Mesos components in
# containers: on masters ZooKeeper (the primary starts the ensemble, the
# other masters join it), a Mesos master and Marathon; on agents a Mesos
# agent pointed at every master's ZooKeeper. With TLS, Mesos' libprocess
# serves and verifies certificates the service signed. Then it signals the
# node's wait condition. An agent of an extra node group knows no master's
# address: it reads the masters' ZooKeeper from the Mesos API at the
# cluster's API address (API_ADDRESS).
set -euo pipefail

# shellcheck source=../../internal/nodeboot/scripts/magnum-node.sh
. /usr/local/lib/magnum/magnum-node.sh
set -a
# shellcheck source=/dev/null
. /etc/magnum/cluster.env
set +a
magnum_load_env /etc/magnum/node.env
trap 'magnum_on_failure $LINENO' ERR

export MAGNUM_CERT_DIR=/etc/mesos/tls
TLS_ENV=()

install_docker() {
	if ! command -v docker >/dev/null; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q --no-install-recommends docker.io curl openssl ca-certificates
	fi
	if [ -n "${HTTP_PROXY:-}${HTTPS_PROXY:-}" ]; then
		mkdir -p /etc/systemd/system/docker.service.d
		printf '[Service]\nEnvironment="HTTP_PROXY=%s" "HTTPS_PROXY=%s" "NO_PROXY=%s"\n' \
			"${HTTP_PROXY:-}" "${HTTPS_PROXY:-}" "${NO_PROXY:-}" >/etc/systemd/system/docker.service.d/20-proxy.conf
		systemctl daemon-reload
	fi
	systemctl enable docker
	systemctl restart docker
}

# tls: the node's certificate and libprocess' TLS settings.
tls() {
	local san="IP:$NODE_IP,IP:127.0.0.1,DNS:$NODE_NAME,DNS:localhost" ip
	if [ "$TLS_DISABLED" = true ]; then
		return 0
	fi
	for ip in "$(magnum_public_ip)" "$API_PUBLIC_ADDRESS"; do
		if [ -n "$ip" ]; then
			san="$san,IP:$ip"
		fi
	done
	magnum_write_b64 "$CA_CERT" "$MAGNUM_CERT_DIR/ca.crt"
	magnum_sign node kubernetes "/CN=$NODE_NAME" serverAuth,clientAuth "$san"
	TLS_ENV=(-e LIBPROCESS_SSL_ENABLED=true -e LIBPROCESS_SSL_SUPPORT_DOWNGRADE=false
		-e LIBPROCESS_SSL_VERIFY_CERT=true -e LIBPROCESS_SSL_REQUIRE_CERT=true
		-e "LIBPROCESS_SSL_CA_FILE=$MAGNUM_CERT_DIR/ca.crt"
		-e "LIBPROCESS_SSL_CERT_FILE=$MAGNUM_CERT_DIR/node.crt"
		-e "LIBPROCESS_SSL_KEY_FILE=$MAGNUM_CERT_DIR/node.key"
		-v "$MAGNUM_CERT_DIR:$MAGNUM_CERT_DIR:ro")
}

# service NAME DOCKER_ARGS...: a container run by systemd as NAME, through
# a wrapper script that keeps the arguments' quoting.
service() {
	local name=$1 run=/usr/local/lib/magnum/run-$1
	shift
	mkdir -p /usr/local/lib/magnum
	{
		echo '#!/bin/bash'
		printf 'exec'
		printf ' %q' /usr/bin/docker run --rm --name "$name" --net host "$@"
		echo
	} >"$run"
	chmod 0755 "$run"
	cat >"/etc/systemd/system/$name.service" <<CFG
[Unit]
Description=$name of the Mesos cluster
After=docker.service
Requires=docker.service

[Service]
ExecStartPre=-/usr/bin/docker rm -f $name
ExecStart=$run
ExecStop=/usr/bin/docker stop $name
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
CFG
	systemctl daemon-reload
	systemctl enable "$name"
	systemctl restart "$name"
}

# zk_list HOSTS: host:2181 for each comma separated host.
zk_list() {
	printf '%s' "$1" | sed -e 's/,/:2181,/g' -e 's/$/:2181/'
}

# zookeeper: the primary master starts a one-member ensemble with dynamic
# reconfiguration; the others start with it and themselves, then have the
# primary add them.
zookeeper() {
	local id=1 servers="server.1=$NODE_IP:2888:3888;2181" i
	if [ -n "$PRIMARY_ADDRESS" ]; then
		id=$((${NODE_NAME##*-} + 2))
		servers="server.1=$PRIMARY_ADDRESS:2888:3888;2181 server.$id=$NODE_IP:2888:3888:observer;2181"
	fi
	mkdir -p /var/lib/zookeeper
	service zookeeper -v /var/lib/zookeeper:/data -e "ZOO_MY_ID=$id" -e "ZOO_SERVERS=$servers" \
		-e ZOO_STANDALONE_ENABLED=false -e ZOO_ADMINSERVER_ENABLED=false \
		-e "ZOO_CFG_EXTRA=reconfigEnabled=true skipACL=yes" "zookeeper:$ZOOKEEPER_TAG"
	if [ -z "$PRIMARY_ADDRESS" ]; then
		return 0
	fi
	for i in $(seq 1 60); do
		if docker exec zookeeper zkCli.sh -server "$PRIMARY_ADDRESS:2181" \
			reconfig -add "server.$id=$NODE_IP:2888:3888:participant;2181" >/dev/null 2>&1; then
			return 0
		fi
		magnum_log "waiting to join ZooKeeper on $PRIMARY_ADDRESS ($i)"
		sleep 10
	done
	magnum_log "could not join ZooKeeper on $PRIMARY_ADDRESS"
	return 1
}

master() {
	local zk=$NODE_IP
	if [ -n "$PRIMARY_ADDRESS" ]; then
		zk="$PRIMARY_ADDRESS,$NODE_IP"
	fi
	zk="zk://$(zk_list "$zk")"
	zookeeper
	mkdir -p /var/lib/mesos
	service mesos-master "${TLS_ENV[@]}" -v /var/lib/mesos:/var/lib/mesos \
		-e "MESOS_ZK=$zk/mesos" -e "MESOS_QUORUM=$((MASTER_COUNT / 2 + 1))" -e "MESOS_CLUSTER=$CLUSTER_NAME" \
		-e "MESOS_HOSTNAME=$NODE_IP" -e "MESOS_IP=$NODE_IP" -e MESOS_PORT=5050 \
		-e MESOS_WORK_DIR=/var/lib/mesos -e MESOS_LOG_DIR=/var/log/mesos \
		"mesosphere/mesos-master:$MESOS_TAG"
	service marathon "${TLS_ENV[@]}" "mesosphere/marathon:$MARATHON_TAG" \
		--master "$zk/mesos" --zk "$zk/marathon" --hostname "$NODE_IP" --http_port 8080
}

# masters_zk: the ZooKeeper URL of the Mesos masters: every master's
# ZooKeeper, else the one the master at the cluster's API address uses.
masters_zk() {
	local scheme=http opts=() zk="" i
	if [ -n "$MASTERS" ]; then
		printf 'zk://%s/mesos' "$(zk_list "$MASTERS")"
		return 0
	fi
	if [ "$TLS_DISABLED" != true ]; then
		scheme=https
		opts=(--cacert "$MAGNUM_CERT_DIR/ca.crt" --cert "$MAGNUM_CERT_DIR/node.crt" --key "$MAGNUM_CERT_DIR/node.key")
	fi
	for i in $(seq 1 60); do
		# Mesos' JSON writes "/" as "\/".
		zk=$(magnum_curl "${opts[@]}" "$scheme://$API_ADDRESS:5050/master/flags" 2>/dev/null | sed 's|\\/|/|g' |
			grep -o '"zk": *"zk://[^"]*"' | sed 's/.*"\(zk:[^"]*\)"$/\1/' || true)
		if [ -n "$zk" ]; then
			printf '%s' "$zk"
			return 0
		fi
		magnum_log "waiting for the Mesos masters at $API_ADDRESS ($i)"
		sleep 10
	done
	magnum_log "no ZooKeeper of the Mesos masters at $API_ADDRESS"
	return 1
}

agent() {
	local extra=() zk
	zk=$(masters_zk)
	if [ -n "$MESOS_AGENT_EXECUTOR_ENV" ]; then
		extra+=(-e "MESOS_EXECUTOR_ENVIRONMENT_VARIABLES=$MESOS_AGENT_EXECUTOR_ENV")
	fi
	if [ -n "$MESOS_AGENT_IMAGE_PROVIDERS" ]; then
		extra+=(-e "MESOS_IMAGE_PROVIDERS=$MESOS_AGENT_IMAGE_PROVIDERS")
	fi
	if [ -n "$MESOS_AGENT_ISOLATION" ]; then
		extra+=(-e "MESOS_ISOLATION=$MESOS_AGENT_ISOLATION")
	fi
	mkdir -p "$MESOS_AGENT_WORK_DIR"
	service mesos-agent "${TLS_ENV[@]}" "${extra[@]}" --privileged --pid host \
		-v /var/run/docker.sock:/var/run/docker.sock -v /sys/fs/cgroup:/sys/fs/cgroup \
		-v "$MESOS_AGENT_WORK_DIR:$MESOS_AGENT_WORK_DIR" \
		-e "MESOS_MASTER=$zk" -e "MESOS_HOSTNAME=$NODE_IP" -e "MESOS_IP=$NODE_IP" \
		-e MESOS_PORT=5051 -e MESOS_CONTAINERIZERS=docker,mesos -e MESOS_SYSTEMD_ENABLE_SUPPORT=false \
		-e "MESOS_WORK_DIR=$MESOS_AGENT_WORK_DIR" -e MESOS_DOCKER_STORE_DIR=/var/lib/mesos/store/docker \
		"mesosphere/mesos-slave:$MESOS_TAG"
}

NODE_IP=$(magnum_node_ip)
hostnamectl set-hostname "$NODE_NAME"
magnum_volume "${DOCKER_VOLUME:-}" /var/lib/docker
install_docker
tls

case $ROLE in
master) master ;;
worker)
	agent
	if [ "$VOLUME_DRIVER" = rexray ]; then
		magnum_rexray "$REXRAY_IMAGE" "$REXRAY_PREEMPT"
	fi
	;;
*)
	magnum_log "unknown role $ROLE"
	false
	;;
esac

magnum_signal SUCCESS "$NODE_NAME joined the Mesos cluster as a $ROLE"
