#!/bin/bash
# k8s-lib.sh: Kubernetes functions of gomagnum's Fedora CoreOS nodes.
# Sourced after magnum-node.sh and /etc/magnum/cluster.env; never run.

K8S_DIR=/etc/kubernetes
PKI=$K8S_DIR/pki
MANIFESTS=$K8S_DIR/manifests
export MAGNUM_CERT_DIR=$PKI
BIN=/usr/local/bin
ARCH=$(uname -m)
case $ARCH in
x86_64) ARCH=amd64 ;;
aarch64) ARCH=arm64 ;;
esac

# k8s_write_cas: writes the CAs and service-account keys Heat handed over.
k8s_write_cas() {
	mkdir -p "$PKI"
	magnum_write_b64 "$CA_CERT" "$PKI/ca.crt"
	if [ -n "${ETCD_CA_CERT:-}" ]; then
		magnum_write_b64 "$ETCD_CA_CERT" "$PKI/etcd-ca.crt"
	fi
	if [ -n "${FRONT_PROXY_CA_CERT:-}" ]; then
		magnum_write_b64 "$FRONT_PROXY_CA_CERT" "$PKI/front-proxy-ca.crt"
	fi
	if [ -n "${SERVICE_ACCOUNT_KEY_PUBLIC:-}" ]; then
		magnum_write_b64 "$SERVICE_ACCOUNT_KEY_PUBLIC" "$PKI/sa.pub"
		magnum_write_b64 "$SERVICE_ACCOUNT_KEY_PRIVATE" "$PKI/sa.key" 0600
	fi
}

# k8s_install_binaries: the kubelet, kubectl and kube-proxy of KUBE_TAG,
# and the CNI plugins.
k8s_install_binaries() {
	local b tgz
	for b in kubelet kubectl kube-proxy; do
		magnum_fetch "https://dl.k8s.io/release/$KUBE_TAG/bin/linux/$ARCH/$b" "$BIN/$b" 0755
	done
	if [ ! -x /opt/cni/bin/bridge ]; then
		mkdir -p /opt/cni/bin
		tgz=$(mktemp)
		magnum_fetch "https://github.com/containernetworking/plugins/releases/download/$CNI_PLUGINS_TAG/cni-plugins-linux-$ARCH-$CNI_PLUGINS_TAG.tgz" "$tgz"
		tar -xzf "$tgz" -C /opt/cni/bin
		rm -f "$tgz"
	fi
}

k8s_configure_containerd() {
	mkdir -p /etc/containerd
	cat >/etc/containerd/config.toml <<CFG
version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.9"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/opt/cni/bin"
  conf_dir = "/etc/cni/net.d"
CFG
	if [ -n "${INSECURE_REGISTRY:-}" ]; then
		mkdir -p "/etc/containerd/certs.d/$INSECURE_REGISTRY"
		printf '[host."http://%s"]\n  skip_verify = true\n' "$INSECURE_REGISTRY" >"/etc/containerd/certs.d/$INSECURE_REGISTRY/hosts.toml"
		printf '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n' >>/etc/containerd/config.toml
	fi
	modprobe overlay
	modprobe br_netfilter
	cat >/etc/sysctl.d/90-kubernetes.conf <<CFG
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward = 1
CFG
	sysctl --system >/dev/null
	systemctl enable containerd
	systemctl restart containerd
}

# k8s_api_server: the API URL this node's components use: the local API
# server on masters; on workers the API address, without TLS (Magnum's
# insecure port 8080) when the template disables TLS.
k8s_api_server() {
	if [ "$ROLE" = master ]; then
		printf 'https://127.0.0.1:%s' "$API_PORT"
	elif [ "$TLS_DISABLED" = true ]; then
		printf 'http://%s:8080' "$API_ADDRESS"
	else
		printf 'https://%s:%s' "$API_ADDRESS" "$API_PORT"
	fi
}

# k8s_kubeconfig FILE SERVER CERT: a kubeconfig for the client certificate
# CERT (a name under PKI) talking to SERVER; plain HTTP needs neither.
k8s_kubeconfig() {
	local cluster="    certificate-authority: $PKI/ca.crt" user="    client-certificate: $PKI/$3.crt
    client-key: $PKI/$3.key"
	case $2 in
	http://*)
		cluster=""
		user="    username: $3"
		;;
	esac
	cat >"$1" <<CFG
apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster:
$cluster
    server: $2
users:
- name: $3
  user:
$user
contexts:
- name: default
  context:
    cluster: kubernetes
    user: $3
current-context: default
CFG
	chmod 0600 "$1"
}

