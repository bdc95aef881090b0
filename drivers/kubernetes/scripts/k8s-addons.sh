#!/bin/bash
# k8s-addons.sh: what the primary master deploys once the API is up: the
# pod network (flannel or calico), CoreDNS, and, as the labels ask, the
# OpenStack cloud controller manager, auto-healing and the autoscaler.
# Sourced after k8s-lib.sh; never run.

k8s_cni() {
	local manifest
	manifest=$(mktemp)
	case $NETWORK_DRIVER in
	flannel)
		magnum_fetch "https://github.com/flannel-io/flannel/releases/download/$FLANNEL_TAG/kube-flannel.yml" "$manifest"
		sed -i -e "s#10.244.0.0/16#$POD_CIDR#" -e "s#\"Type\": \"vxlan\"#\"Type\": \"$FLANNEL_BACKEND\"#" "$manifest"
		kubectl_admin apply -f "$manifest"
		;;
	calico)
		magnum_fetch "https://raw.githubusercontent.com/projectcalico/calico/$CALICO_TAG/manifests/tigera-operator.yaml" "$manifest"
		kubectl_admin create -f "$manifest" || kubectl_admin replace -f "$manifest"
		kubectl_admin wait --for condition=established --timeout=300s crd/installations.operator.tigera.io
		kubectl_admin apply -f - <<CFG
apiVersion: operator.tigera.io/v1
kind: Installation
metadata:
  name: default
spec:
  calicoNetwork:
    ipPools:
    - cidr: $POD_CIDR
      encapsulation: VXLANCrossSubnet
      natOutgoing: Enabled
      nodeSelector: all()
CFG
		;;
	*)
		magnum_log "unknown network driver $NETWORK_DRIVER"
		return 1
		;;
	esac
	rm -f "$manifest"
}

k8s_coredns() {
	kubectl_admin apply -f - <<CFG
apiVersion: v1
kind: ServiceAccount
metadata:
  name: coredns
  namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:coredns
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:coredns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:coredns
subjects:
- kind: ServiceAccount
  name: coredns
  namespace: kube-system
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: coredns
  namespace: kube-system
data:
  Corefile: |
    .:53 {
        errors
        health
        ready
        kubernetes $DNS_DOMAIN in-addr.arpa ip6.arpa {
            pods insecure
            fallthrough in-addr.arpa ip6.arpa
        }
        prometheus :9153
        forward . /etc/resolv.conf
        cache 30
        loop
        reload
        loadbalance
    }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
spec:
  replicas: 2
  selector:
    matchLabels:
      k8s-app: kube-dns
  template:
    metadata:
      labels:
        k8s-app: kube-dns
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        effect: NoSchedule
      - key: CriticalAddonsOnly
        operator: Exists
      containers:
      - name: coredns
        image: registry.k8s.io/coredns/coredns:$COREDNS_TAG
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - {containerPort: 53, name: dns, protocol: UDP}
        - {containerPort: 53, name: dns-tcp, protocol: TCP}
        - {containerPort: 9153, name: metrics, protocol: TCP}
        readinessProbe:
          httpGet: {path: /ready, port: 8181}
        livenessProbe:
          httpGet: {path: /health, port: 8080}
        volumeMounts:
        - {name: config, mountPath: /etc/coredns, readOnly: true}
      volumes:
      - name: config
        configMap:
          name: coredns
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
spec:
  selector:
    k8s-app: kube-dns
  clusterIP: $DNS_SERVICE_IP
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
  - {name: metrics, port: 9153, protocol: TCP}
CFG
}

# k8s_cloud_config: the OpenStack credentials of the in-cluster controllers:
# the trustee, scoped to the cluster's trust.
k8s_cloud_config() {
	cat <<CFG
[Global]
auth-url=$AUTH_URL
user-id=$TRUSTEE_USER_ID
password=$TRUSTEE_PASSWORD
trust-id=$TRUST_ID
[LoadBalancer]
floating-network-id=$EXTERNAL_NETWORK_ID
CFG
}

k8s_cloud_provider() {
	local f base="https://raw.githubusercontent.com/kubernetes/cloud-provider-openstack/$CLOUD_PROVIDER_TAG/manifests/controller-manager"
	kubectl_admin -n kube-system create secret generic cloud-config \
		--from-file=cloud.conf=<(k8s_cloud_config) --dry-run=client -o yaml | kubectl_admin apply -f -
	for f in cloud-controller-manager-roles.yaml cloud-controller-manager-role-bindings.yaml openstack-cloud-controller-manager-ds.yaml; do
		kubectl_admin apply -f "$base/$f"
	done
}

# k8s_controller NAME IMAGE ARGS...: a one-replica controller on the
# masters with the cloud config mounted at /etc/magnum-cloud, bound to
# cluster-admin.
k8s_controller() {
	local name=$1 image=$2 arg
	shift 2
	kubectl_admin -n kube-system create secret generic "$name-cloud-config" \
		--from-file=cloud-config=<(k8s_cloud_config) --dry-run=client -o yaml | kubectl_admin apply -f -
	{
		cat <<CFG
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $name
  namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: magnum:$name
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: $name
  namespace: kube-system
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $name
  namespace: kube-system
spec:
  replicas: 1
  selector:
    matchLabels:
      app: $name
  template:
    metadata:
      labels:
        app: $name
    spec:
      serviceAccountName: $name
      nodeSelector:
        node-role.kubernetes.io/control-plane: ""
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        effect: NoSchedule
      containers:
      - name: $name
        image: $image
        args:
CFG
		for arg in "$@"; do
			printf '        - %s\n' "$arg"
		done
		cat <<CFG
        volumeMounts:
        - {name: cloud-config, mountPath: /etc/magnum-cloud, readOnly: true}
      volumes:
      - name: cloud-config
        secret:
          secretName: $name-cloud-config
CFG
	} | kubectl_admin apply -f -
}

k8s_auto_healing() {
	case $AUTO_HEALING_CONTROLLER in
	magnum-auto-healer)
		k8s_controller magnum-auto-healer "registry.k8s.io/provider-os/magnum-auto-healer:$CLOUD_PROVIDER_TAG" \
			--cloud-config=/etc/magnum-cloud/cloud-config "--cluster-name=$CLUSTER_UUID" --v=2
		;;
	draino)
		k8s_controller draino "planetlabs/draino:$DRAINO_TAG" --node-label=magnum.openstack.org/role=worker \
			KernelDeadlock OutOfDisk ReadonlyFilesystem
		;;
	esac
}

k8s_autoscaler() {
	k8s_controller cluster-autoscaler "registry.k8s.io/autoscaling/cluster-autoscaler:$AUTOSCALER_TAG" \
		--cloud-provider=magnum --cloud-config=/etc/magnum-cloud/cloud-config "--cluster-name=$CLUSTER_UUID" \
		"--nodes=$MIN_NODE_COUNT:$MAX_NODE_COUNT:$DEFAULT_WORKER_NODEGROUP" --v=2
}

# k8s_addons: everything the primary master deploys into the cluster.
k8s_addons() {
	k8s_cni
	k8s_coredns
	if [ "${CLOUD_PROVIDER_ENABLED:-false}" = true ]; then
		k8s_cloud_provider
	fi
	if [ "${AUTO_HEALING_ENABLED:-false}" = true ]; then
		k8s_auto_healing
	fi
	if [ "${AUTO_SCALING_ENABLED:-false}" = true ]; then
		k8s_autoscaler
	fi
}
