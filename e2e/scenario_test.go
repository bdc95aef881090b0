package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/clusters"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/nodegroups"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deployment is one place the scenario runs: how to reach magnumd as the
// scenario's user, what the cloud offers, and the cloud's own view of the
// servers and of what is left after the deletes.
type deployment struct {
	name string
	// user runs the CLI as the scenario's (non-admin) user; api is the
	// container-infra client of the same user, to wait without forking a
	// CLI per poll.
	user *coe
	api  *gophercloud.ServiceClient
	// admin runs the CLI as a cloud admin.
	admin *coe
	// images maps os_distro to an image of the cloud with it.
	images                   map[string]string
	flavor, network, keypair string
	// servers lists the servers of the user's project.
	servers func(t *testing.T) []server
	// timeout bounds each cluster operation.
	timeout time.Duration
	// reconfigures: the deployment's nodes apply the software deployments
	// of upgrades and CA rotations (the simulated guests, or the guest
	// stand-in's Heat agent).
	reconfigures bool
	// limitServers sets the servers the user's project may have;
	// unschedulable returns a flavor no host can take.
	limitServers  func(t *testing.T, n int)
	unschedulable func(t *testing.T) string
	// owned, when set, checks that a stack and all it made belong to the
	// user's project.
	owned func(t *testing.T, stackID string)
}

// checkOwned checks a stack's project where the deployment can.
func (d *deployment) checkOwned(t *testing.T, stackID string) {
	t.Helper()
	if d.owned != nil {
		d.owned(t, stackID)
	}
}

// server is a Nova server as the scenario needs it.
type server struct {
	ID, Name string
	// Addresses are its fixed and floating IPv4 addresses.
	Addresses []string
}

// driverCase is one built-in driver and what its scenario does.
type driverCase struct {
	coe, distro, networkDriver string
	// lb and volume turn on the master load balancer and Cinder volumes.
	lb, volume bool
	// upgrade, rotate and config: the driver upgrades, rotates its CA
	// and renders client configuration (what Magnum's drivers support).
	upgrade, rotate bool
	config          string // the file `cluster config` writes, "" if none
}

var drivers = []driverCase{
	{coe: "kubernetes", distro: "fedora-coreos", networkDriver: "flannel", lb: true, volume: true,
		upgrade: true, rotate: true, config: "config"},
	{coe: "swarm-mode", distro: "fedora-coreos", networkDriver: "docker", config: "cert.pem"},
	{coe: "mesos", distro: "ubuntu", networkDriver: "docker"},
}

// scenario runs one driver's whole life on a deployment, returning the
// UUID of the cluster it made and deleted, and the time of each step.
func scenario(t *testing.T, d *deployment, dc driverCase) (string, map[string]time.Duration) {
	times := map[string]time.Duration{}
	step := func(name string, f func()) {
		t.Helper()
		start := time.Now()
		f()
		times[name] = time.Since(start)
		t.Logf("%s %s: %s in %s", d.name, dc.coe, name, times[name].Round(100*time.Millisecond))
	}
	tpl := templateCreate(t, d, dc, "")
	name := "e2e-" + strings.ReplaceAll(dc.coe, "-", "") + "-" + randomSuffix()
	var cl cluster
	step("create", func() {
		d.user.run(t, "cluster", "create", name, "--cluster-template", tpl, "--master-count", "1",
			"--node-count", "1", "--keypair", d.keypair, "--timeout", "20")
		t.Cleanup(func() { deleteIfFailed(t, d, name) })
		cl = waitCluster(t, d, name, "CREATE_COMPLETE")
	})
	checkAddresses(t, d, cl, 1)
	d.checkOwned(t, cl.stack())
	step("resize up", func() {
		d.user.run(t, "cluster", "resize", cl.UUID, "2")
		cl = waitCluster(t, d, cl.UUID, "UPDATE_COMPLETE")
		require.Equal(t, 2, cl.NodeCount)
	})
	checkAddresses(t, d, cl, 2)
	step("resize down", func() { resizeDown(t, d, &cl) })
	step("node group", func() { nodeGroupAddRemove(t, d, cl) })
	if dc.upgrade && d.reconfigures {
		tpl2 := templateCreate(t, d, dc, "kube_tag=v1.31.1")
		step("upgrade", func() {
			d.user.run(t, "cluster", "upgrade", cl.UUID, tpl2)
			cl = waitCluster(t, d, cl.UUID, "UPDATE_COMPLETE")
		})
	}
	if dc.rotate && d.reconfigures {
		step("ca rotate", func() {
			before := d.user.run(t, "ca", "show", cl.UUID)
			d.user.run(t, "ca", "rotate", cl.UUID)
			cl = waitCluster(t, d, cl.UUID, "UPDATE_COMPLETE")
			assert.NotEqual(t, before, d.user.run(t, "ca", "show", cl.UUID), "the CA did not change")
		})
	}
	if dc.config != "" {
		step("config", func() {
			dir := t.TempDir()
			args := []string{"cluster", "config", cl.UUID, "--dir", dir}
			if dc.config != "config" { // Docker's TLS files are written when asked for
				args = append(args, "--output-certs")
			}
			// magnumclient asks for CN=admin,O=system:masters, which
			// magnumd signs for cloud admins only (docs/compatibility.md):
			// a member is refused with a message saying so.
			if out, err := d.user.try(args...); err != nil {
				require.Contains(t, out, "O=system:masters is reserved to cloud admins", out)
				d.admin.run(t, args...)
			}
			_, err := os.Stat(filepath.Join(dir, dc.config))
			require.NoError(t, err, "cluster config wrote no %s", dc.config)
		})
	}
	step("delete", func() {
		d.user.run(t, "cluster", "delete", cl.UUID)
		waitGone(t, d, cl.UUID)
	})
	d.user.run(t, "cluster", "template", "delete", tpl)
	return cl.UUID, times
}

