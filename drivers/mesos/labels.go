package mesos

import "github.com/gomagnum/gomagnum/drivers/internal/clusterstack"

// Labels is the schema of the labels the driver understands, with their
// defaults. doc.go documents the same table.
var Labels = clusterstack.LabelSet{
	{Name: "mesos_tag", Default: "1.9.0", Kind: clusterstack.Tag, Doc: "Version of the mesosphere/mesos-master and mesos-slave images."},
	{Name: "marathon_tag", Default: "v1.11.24", Kind: clusterstack.Tag, Doc: "Version of the mesosphere/marathon image."},
	{Name: "zookeeper_tag", Default: "3.8", Kind: clusterstack.Tag, Doc: "Version of the zookeeper image on the masters."},
	{Name: "mesos_slave_isolation", Default: "", Kind: clusterstack.Text, Doc: "Isolation mechanisms of the agents (MESOS_ISOLATION)."},
	{Name: "mesos_slave_image_providers", Default: "", Kind: clusterstack.Text, Doc: "Container image providers of the agents (docker, appc)."},
	{Name: "mesos_slave_work_dir", Default: "/var/lib/mesos", Kind: clusterstack.Text, Doc: "Work directory of the agents."},
	{Name: "mesos_slave_executor_env_variables", Default: "", Kind: clusterstack.Text, Doc: "JSON object of environment variables of the executors."},
	{Name: "docker_volume_type", Default: "", Kind: clusterstack.Text, Doc: "Cinder volume type of the container volumes."},
	{Name: "fixed_subnet_cidr", Default: clusterstack.DefaultSubnetCIDR, Kind: clusterstack.CIDR, Doc: "CIDR of the private subnet the stack creates."},
	{Name: "master_lb_floating_ip_enabled", Default: "", Kind: clusterstack.Bool, Doc: "Floating IP on the API load balancer; empty follows floating_ip_enabled."},
	{Name: "availability_zone", Default: "", Kind: clusterstack.Text, Doc: "Nova availability zone of the nodes."},
	{Name: "rexray_preempt", Default: "false", Kind: clusterstack.Bool, Doc: "Let rexray take a volume over from another node."},
	{Name: "rexray_image", Default: "openstackmagnum/rexray:alpine", Kind: clusterstack.Text, Doc: "Image of the rexray volume plugin (volume_driver rexray)."},
}
