#!/bin/bash
# k8s-bootstrap.sh: run once at first boot of a gomagnum Kubernetes node
# (Fedora CoreOS). Installs Kubernetes KUBE_TAG, has the service sign the
# node's certificates, starts the control plane (masters) or joins the
# node (workers), and signals the node's wait condition.
set -euo pipefail

# shellcheck source=../../internal/nodeboot/scripts/magnum-node.sh
. /usr/local/lib/magnum/magnum-node.sh
set -a
# shellcheck source=/dev/null
. /etc/magnum/cluster.env
set +a
# shellcheck source=k8s-lib.sh
. /usr/local/lib/magnum/k8s-lib.sh
# shellcheck source=k8s-master.sh
. /usr/local/lib/magnum/k8s-master.sh
# shellcheck source=k8s-addons.sh
. /usr/local/lib/magnum/k8s-addons.sh

trap 'magnum_on_failure $LINENO' ERR

magnum_save_env /etc/magnum/node.env NODE_NAME NODEGROUP_NAME WAIT_CURL API_ADDRESS API_PUBLIC_ADDRESS \
	PRIMARY_ADDRESS KUBE_TAG CA_CERT ETCD_CA_CERT FRONT_PROXY_CA_CERT \
	SERVICE_ACCOUNT_KEY_PUBLIC SERVICE_ACCOUNT_KEY_PRIVATE DOCKER_VOLUME ETCD_VOLUME

NODE_IP=$(magnum_node_ip)
hostnamectl set-hostname "$NODE_NAME"
magnum_volume "${DOCKER_VOLUME:-}" /var/lib/containerd

k8s_write_cas
k8s_install_binaries
k8s_configure_containerd

case $ROLE in
master)
	k8s_master_certs
	k8s_etcd
	k8s_control_plane
	k8s_kubelet
	k8s_kube_proxy
	k8s_wait_api "https://127.0.0.1:$API_PORT"
	if [ -z "$PRIMARY_ADDRESS" ]; then
		k8s_addons
	fi
	if [ "$TLS_DISABLED" = true ]; then
		k8s_insecure_port
	fi
	;;
worker)
	k8s_kubelet
	k8s_kube_proxy
	;;
*)
	magnum_log "unknown role $ROLE"
	false
	;;
esac

magnum_signal SUCCESS "$NODE_NAME joined the cluster as a $ROLE"