// deleteIfFailed deletes what a failed scenario left of its cluster, so
// that its stack, servers and load balancer do not stay in a cloud that
// later tests share.
func deleteIfFailed(t *testing.T, d *deployment, name string) {
	if !t.Failed() {
		return
	}
	if _, err := d.user.try("cluster", "delete", name); err == nil {
		waitGone(t, d, name)
	}
}

// templateCreate creates a cluster template for a driver, with extra
// labels, deleted at the end of the test if still there.
func templateCreate(t *testing.T, d *deployment, dc driverCase, labels string) string {
	t.Helper()
	name := "e2e-tpl-" + strings.ReplaceAll(dc.coe, "-", "") + "-" + randomSuffix()
	args := []string{"cluster", "template", "create", name, "--coe", dc.coe, "--image", d.images[dc.distro],
		"--external-network", d.network, "--flavor", d.flavor, "--master-flavor", d.flavor,
		"--network-driver", dc.networkDriver, "--keypair", d.keypair}
	if dc.lb {
		args = append(args, "--master-lb-enabled")
	}
	if dc.volume {
		args = append(args, "--docker-volume-size", "1")
	}
	if labels != "" {
		args = append(args, "--labels", labels)
	}
	d.user.run(t, args...)
	t.Cleanup(func() { _, _ = d.user.try("cluster", "template", "delete", name) })
	return name
}

