#!/bin/bash
# k8s-master.sh: the control plane of gomagnum's Kubernetes masters: their
# certificates, etcd and the static pods of the API server, controller
# manager and scheduler. Sourced after k8s-lib.sh; never run.

ETCD_ENDPOINT=https://127.0.0.1:2379

# k8s_service_ip: the first address of the service network, which the
# kubernetes service takes.
k8s_service_ip() {
	local base=${SERVICE_CIDR%/*}
	printf '%s.%s' "${base%.*}" "$((${base##*.} + 1))"
}

# k8s_master_certs: every certificate a master presents, signed by the
# cluster's CAs through the service.
k8s_master_certs() {
	local san name ip
	san="IP:$NODE_IP,IP:127.0.0.1,IP:$(k8s_service_ip),DNS:$NODE_NAME,DNS:localhost"
	san="$san,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$DNS_DOMAIN"
	for ip in "$API_ADDRESS" "$API_PUBLIC_ADDRESS" "$(magnum_public_ip)"; do
		if [ -n "$ip" ]; then
			san="$san,IP:$ip"
		fi
	done
	magnum_sign apiserver kubernetes "/CN=kube-apiserver" serverAuth "$san"
	magnum_sign apiserver-kubelet-client kubernetes "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
	magnum_sign controller-manager kubernetes "/CN=system:kube-controller-manager" clientAuth
	magnum_sign scheduler kubernetes "/CN=system:kube-scheduler" clientAuth
	magnum_sign admin kubernetes "/O=system:masters/CN=admin" clientAuth
	magnum_sign front-proxy-client front_proxy "/CN=front-proxy-client" clientAuth
	magnum_sign apiserver-etcd-client etcd "/CN=kube-apiserver-etcd-client" clientAuth
	magnum_sign etcd-server etcd "/CN=$NODE_NAME" serverAuth,clientAuth "IP:$NODE_IP,IP:127.0.0.1,DNS:localhost,DNS:$NODE_NAME"
	magnum_sign etcd-peer etcd "/CN=$NODE_NAME" serverAuth,clientAuth "IP:$NODE_IP,DNS:$NODE_NAME"
	for name in controller-manager scheduler admin; do
		k8s_kubeconfig "$K8S_DIR/$name.conf" "https://127.0.0.1:$API_PORT" "$name"
	done
}

# etcdctl_on ENDPOINT ARGS...: etcdctl of the etcd image against ENDPOINT.
etcdctl_on() {
	local endpoint=$1
	shift
	podman run --rm --net host -v "$PKI:$PKI:ro" "quay.io/coreos/etcd:$ETCD_TAG" etcdctl \
		--endpoints "$endpoint" --cacert "$PKI/etcd-ca.crt" \
		--cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" "$@"
}

# k8s_etcd: starts this master's etcd member. The primary master starts a
# new cluster; the others join it, one at a time since etcd refuses a
# member while another has not started yet.
k8s_etcd() {
	local state=new initial="$NODE_NAME=https://$NODE_IP:2380" out i
	magnum_volume "${ETCD_VOLUME:-}" /var/lib/etcd
	mkdir -p /var/lib/etcd
	if [ -n "$PRIMARY_ADDRESS" ] && [ ! -d /var/lib/etcd/member ]; then
		state=existing
		for i in $(seq 1 120); do
			if out=$(etcdctl_on "https://$PRIMARY_ADDRESS:2379" member add "$NODE_NAME" \
				--peer-urls "https://$NODE_IP:2380" 2>&1); then
				break
			fi
			magnum_log "etcd member add refused, retrying ($i): $out"
			sleep 10
		done
		initial=$(printf '%s\n' "$out" | sed -n 's/^ETCD_INITIAL_CLUSTER="\(.*\)"$/\1/p')
		if [ -z "$initial" ]; then
			magnum_log "could not join etcd at $PRIMARY_ADDRESS: $out"
			return 1
		fi
	fi
	cat >/etc/systemd/system/etcd.service <<CFG
[Unit]
Description=etcd member of the Kubernetes control plane
After=network-online.target
Wants=network-online.target

[Service]
ExecStartPre=-/usr/bin/podman rm -f etcd
ExecStart=/usr/bin/podman run --name etcd --net host -v /var/lib/etcd:/var/lib/etcd:Z -v $PKI:$PKI:ro quay.io/coreos/etcd:$ETCD_TAG etcd --name $NODE_NAME --data-dir /var/lib/etcd --listen-client-urls https://$NODE_IP:2379,$ETCD_ENDPOINT --advertise-client-urls https://$NODE_IP:2379 --listen-peer-urls https://$NODE_IP:2380 --initial-advertise-peer-urls https://$NODE_IP:2380 --initial-cluster $initial --initial-cluster-state $state --initial-cluster-token $CLUSTER_UUID --client-cert-auth --trusted-ca-file $PKI/etcd-ca.crt --cert-file $PKI/etcd-server.crt --key-file $PKI/etcd-server.key --peer-client-cert-auth --peer-trusted-ca-file $PKI/etcd-ca.crt --peer-cert-file $PKI/etcd-peer.crt --peer-key-file $PKI/etcd-peer.key
ExecStop=/usr/bin/podman stop etcd
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
CFG
	systemctl daemon-reload
	systemctl enable etcd
	systemctl restart etcd
}

# k8s_static_pod NAME COMMAND...: writes the static pod of a control-plane
# component running the KUBE_TAG image with the host's /etc/kubernetes.
k8s_static_pod() {
	local name=$1 arg
	shift
	{
		cat <<CFG
apiVersion: v1
kind: Pod
metadata:
  name: $name
  namespace: kube-system
  labels:
    component: $name
    tier: control-plane
spec:
  hostNetwork: true
  priorityClassName: system-node-critical
  containers:
  - name: $name
    image: registry.k8s.io/$name:$KUBE_TAG
    command:
    - $name
CFG
		for arg in "$@"; do
			printf '    - %s\n' "$arg"
		done
		cat <<CFG
    volumeMounts:
    - name: k8s
      mountPath: $K8S_DIR
      readOnly: true
  volumes:
  - name: k8s
    hostPath:
      path: $K8S_DIR
CFG
	} >"$MANIFESTS/$name.yaml.new"
	mv -f "$MANIFESTS/$name.yaml.new" "$MANIFESTS/$name.yaml"
}

# k8s_control_plane: the API server, controller manager and scheduler.
k8s_control_plane() {
	local cloud=()
	if [ "${CLOUD_PROVIDER_ENABLED:-false}" = true ]; then
		cloud=(--cloud-provider=external)
	fi
	mkdir -p "$MANIFESTS"
	k8s_static_pod kube-apiserver \
		"--advertise-address=$NODE_IP" --allow-privileged=true --authorization-mode=Node,RBAC \
		"--client-ca-file=$PKI/ca.crt" --enable-admission-plugins=NodeRestriction \
		"--etcd-servers=$ETCD_ENDPOINT" "--etcd-cafile=$PKI/etcd-ca.crt" \
		"--etcd-certfile=$PKI/apiserver-etcd-client.crt" "--etcd-keyfile=$PKI/apiserver-etcd-client.key" \
		"--kubelet-client-certificate=$PKI/apiserver-kubelet-client.crt" \
		"--kubelet-client-key=$PKI/apiserver-kubelet-client.key" \
		--kubelet-preferred-address-types=InternalIP,Hostname \
		"--proxy-client-cert-file=$PKI/front-proxy-client.crt" "--proxy-client-key-file=$PKI/front-proxy-client.key" \
		"--requestheader-client-ca-file=$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
		--requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group \
		--requestheader-username-headers=X-Remote-User "--secure-port=$API_PORT" \
		"--service-account-issuer=https://kubernetes.default.svc.$DNS_DOMAIN" \
		"--service-account-key-file=$PKI/sa.pub" "--service-account-signing-key-file=$PKI/sa.key" \
		"--service-cluster-ip-range=$SERVICE_CIDR" \
		"--tls-cert-file=$PKI/apiserver.crt" "--tls-private-key-file=$PKI/apiserver.key"
	k8s_static_pod kube-controller-manager \
		"--kubeconfig=$K8S_DIR/controller-manager.conf" \
		"--authentication-kubeconfig=$K8S_DIR/controller-manager.conf" \
		"--authorization-kubeconfig=$K8S_DIR/controller-manager.conf" \
		--bind-address=127.0.0.1 "--client-ca-file=$PKI/ca.crt" \
		--allocate-node-cidrs=true "--cluster-cidr=$POD_CIDR" "--cluster-name=$CLUSTER_UUID" \
		--leader-elect=true "--requestheader-client-ca-file=$PKI/front-proxy-ca.crt" \
		"--root-ca-file=$PKI/ca.crt" "--service-account-private-key-file=$PKI/sa.key" \
		"--service-cluster-ip-range=$SERVICE_CIDR" --use-service-account-credentials=true "${cloud[@]}"
	k8s_static_pod kube-scheduler \
		"--kubeconfig=$K8S_DIR/scheduler.conf" \
		"--authentication-kubeconfig=$K8S_DIR/scheduler.conf" \
		"--authorization-kubeconfig=$K8S_DIR/scheduler.conf" \
		--bind-address=127.0.0.1 --leader-elect=true
}

# k8s_insecure_port: with TLS disabled the API is also served without
# authentication on port 8080, as Magnum does, by a proxy holding the
# admin certificate.
k8s_insecure_port() {
	cat >/etc/systemd/system/kube-insecure-api.service <<CFG
[Unit]
Description=Kubernetes API without TLS (cluster template tls_disabled)
After=kubelet.service

[Service]
ExecStart=$BIN/kubectl --kubeconfig $K8S_DIR/admin.conf proxy --address 0.0.0.0 --port 8080 --accept-hosts .*
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
CFG
	systemctl daemon-reload
	systemctl enable kube-insecure-api
	systemctl restart kube-insecure-api
}
