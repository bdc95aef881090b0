package swarm

import "github.com/gomagnum/gomagnum/drivers/internal/clusterstack"

// Labels is the schema of the labels the driver understands, with their
// defaults. doc.go documents the same table.
var Labels = clusterstack.LabelSet{
	{Name: "docker_volume_type", Default: "", Kind: clusterstack.Text, Doc: "Cinder volume type of the container volumes."},
	{Name: "fixed_subnet_cidr", Default: clusterstack.DefaultSubnetCIDR, Kind: clusterstack.CIDR, Doc: "CIDR of the private subnet the stack creates."},
	{Name: "master_lb_floating_ip_enabled", Default: "", Kind: clusterstack.Bool, Doc: "Floating IP on the API load balancer; empty follows floating_ip_enabled."},
	{Name: "availability_zone", Default: "", Kind: clusterstack.Text, Doc: "Nova availability zone of the nodes."},
	{Name: "rexray_preempt", Default: "false", Kind: clusterstack.Bool, Doc: "Let rexray take a volume over from another node."},
	{Name: "rexray_image", Default: "openstackmagnum/rexray:alpine", Kind: clusterstack.Text, Doc: "Image of the rexray volume plugin (volume_driver rexray)."},
}
