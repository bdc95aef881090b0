// Package swarm is gomagnum's built-in driver for Docker Swarm mode on
// Fedora CoreOS (swarm_fedora_coreos_v1), serving (vm, fedora-coreos,
// swarm-mode).
//
// Magnum's swarm-mode driver served (vm, fedora-atomic, swarm-mode) with
// cloud-init boot scripts. Fedora Atomic is end of life and this driver's
// nodes boot from Ignition, which only Fedora CoreOS images run, so it
// claims fedora-coreos alone: a template with a fedora-atomic or plain
// fedora image finds no driver instead of a cluster that never boots.
//
// # Stacks
//
// The cluster stack is the shared primary/secondary topology: a private
// network unless the cluster names a fixed one, security groups for
// managers and workers, an optional Octavia load balancer in front of the
// Docker API with an optional floating IP, a primary manager that runs
// docker swarm init, the other managers and the workers, which join with
// the tokens they read from the primary's API. Workers have removal
// policies, so a resize names the nodes to remove. Each node gets an
// optional Cinder volume for /var/lib/docker (docker_volume_size) and
// signals a wait condition once it has joined.
//
// The Docker API is served with TLS on port 2376 (api_address
// tcp://<address>:2376), with a server certificate each node has the
// service sign (a key and a CSR made on the node, POST /v1/certificates
// with the cluster trustee's token), verifying clients against the
// cluster CA; with tls_disabled it is served on 2375 without TLS.
//
// An extra worker node group gets a stack of its own from the same
// template (is_cluster_stack false): its workers, their security group and
// server group, on the cluster's network. They boot with the cluster's
// worker config; knowing no manager's address, they read the join token
// and the managers' addresses from the Docker API at the cluster's
// api_address, then join as the default workers do. Such a group is
// resized through its own stack and deleted with it.
//
// Swarm clusters have no upgrade and no CA rotation: those calls return
// ErrNotSupported.
//
// # Labels
//
//	label                          default                        meaning
//	docker_volume_type             ""                             Cinder type of the container volumes
//	fixed_subnet_cidr              10.0.0.0/24                    CIDR of the private subnet
//	master_lb_floating_ip_enabled  "" (floating_ip_enabled)       floating IP on the API load balancer
//	availability_zone              ""                             Nova availability zone
//	rexray_preempt                 false                          let rexray take a volume over from another node
//	rexray_image                   openstackmagnum/rexray:alpine  image of the rexray volume plugin
//
// Network drivers: docker (default) and flannel; both give swarm mode's
// own overlay network, as in Magnum's swarm-mode driver. Volume driver:
// rexray, run on every node with the trustee's credentials.
//
// # Health
//
// Health asks the Docker API of the manager behind api_address, with the
// cluster's client certificate, for /info and /nodes: HEALTHY when it is an
// active manager and every node is ready. A cluster without a public
// address is UNKNOWN.
package swarm
