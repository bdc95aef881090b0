#!/bin/bash
# swarm-bootstrap.sh: run once at first boot of a gomagnum Docker Swarm-mode
# node (Fedora CoreOS). Has the service sign the node's certificate, serves
# the Docker API with TLS (2376; 2375 without TLS), then initialises the
# swarm (primary master) or joins it as a manager or a worker with the join
# token read from the primary's API, and signals the node's wait condition.
# A worker of an extra node group knows no master's address: it reads the
# join token and the managers' addresses from the Docker API at the
# cluster's API address (API_ADDRESS) instead.
set -euo pipefail

# shellcheck source=../../internal/nodeboot/scripts/magnum-node.sh
. /usr/local/lib/magnum/magnum-node.sh
set -a
# shellcheck source=/dev/null
. /etc/magnum/cluster.env
set +a
trap 'magnum_on_failure $LINENO' ERR

export MAGNUM_CERT_DIR=/etc/docker/tls
magnum_save_env /etc/magnum/node.env NODE_NAME WAIT_CURL PRIMARY_ADDRESS MASTERS API_PUBLIC_ADDRESS API_ADDRESS CA_CERT DOCKER_VOLUME

# docker_daemon: the Docker daemon on the socket and on TCP, with TLS
# verifying clients against the cluster CA unless TLS is disabled.
docker_daemon() {
	local san="IP:$NODE_IP,IP:127.0.0.1,DNS:$NODE_NAME,DNS:localhost" public ip
	public=$(magnum_public_ip)
	for ip in "$public" "$API_PUBLIC_ADDRESS"; do
		if [ -n "$ip" ]; then
			san="$san,IP:$ip"
		fi
	done
	mkdir -p /etc/docker "$MAGNUM_CERT_DIR" /etc/systemd/system/docker.service.d
	if [ "$TLS_DISABLED" = true ]; then
		cat >/etc/docker/daemon.json <<CFG
{"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"], "storage-driver": "$DOCKER_STORAGE_DRIVER"}
CFG
	else
		magnum_write_b64 "$CA_CERT" "$MAGNUM_CERT_DIR/ca.crt"
		magnum_sign server kubernetes "/CN=$NODE_NAME" serverAuth,clientAuth "$san"
		cat >/etc/docker/daemon.json <<CFG
{"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"], "storage-driver": "$DOCKER_STORAGE_DRIVER",
 "tls": true, "tlsverify": true, "tlscacert": "$MAGNUM_CERT_DIR/ca.crt",
 "tlscert": "$MAGNUM_CERT_DIR/server.crt", "tlskey": "$MAGNUM_CERT_DIR/server.key"}
CFG
	fi
	cat >/etc/systemd/system/docker.service.d/10-magnum.conf <<CFG
[Service]
ExecStart=
ExecStart=/usr/bin/dockerd
CFG
	if [ -n "${HTTP_PROXY:-}${HTTPS_PROXY:-}" ]; then
		printf '[Service]\nEnvironment="HTTP_PROXY=%s" "HTTPS_PROXY=%s" "NO_PROXY=%s"\n' \
			"${HTTP_PROXY:-}" "${HTTPS_PROXY:-}" "${NO_PROXY:-}" >/etc/systemd/system/docker.service.d/20-proxy.conf
	fi
	systemctl daemon-reload
	systemctl enable docker
	systemctl restart docker
}

# manager_api HOST PATH: GET on a manager's Docker API.
manager_api() {
	if [ "$TLS_DISABLED" = true ]; then
		magnum_curl "http://$1:2375$2"
	else
		magnum_curl --cacert "$MAGNUM_CERT_DIR/ca.crt" --cert "$MAGNUM_CERT_DIR/server.crt" \
			--key "$MAGNUM_CERT_DIR/server.key" "https://$1:2376$2"
	fi
}

# join ROLE: joins the swarm as a Manager or a Worker: through the primary
# master, else through the managers the cluster's API address names.
join() {
	local api=${PRIMARY_ADDRESS:-$API_ADDRESS} token="" managers="" i
	if [ -n "$PRIMARY_ADDRESS" ]; then
		managers="$PRIMARY_ADDRESS:2377"
	fi
	for i in $(seq 1 120); do
		token=$(manager_api "$api" /swarm 2>/dev/null | sed -n 's/.*"'"$1"'": *"\(SWMTKN-[^"]*\)".*/\1/p' || true)
		if [ -z "$PRIMARY_ADDRESS" ] && [ -n "$token" ]; then
			managers=$(manager_api "$api" /info 2>/dev/null | grep -o '"Addr": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | head -n 1 || true)
		fi
		if [ -n "$token" ] && [ -n "$managers" ]; then
			break
		fi
		magnum_log "waiting for the swarm on $api ($i)"
		sleep 5
	done
	if [ -z "$token" ] || [ -z "$managers" ]; then
		magnum_log "no $1 join token or manager address from $api"
		return 1
	fi
	docker swarm join --token "$token" --advertise-addr "$NODE_IP" "$managers"
}

NODE_IP=$(magnum_node_ip)
hostnamectl set-hostname "$NODE_NAME"
magnum_volume "${DOCKER_VOLUME:-}" /var/lib/docker
docker_daemon

if [ "$ROLE" = master ] && [ -z "$PRIMARY_ADDRESS" ]; then
	docker swarm init --advertise-addr "$NODE_IP"
elif [ "$ROLE" = master ]; then
	join Manager
else
	join Worker
fi
if [ "$VOLUME_DRIVER" = rexray ]; then
	magnum_rexray "$REXRAY_IMAGE" "$REXRAY_PREEMPT"
fi

magnum_signal SUCCESS "$NODE_NAME joined the swarm as a $ROLE"
