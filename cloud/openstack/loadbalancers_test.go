package openstack_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/openstack"
)

// lbID is the ID of fixture load balancer n (testdata/octavia.json).
func lbID(n int) string { return fmt.Sprintf("1b000000-0000-4000-8000-%012d", n) }

const (
	listLBs    = "octavia GET /v2.0/lbaas/loadbalancers" // a whole list starts with this exact call
	nginxFIP   = "f1000000-0000-4000-8000-000000000001"
	ownFIP     = "f1000000-0000-4000-8000-000000000002"
	clusterFIP = "f1000000-0000-4000-8000-000000000003"
)

// fast keeps the waits of the tests short.
var fast = []openstack.Option{openstack.WithLoadBalancerPollInterval(time.Millisecond)}

func TestCleanupLoadBalancers(t *testing.T) {
	f := newFake(t, lbGoneAfter(2))
	f.lbPolls[lbID(5)] = 4 // the one deleted before is the slowest
	c := f.cloud(t, fast...)
	require.NoError(t, c.CleanupLoadBalancers(context.Background(), clusterOne))

	// The cloud provider's load balancers of cluster one: deleted with
	// cascade (1 ACTIVE, 2 ERROR), or waited for (5 PENDING_DELETE).
	assert.Equal(t, []string{
		"octavia DELETE /v2.0/lbaas/loadbalancers/" + lbID(1) + "?cascade=true",
		"octavia DELETE /v2.0/lbaas/loadbalancers/" + lbID(2) + "?cascade=true",
	}, f.callsTo("octavia DELETE"))
	for _, n := range []int{1, 2, 5} {
		assert.Empty(t, f.loadBalancerStatus(lbID(n)), "load balancer %d is gone", n)
	}
	assert.Equal(t, "DELETED", f.loadBalancerStatus(lbID(6)), "a DELETED one is neither deleted nor waited for")
	// Others' are untouched: another cluster's, a hand-made one, and
	// descriptions that do not start as the cloud provider's do.
	for _, n := range []int{3, 4, 7, 8, 10} {
		assert.Equal(t, "ACTIVE", f.loadBalancerStatus(lbID(n)), "load balancer %d", n)
	}
	// The cloud provider's floating IP of a VIP goes too; the user's own
	// on another VIP, and another cluster's, stay.
	assert.False(t, f.floatingIP(nginxFIP))
	assert.True(t, f.floatingIP(ownFIP))
	assert.True(t, f.floatingIP(clusterFIP))
	// One list to find them, then one per poll until all three are gone:
	// the fake drops load balancer 5 at the fifth list.
	assert.Equal(t, 5, f.count(listLBs))
}

func TestCleanupLoadBalancersNothingToDo(t *testing.T) {
	f := newFake(t)
	c := f.cloud(t, fast...)
	f.resetCalls()
	require.NoError(t, c.CleanupLoadBalancers(context.Background(), clusterNone))
	assert.Equal(t, 1, f.count(listLBs), "one list, no wait")
	assert.Empty(t, f.callsTo("octavia DELETE"))
	assert.Empty(t, f.callsTo("neutron"))
}

func TestCleanupLoadBalancersWithoutOctavia(t *testing.T) {
	f := newFake(t, without("load-balancer"))
	c := f.cloud(t)
	f.resetCalls()
	require.NoError(t, c.CleanupLoadBalancers(context.Background(), clusterOne))
	assert.Empty(t, f.callsTo(""), "no request at all")
}

func TestCleanupLoadBalancersRejectsBadUUID(t *testing.T) {
	f := newFake(t)
	c := f.cloud(t)
	f.resetCalls()
	for _, id := range []string{"", "cluster-1", clusterOne + "x"} {
		err := c.CleanupLoadBalancers(context.Background(), id)
		require.ErrorIs(t, err, openstack.ErrInvalid, "%q must not match every load balancer", id)
	}
	assert.Empty(t, f.callsTo(""))
}

func TestCleanupLoadBalancersTimeout(t *testing.T) {
	f := newFake(t, lbGoneAfter(-1)) // Octavia never finishes
	c := f.cloud(t, openstack.WithLoadBalancerTimeout(30*time.Millisecond), openstack.WithLoadBalancerPollInterval(5*time.Millisecond))
	err := c.CleanupLoadBalancers(context.Background(), clusterOne)
	require.ErrorIs(t, err, openstack.ErrTimeout)
	assert.Contains(t, err.Error(), lbID(1))
	assert.Contains(t, err.Error(), "still present after 30ms")
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.Greater(t, f.count(listLBs), 1, "it polled")
}

func TestCleanupLoadBalancersCancelled(t *testing.T) {
	f := newFake(t, lbGoneAfter(-1))
	c := f.cloud(t, fast...) // the default 60 s timeout
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := c.CleanupLoadBalancers(ctx, clusterOne)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, openstack.ErrTimeout)
}

func TestCleanupLoadBalancersFailures(t *testing.T) {
	cases := []struct {
		name    string
		cluster string
		method  string
		path    string
		skip    int
		status  int
		wantMsg string
		deletes int
	}{
		{name: "a load balancer is busy", cluster: clusterBusy, wantMsg: "Invalid state PENDING_UPDATE of loadbalancer resource " + lbID(9), deletes: 1},
		{name: "list fails", cluster: clusterOne, method: "GET", path: "/v2.0/lbaas/loadbalancers", status: 500,
			wantMsg: "octavia: list load balancers of cluster " + clusterOne},
		{name: "a poll fails", cluster: clusterOne, method: "GET", path: "/v2.0/lbaas/loadbalancers", skip: 5, status: 503,
			wantMsg: "octavia: wait for load balancers of cluster " + clusterOne, deletes: 2},
		{name: "delete refused", cluster: clusterOne, method: "DELETE", path: "/v2.0/lbaas/loadbalancers/" + lbID(1), status: 403,
			wantMsg: `load balancer "` + lbID(1) + `": not authorized`, deletes: 1},
		{name: "floating IPs cannot be listed", cluster: clusterOne, method: "GET", path: "/v2.0/floatingips", status: 500,
			wantMsg: "floating IPs of port", deletes: 0},
		{name: "floating IP delete fails", cluster: clusterOne, method: "DELETE", path: "/v2.0/floatingips/" + nginxFIP, status: 500,
			wantMsg: `floating IP "` + nginxFIP + `": neutron answered 500`, deletes: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if tc.status != 0 {
				f.failAfter(tc.method, tc.path, tc.skip, tc.status, http.StatusText(tc.status))
			}
			err := f.cloud(t, fast...).CleanupLoadBalancers(context.Background(), tc.cluster)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.Len(t, f.callsTo("octavia DELETE"), tc.deletes, "no retries")
		})
	}
}

func TestCleanupLoadBalancersToleratesGone(t *testing.T) {
	f := newFake(t)
	// Someone else deleted them between our list and our delete.
	f.fail("DELETE", "/v2.0/lbaas/loadbalancers/"+lbID(1), http.StatusNotFound, "Load Balancer "+lbID(1)+" not found.")
	f.fail("DELETE", "/v2.0/floatingips/"+nginxFIP, http.StatusNotFound, "Floating IP "+nginxFIP+" could not be found.")
	f.mu.Lock()
	f.lbPolls[lbID(1)] = 0 // and it disappears from the next list
	f.mu.Unlock()
	require.NoError(t, f.cloud(t, fast...).CleanupLoadBalancers(context.Background(), clusterOne))
}
