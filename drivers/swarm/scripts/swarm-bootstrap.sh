#!/bin/bash
# swarm-bootstrap.sh: run once at first boot of a gomagnum Docker Swarm-mode
# node (Fedora CoreOS). Has the service sign the node's certificate, serves
# the Docker API with TLS (2376; 2375 without TLS), then initialises the
# swarm (primary master) or joins it as a manager or a worker with the join
# token read from the primary's API, and signals the node's wait condition.
set -euo pipefail

# shellcheck source=../../internal/nodeboot/scripts/magnum-node.sh
. /usr/local/lib/magnum/magnum-node.sh
set -a
# shellcheck source=/dev/null
. /etc/magnum/cluster.env
set +a
trap 'magnum_on_failure $LINENO' ERR

export MAGNUM_CERT_DIR=/etc/docker/tls
magnum_save_env /etc/magnum/node.env NODE_NAME WAIT_CURL PRIMARY_ADDRESS MASTERS API_PUBLIC_ADDRESS CA_CERT DOCKER_VOLUME

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

# primary_api PATH: GET on the primary master's Docker API.
primary_api() {
	if [ "$TLS_DISABLED" = true ]; then
		magnum_curl "http://$PRIMARY_ADDRESS:2375$1"
	else
		magnum_curl --cacert "$MAGNUM_CERT_DIR/ca.crt" --cert "$MAGNUM_CERT_DIR/server.crt" \
			--key "$MAGNUM_CERT_DIR/server.key" "https://$PRIMARY_ADDRESS:2376$1"
	fi
}

# join ROLE: joins the primary's swarm as a Manager or a Worker.
join() {
	local token="" i
	for i in $(seq 1 120); do
		token=$(primary_api /swarm 2>/dev/null | sed -n 's/.*"'"$1"'": *"\(SWMTKN-[^"]*\)".*/\1/p' || true)
		if [ -n "$token" ]; then
			break
		fi
		magnum_log "waiting for the swarm on $PRIMARY_ADDRESS ($i)"
		sleep 5
	done
	if [ -z "$token" ]; then
		magnum_log "no $1 join token from $PRIMARY_ADDRESS"
		return 1
	fi
	docker swarm join --token "$token" --advertise-addr "$NODE_IP" "$PRIMARY_ADDRESS:2377"
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
