// Package kubernetes is gomagnum's built-in driver for Kubernetes on
// Fedora CoreOS (k8s_fedora_coreos_v1), serving (vm, fedora-coreos,
// kubernetes).
//
// # Stacks
//
// The cluster stack (kubecluster.yaml) holds a private network, subnet
// and router unless the cluster names a fixed network; security groups
// for masters and workers; an optional Octavia load balancer in front of
// the API (master_lb_enabled) with an optional floating IP; a primary
// master, the other masters (which join the primary's etcd) and the
// default workers as ResourceGroups of kubenode.yaml. Workers have removal
// policies, so a resize names the nodes to remove (indexes or server IDs).
// Each node gets an optional container volume (docker_volume_size), masters
// an optional etcd volume (label etcd_volume_size), and each signals a wait
// condition once it has joined. Extra node groups get a stack of their
// own from the same template with is_cluster_stack false: their workers
// only, on the cluster's network, joining through its API address.
//
// # Nodes
//
// Nodes boot from an Ignition config (spec 3.4) that installs Kubernetes
// kube_tag, has the service sign every certificate the node needs (a key
// and a CSR made on the node, POST /v1/certificates with the cluster
// trustee's token), runs etcd, the control plane as static pods and the
// addons (flannel or calico, CoreDNS, optionally the OpenStack cloud
// controller manager, auto-healing and the cluster autoscaler). The CA
// certificates come from the cluster's boot data. Upgrades (a new
// kube_tag, max_batch_size nodes at a time) and CA rotations reach running
// nodes through a software deployment applied by the heat-container-agent.
// RotateCAStack's update is meant for the cluster stack and for every
// node-group stack, whose workers need the new CAs too.
//
// # Labels
//
// Labels of the template, then of the cluster, then of a node group (for
// its stack) apply; unknown labels are ignored.
//
//	label                          default               meaning
//	kube_tag                       v1.30.4               Kubernetes version
//	container_runtime              containerd            container runtime (containerd only)
//	cni_plugins_tag                v1.5.1                reference CNI plugins version
//	flannel_network_cidr           10.100.0.0/16         pod network with flannel
//	flannel_backend                vxlan                 vxlan, host-gw or wireguard
//	flannel_tag                    v0.25.6               flannel version
//	calico_ipv4pool                10.100.0.0/16         pod network with calico
//	calico_tag                     v3.28.1               calico version
//	service_cluster_ip_range       10.254.0.0/16         service network; DNS takes its 10th address
//	dns_cluster_domain             cluster.local         cluster DNS domain
//	coredns_tag                    v1.11.3               CoreDNS version
//	etcd_tag                       v3.5.15               etcd version
//	etcd_volume_size               0                     GB of a Cinder volume for each master's etcd; 0: none
//	etcd_volume_type               ""                    Cinder type of the etcd volumes
//	docker_volume_type             ""                    Cinder type of the container volumes
//	fixed_subnet_cidr              10.0.0.0/24           CIDR of the private subnet
//	master_lb_floating_ip_enabled  "" (floating_ip_enabled)  floating IP on the API load balancer
//	availability_zone              ""                    Nova availability zone
//	cloud_provider_enabled         false                 OpenStack cloud controller manager; needs a trust
//	cloud_provider_tag             v1.30.0               cloud controller manager and auto-healer version
//	auto_healing_enabled           false                 replace broken nodes; health is then the controller's
//	auto_healing_controller        magnum-auto-healer    magnum-auto-healer or draino
//	draino_tag                     abf3c56               draino version
//	auto_scaling_enabled           false                 cluster autoscaler on the default workers
//	autoscaler_tag                 v1.30.2               cluster-autoscaler version
//	min_node_count                 "" (group's minimum)  autoscaler's lower bound
//	max_node_count                 "" (node_count + 1)   autoscaler's upper bound
//	update_pause_time              30                    seconds between two batches of an upgrade
//	heat_container_agent_tag       wallaby-stable-1      agent applying upgrades and CA rotations
//
// Network drivers: flannel (default) and calico. Volume driver: cinder,
// which needs cloud_provider_enabled. Several masters need a load
// balancer. With tls_disabled the API is served on http://<address>:8080,
// else on https://<address>:6443.
//
// # Health
//
// Health asks the API server, with the cluster's client certificate, for
// /healthz and for its nodes: HEALTHY when /healthz answers ok and every
// node is Ready. A cluster without a public address is UNKNOWN.
package kubernetes
