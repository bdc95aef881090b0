package kubernetes

import "github.com/gomagnum/gomagnum/drivers/internal/clusterstack"

// Labels is the schema of the labels the driver understands, with their
// defaults. doc.go documents the same table.
var Labels = clusterstack.LabelSet{
	{Name: "kube_tag", Default: "v1.30.4", Kind: clusterstack.Tag, Doc: "Kubernetes version of every component."},
	{Name: "container_runtime", Default: "containerd", Kind: clusterstack.Enum, Values: []string{"containerd"}, Doc: "Container runtime of the kubelets."},
	{Name: "cni_plugins_tag", Default: "v1.5.1", Kind: clusterstack.Tag, Doc: "Version of the reference CNI plugins."},
	{Name: "flannel_network_cidr", Default: "10.100.0.0/16", Kind: clusterstack.CIDR, Doc: "Pod network with flannel."},
	{Name: "flannel_backend", Default: "vxlan", Kind: clusterstack.Enum, Values: []string{"vxlan", "host-gw", "wireguard"}, Doc: "flannel backend."},
	{Name: "flannel_tag", Default: "v0.25.6", Kind: clusterstack.Tag, Doc: "flannel version."},
	{Name: "calico_ipv4pool", Default: "10.100.0.0/16", Kind: clusterstack.CIDR, Doc: "Pod network with calico."},
	{Name: "calico_tag", Default: "v3.28.1", Kind: clusterstack.Tag, Doc: "calico version."},
	{Name: "service_cluster_ip_range", Default: "10.254.0.0/16", Kind: clusterstack.CIDR, Doc: "Service (portal) network; the DNS service takes its tenth address."},
	{Name: "dns_cluster_domain", Default: "cluster.local", Kind: clusterstack.Tag, Doc: "Cluster DNS domain."},
	{Name: "coredns_tag", Default: "v1.11.3", Kind: clusterstack.Tag, Doc: "CoreDNS version."},
	{Name: "etcd_tag", Default: "v3.5.15", Kind: clusterstack.Tag, Doc: "etcd version."},
	{Name: "etcd_volume_size", Default: "0", Kind: clusterstack.Int, Doc: "Size in GB of a Cinder volume for each master's etcd data; 0 for none."},
	{Name: "etcd_volume_type", Default: "", Kind: clusterstack.Text, Doc: "Cinder volume type of the etcd volumes."},
	{Name: "docker_volume_type", Default: "", Kind: clusterstack.Text, Doc: "Cinder volume type of the container volumes."},
	{Name: "fixed_subnet_cidr", Default: clusterstack.DefaultSubnetCIDR, Kind: clusterstack.CIDR, Doc: "CIDR of the private subnet the stack creates."},
	{Name: "master_lb_floating_ip_enabled", Default: "", Kind: clusterstack.Bool, Doc: "Floating IP on the API load balancer; empty follows floating_ip_enabled."},
	{Name: "availability_zone", Default: "", Kind: clusterstack.Text, Doc: "Nova availability zone of the nodes."},
	{Name: "cloud_provider_enabled", Default: "false", Kind: clusterstack.Bool, Doc: "Run the OpenStack cloud controller manager (needs a trust, see the trust_id of the boot data)."},
	{Name: "cloud_provider_tag", Default: "v1.30.0", Kind: clusterstack.Tag, Doc: "Version of the OpenStack cloud controller manager and the auto-healer."},
	{Name: "auto_healing_enabled", Default: "false", Kind: clusterstack.Bool, Doc: "Replace broken nodes automatically; the service then leaves health checks to the controller."},
	{Name: "auto_healing_controller", Default: "magnum-auto-healer", Kind: clusterstack.Enum, Values: []string{"magnum-auto-healer", "draino"}, Doc: "The auto-healing controller."},
	{Name: "draino_tag", Default: "abf3c56", Kind: clusterstack.Tag, Doc: "draino version."},
	{Name: "auto_scaling_enabled", Default: "false", Kind: clusterstack.Bool, Doc: "Run the cluster autoscaler on the default worker group."},
	{Name: "autoscaler_tag", Default: "v1.30.2", Kind: clusterstack.Tag, Doc: "cluster-autoscaler version."},
	{Name: "min_node_count", Default: "", Kind: clusterstack.Int, Min: 0, Doc: "Smallest worker count the autoscaler keeps; empty: the group's min_node_count."},
	{Name: "max_node_count", Default: "", Kind: clusterstack.Int, Min: 1, Doc: "Largest worker count the autoscaler reaches; empty: node_count + 1."},
	{Name: "update_pause_time", Default: "30", Kind: clusterstack.Int, Doc: "Seconds between two batches of nodes during an upgrade."},
	{Name: "heat_container_agent_tag", Default: "wallaby-stable-1", Kind: clusterstack.Tag, Doc: "Version of the agent that applies upgrades and CA rotations."},
}