# k8s_node_labels: the kubelet's --node-labels value.
k8s_node_labels() {
	local labels="magnum.openstack.org/role=$NODEGROUP_ROLE,magnum.openstack.org/nodegroup=$NODEGROUP_NAME"
	if [ -n "${NODE_LABELS:-}" ]; then
		labels="$labels,$NODE_LABELS"
	fi
	printf '%s' "$labels"
}

# k8s_taints: the kubelet's registerWithTaints: the control-plane taint on
# masters, and the node group's NODE_TAINTS (key=value:Effect,...).
k8s_taints() {
	local list=() t value
	if [ -n "${NODE_TAINTS:-}" ]; then
		IFS=, read -ra list <<<"$NODE_TAINTS"
	fi
	if [ "$ROLE" = master ]; then
		list+=("node-role.kubernetes.io/control-plane=:NoSchedule")
	fi
	if [ "${#list[@]}" -eq 0 ]; then
		return 0
	fi
	echo "registerWithTaints:"
	for t in "${list[@]}"; do
		value=${t#*=}
		printf -- '- key: %s\n  value: "%s"\n  effect: %s\n' "${t%%=*}" "${value%:*}" "${t##*:}"
	done
}

# k8s_kubelet: certificates, configuration and unit of the kubelet.
k8s_kubelet() {
	local server taints="" cloud=""
	server=$(k8s_api_server)
	magnum_sign kubelet kubernetes "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth,serverAuth \
		"IP:$NODE_IP,DNS:$NODE_NAME"
	k8s_kubeconfig "$K8S_DIR/kubelet.conf" "$server" kubelet
	taints=$(k8s_taints)
	if [ "${CLOUD_PROVIDER_ENABLED:-false}" = true ]; then
		cloud="--cloud-provider=external"
	fi
	mkdir -p "$MANIFESTS" /var/lib/kubelet
	cat >/var/lib/kubelet/config.yaml <<CFG
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- $DNS_SERVICE_IP
clusterDomain: $DNS_DOMAIN
containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
staticPodPath: $MANIFESTS
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
rotateCertificates: false
$taints
CFG
	cat >/etc/systemd/system/kubelet.service <<CFG
[Unit]
Description=Kubernetes kubelet
After=containerd.service
Requires=containerd.service

[Service]
ExecStart=$BIN/kubelet --config=/var/lib/kubelet/config.yaml --kubeconfig=$K8S_DIR/kubelet.conf --hostname-override=$NODE_NAME --node-ip=$NODE_IP --node-labels=$(k8s_node_labels) $cloud
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
CFG
	systemctl daemon-reload
	systemctl enable kubelet
	systemctl restart kubelet
}

# k8s_kube_proxy: kube-proxy as a host service.
k8s_kube_proxy() {
	magnum_sign kube-proxy kubernetes "/O=system:node-proxier/CN=system:kube-proxy" clientAuth
	k8s_kubeconfig "$K8S_DIR/kube-proxy.conf" "$(k8s_api_server)" kube-proxy
	cat >"$K8S_DIR/kube-proxy.yaml" <<CFG
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $K8S_DIR/kube-proxy.conf
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
mode: iptables
CFG
	cat >/etc/systemd/system/kube-proxy.service <<CFG
[Unit]
Description=Kubernetes kube-proxy
After=network-online.target

[Service]
ExecStart=$BIN/kube-proxy --config=$K8S_DIR/kube-proxy.yaml
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
CFG
	systemctl daemon-reload
	systemctl enable kube-proxy
	systemctl restart kube-proxy
}

# k8s_wait_api SERVER: waits until the API answers /healthz with ok.
k8s_wait_api() {
	local i
	for i in $(seq 1 180); do
		if [ "$(curl --silent --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$1/healthz" || true)" = ok ]; then
			return 0
		fi
		magnum_log "waiting for the Kubernetes API at $1 ($i)"
		sleep 5
	done
	magnum_log "the Kubernetes API at $1 never became healthy"
	return 1
}

# kubectl_admin ARGS...: kubectl as the cluster's admin on this master.
kubectl_admin() {
	"$BIN/kubectl" --kubeconfig "$K8S_DIR/admin.conf" "$@"
}
