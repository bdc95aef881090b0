// Package e2e holds gomagnum's end-to-end tests. It has no code of its own.
//
// One scenario per built-in driver (Kubernetes on Fedora CoreOS, Swarm
// mode, Mesos) is driven through magnumd's REST API with the real
// `openstack coe` CLI, against two deployments held to one behaviour:
//
//   - embedded: magnumd on its defaults, the HOT engine over the simulated
//     cloud, noauth;
//   - real: magnumd with cloud.type openstack, orchestrator.type heat and
//     Keystone auth, against the mini OpenStack that scripts/minicloud.sh
//     runs on loopback (Keystone, Heat, Nova with the fake virt driver,
//     Neutron, Cinder, Octavia, Glance). The Kubernetes scenario runs as a
//     non-admin member of a project of its own, with that user's keypair.
//
// Nova's fake virt driver boots no guest, so nothing would run a node's
// boot script. The tests stand in for the booted guest, and only for
// that: they read each server's user data from Nova and do what the boot
// script does to report back (signal the node's wait condition, and the
// software deployments Heat hands the node's agent), so that Heat decides
// when a stack is complete. Nothing in the product knows of the stand-in.
//
// The real deployment needs the mini OpenStack's env file: the tests read
// $GOMAGNUM_STATE/minicloud/env (scripts/test.sh starts it). Without it
// they skip, except with GOMAGNUM_REQUIRE_REAL=1, where they fail.
package e2e