// clusterServers lists the servers of one cluster: their names start
// with the cluster's (its first 20 characters, as node group stacks'
// names keep them).
func clusterServers(t *testing.T, d *deployment, name string) []server {
	t.Helper()
	prefix := strings.ToLower(name[:min(len(name), 20)])
	var out []server
	for _, s := range d.servers(t) {
		if strings.HasPrefix(s.Name, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// checkAddresses: the cluster's addresses are those of its servers.
func checkAddresses(t *testing.T, d *deployment, cl cluster, workers int) {
	t.Helper()
	require.Len(t, cl.NodeAddresses, workers, "node_addresses of %+v", cl)
	require.Len(t, cl.MasterAddresses, cl.MasterCount, "master_addresses of %+v", cl)
	var have []string
	for _, s := range clusterServers(t, d, cl.Name) {
		have = append(have, s.Addresses...)
	}
	for _, a := range append(slices.Clone(cl.NodeAddresses), cl.MasterAddresses...) {
		assert.Contains(t, have, a, "no server has address %s", a)
	}
	assert.NotEmpty(t, cl.APIAddress)
}

// resizeDown removes one named worker, which must be the one that goes.
func resizeDown(t *testing.T, d *deployment, cl *cluster) {
	t.Helper()
	var victim server
	for _, s := range clusterServers(t, d, cl.Name) {
		for _, a := range s.Addresses {
			if slices.Contains(cl.NodeAddresses, a) {
				victim = s
			}
		}
	}
	require.NotEmpty(t, victim.ID, "no server has the node addresses %v", cl.NodeAddresses)
	d.user.run(t, "cluster", "resize", cl.UUID, "1", "--nodes-to-remove", victim.ID)
	*cl = waitCluster(t, d, cl.UUID, "UPDATE_COMPLETE")
	require.Equal(t, 1, cl.NodeCount)
	for _, s := range clusterServers(t, d, cl.Name) {
		assert.NotEqual(t, victim.ID, s.ID, "server %s (%s) is still there", victim.Name, victim.ID)
	}
	for _, a := range victim.Addresses {
		assert.NotContains(t, cl.NodeAddresses, a)
	}
}

// nodeGroupAddRemove adds a worker node group and removes it.
func nodeGroupAddRemove(t *testing.T, d *deployment, cl cluster) {
	t.Helper()
	before := len(clusterServers(t, d, cl.Name))
	d.user.run(t, "nodegroup", "create", cl.UUID, "extra", "--node-count", "1")
	ng := waitNodeGroup(t, d, cl.UUID, "extra", "CREATE_COMPLETE")
	assert.Len(t, ng.NodeAddresses, 1)
	assert.Len(t, clusterServers(t, d, cl.Name), before+1)
	if ng.StackID != cl.stack() {
		d.checkOwned(t, ng.StackID)
	}
	d.user.run(t, "nodegroup", "delete", cl.UUID, "extra")
	waitNodeGroup(t, d, cl.UUID, "extra", "")
	assert.Len(t, clusterServers(t, d, cl.Name), before)
}

// waitCluster waits until a cluster reaches want, failing the test on a
// failed or other final status.
func waitCluster(t *testing.T, d *deployment, id, want string) cluster {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(d.timeout)
	for {
		c, err := clusters.Get(ctx, d.api, id).Extract()
		require.NoError(t, err)
		switch {
		case c.Status == want:
			return d.user.cluster(t, id)
		case strings.HasSuffix(c.Status, "_FAILED"):
			t.Fatalf("cluster %s is %s, not %s: %s", id, c.Status, want, c.StatusReason)
		}
		require.True(t, time.Now().Before(deadline), "cluster %s still %s (%s) after %s", id, c.Status, c.StatusReason, d.timeout)
		time.Sleep(2 * time.Second)
	}
}

// waitGone waits until a cluster is deleted.
func waitGone(t *testing.T, d *deployment, id string) {
	t.Helper()
	deadline := time.Now().Add(d.timeout)
	for {
		c, err := clusters.Get(context.Background(), d.api, id).Extract()
		if gophercloud.ResponseCodeIs(err, 404) {
			return
		}
		require.NoError(t, err)
		require.NotEqual(t, "DELETE_FAILED", c.Status, c.StatusReason)
		require.True(t, time.Now().Before(deadline), "cluster %s still %s after %s", id, c.Status, d.timeout)
		time.Sleep(2 * time.Second)
	}
}

// waitNodeGroup waits until a node group has status want, or is gone
// when want is "".
func waitNodeGroup(t *testing.T, d *deployment, cluster, name, want string) *nodegroups.NodeGroup {
	t.Helper()
	deadline := time.Now().Add(d.timeout)
	for {
		ng, err := nodegroups.Get(context.Background(), d.api, cluster, name).Extract()
		if want == "" && gophercloud.ResponseCodeIs(err, 404) {
			return nil
		}
		require.NoError(t, err)
		if ng.Status == want {
			return ng
		}
		require.False(t, strings.HasSuffix(ng.Status, "_FAILED"), "node group %s: %s %s", name, ng.Status, ng.StatusReason)
		require.True(t, time.Now().Before(deadline), "node group %s still %s after %s", name, ng.Status, d.timeout)
		time.Sleep(2 * time.Second)
	}
}

// formatTimes renders step times in the scenario's order.
func formatTimes(times map[string]time.Duration) string {
	order := []string{"create", "resize up", "resize down", "node group", "upgrade", "ca rotate", "config", "delete"}
	var b strings.Builder
	for _, k := range order {
		if v, ok := times[k]; ok {
			fmt.Fprintf(&b, "%s=%ss ", k, strconv.FormatFloat(v.Seconds(), 'f', 1, 64))
		}
	}
	return strings.TrimSpace(b.String())
}
