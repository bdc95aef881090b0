// Package mesos is gomagnum's built-in driver for Apache Mesos with
// Marathon on Ubuntu (mesos_ubuntu_v1), serving (vm, ubuntu, mesos).
//
// # Stacks
//
// The cluster stack is the shared primary/secondary topology: a private
// network unless the cluster names a fixed one, security groups for
// masters and agents, an optional Octavia load balancer in front of the
// Mesos API (5050) and Marathon (8080) with an optional floating IP, a
// primary master, the other masters and the agents. Agents have removal
// policies, so a resize names the nodes to remove. Each node gets an
// optional Cinder volume for /var/lib/docker (docker_volume_size) and
// signals a wait condition once it has joined.
//
// Nodes boot from a cloud-config that installs Docker and runs the Mesos
// components in containers: on masters ZooKeeper (the primary starts the
// ensemble, the others join it by dynamic reconfiguration), a Mesos master
// and Marathon; on agents a Mesos agent pointed at every master's
// ZooKeeper. With TLS, libprocess serves and requires certificates that
// each node has the service sign (a key and a CSR made on the node, POST
// /v1/certificates with the cluster trustee's token); Marathon's own HTTP
// API stays on plain http. api_address is the bare IP of the masters'
// entry point, as in Magnum.
//
// An extra agent node group gets a stack of its own from the same template
// (is_cluster_stack false): its agents, their security group and server
// group, on the cluster's network. They boot with the cluster's agent
// config; knowing no master's address, they read the masters' ZooKeeper
// URL from the Mesos API at the cluster's api_address (/master/flags),
// then register as the default agents do. Such a group is resized through
// its own stack and deleted with it; health counts its agents.
//
// Mesos clusters have no upgrade and no CA rotation: those calls return
// ErrNotSupported.
//
// # Labels
//
//	label                               default                        meaning
//	mesos_tag                           1.9.0                          mesosphere/mesos-master and mesos-slave version
//	marathon_tag                        v1.11.24                       mesosphere/marathon version
//	zookeeper_tag                       3.8                            zookeeper image version
//	mesos_slave_isolation               ""                             agents' isolation mechanisms
//	mesos_slave_image_providers         ""                             agents' image providers (docker, appc)
//	mesos_slave_work_dir                /var/lib/mesos                 agents' work directory (absolute)
//	mesos_slave_executor_env_variables  ""                             JSON object of executor environment variables
//	docker_volume_type                  ""                             Cinder type of the container volumes
//	fixed_subnet_cidr                   10.0.0.0/24                    CIDR of the private subnet
//	master_lb_floating_ip_enabled       "" (floating_ip_enabled)       floating IP on the load balancer
//	availability_zone                   ""                             Nova availability zone
//	rexray_preempt                      false                          let rexray take a volume over from another node
//	rexray_image                        openstackmagnum/rexray:alpine  image of the rexray volume plugin
//
// Network driver: docker. Volume driver: rexray, run on the agents with
// the trustee's credentials.
//
// # Health
//
// Health asks the Mesos master at api_address (https with the cluster's
// client certificate, or http without TLS) for /master/state: HEALTHY when
// a leader is elected and as many agents are registered and active as the
// worker group has nodes. A cluster without a public address is UNKNOWN.
package mesos
