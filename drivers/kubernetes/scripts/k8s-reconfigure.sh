#!/bin/bash
# k8s-reconfigure.sh: applies an upgrade (a new KUBE_TAG) or a CA rotation
# (new CA certificates and service-account keys) to this node. Run on the
# host by the heat-container-agent with the deployment's inputs in the
# environment; what is unchanged is left alone.
set -euo pipefail

# shellcheck source=../../internal/nodeboot/scripts/magnum-node.sh
. /usr/local/lib/magnum/magnum-node.sh
set -a
# shellcheck source=/dev/null
. /etc/magnum/cluster.env
set +a

NEW_KUBE_TAG=$KUBE_TAG
NEW_CA_CERT=$CA_CERT
NEW_ETCD_CA_CERT=${ETCD_CA_CERT:-}
NEW_FRONT_PROXY_CA_CERT=${FRONT_PROXY_CA_CERT:-}
NEW_SA_PUBLIC=${SERVICE_ACCOUNT_KEY_PUBLIC:-}
NEW_SA_PRIVATE=${SERVICE_ACCOUNT_KEY_PRIVATE:-}
magnum_load_env /etc/magnum/node.env

# shellcheck source=k8s-lib.sh
. /usr/local/lib/magnum/k8s-lib.sh
# shellcheck source=k8s-master.sh
. /usr/local/lib/magnum/k8s-master.sh

NODE_IP=$(magnum_node_ip)

if [ "$NEW_CA_CERT" != "$CA_CERT" ] || [ "$NEW_SA_PUBLIC" != "${SERVICE_ACCOUNT_KEY_PUBLIC:-}" ]; then
	magnum_log "rotating the cluster's certificates"
	CA_CERT=$NEW_CA_CERT
	ETCD_CA_CERT=$NEW_ETCD_CA_CERT
	FRONT_PROXY_CA_CERT=$NEW_FRONT_PROXY_CA_CERT
	SERVICE_ACCOUNT_KEY_PUBLIC=$NEW_SA_PUBLIC
	SERVICE_ACCOUNT_KEY_PRIVATE=$NEW_SA_PRIVATE
	k8s_write_cas
	if [ "$ROLE" = master ]; then
		k8s_master_certs
		systemctl restart etcd
	fi
	k8s_kubelet
	k8s_kube_proxy
fi

if [ "$NEW_KUBE_TAG" != "$KUBE_TAG" ]; then
	magnum_log "upgrading Kubernetes from $KUBE_TAG to $NEW_KUBE_TAG"
	KUBE_TAG=$NEW_KUBE_TAG
	systemctl stop kubelet kube-proxy
	k8s_install_binaries
	if [ "$ROLE" = master ]; then
		k8s_control_plane
	fi
	systemctl start kubelet kube-proxy
	if [ "$ROLE" = master ]; then
		k8s_wait_api "https://127.0.0.1:$API_PORT"
	fi
fi

magnum_save_env /etc/magnum/node.env NODE_NAME NODEGROUP_NAME WAIT_CURL API_ADDRESS API_PUBLIC_ADDRESS \
	PRIMARY_ADDRESS KUBE_TAG CA_CERT ETCD_CA_CERT FRONT_PROXY_CA_CERT \
	SERVICE_ACCOUNT_KEY_PUBLIC SERVICE_ACCOUNT_KEY_PRIVATE DOCKER_VOLUME ETCD_VOLUME
