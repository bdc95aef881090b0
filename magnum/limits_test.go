package magnum_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/gomagnum/gomagnum/magnum"
)

// state is what a refused request must leave unchanged: the demo
// project's clusters and the node groups of each.
func state(t *testing.T, s *magnum.Service) (clusters []magnum.Cluster, groups map[string][]magnum.NodeGroup) {
	t.Helper()
	clusters, err := s.ListClusters(as(demo), magnum.ListOptions{})
	require.NoError(t, err)
	groups = map[string][]magnum.NodeGroup{}
	for _, c := range clusters {
		groups[c.UUID], err = s.ListNodeGroups(as(demo), c.UUID, magnum.NodeGroupListOptions{})
		require.NoError(t, err)
	}
	return clusters, groups
}

func patchGroup(ops ...magnum.PatchOp) func(*fixture) error {
	return func(f *fixture) error {
		_, err := f.s.UpdateNodeGroup(as(demo), "c1", "default-worker", ops)
		return err
	}
}

func createWith(req magnum.ClusterCreate) func(*fixture) error {
	return func(f *fixture) error {
		req.ClusterTemplateID = "k8s"
		_, err := f.s.CreateCluster(as(demo), req)
		return err
	}
}

// limitCase is a request above the limits, made after an extra node
// group of extra nodes is added to c1 (none if 0).
type limitCase struct {
	name  string
	extra int
	call  func(*fixture) error
	msg   string
}

// TestNodeCountLimits asks for more nodes than the limits allow through
// every request that sets a node count: each is refused as invalid,
// naming the limit, before anything is stored.
func TestNodeCountLimits(t *testing.T) {
	perGroup := func(field string, n int) string {
		return fmt.Sprintf("Invalid input for field/attribute %s. Value: '%d'. Value should be lower or equal to 64, "+
			"the maximum number of nodes per node group.", field, n)
	}
	perCluster := func(n, room, others int) string {
		return fmt.Sprintf("Invalid input for field/attribute node_count. Value: '%d'. Value should be lower or equal to %d: "+
			"a cluster may have at most 64 nodes in all its node groups, masters included, and its other node groups have %d.",
			n, room, others)
	}
	var cases []limitCase
	for _, n := range []int{2147483648, 1_000_001, 65} {
		cases = append(cases,
			limitCase{fmt.Sprintf("create node_count %d", n), 0, createWith(magnum.ClusterCreate{NodeCount: ptr(n)}),
				perGroup("node_count", n)},
			limitCase{fmt.Sprintf("create master_count %d", n), 0,
				createWith(magnum.ClusterCreate{MasterCount: ptr(n), MasterLBEnabled: ptr(true)}), perGroup("master_count", n)},
			limitCase{fmt.Sprintf("patch node_count %d", n), 0, patchCluster(op("replace", "/node_count", n)),
				perGroup("node_count", n)},
			limitCase{fmt.Sprintf("resize %d", n), 0, resize(magnum.Resize{NodeCount: n}), perGroup("node_count", n)},
			limitCase{fmt.Sprintf("node group node_count %d", n), 0,
				addGroup(magnum.NodeGroupCreate{Name: "ng", NodeCount: ptr(n), MaxNodeCount: ptr(n)}), perGroup("node_count", n)},
			limitCase{fmt.Sprintf("node group min_node_count %d", n), 0, addGroup(magnum.NodeGroupCreate{Name: "ng", MinNodeCount: n}),
				perGroup("min_node_count", n)},
			limitCase{fmt.Sprintf("node group max_node_count %d", n), 0,
				addGroup(magnum.NodeGroupCreate{Name: "ng", MaxNodeCount: ptr(n)}), perGroup("max_node_count", n)},
			limitCase{fmt.Sprintf("patch min_node_count %d", n), 0, patchGroup(op("replace", "/min_node_count", n)),
				perGroup("min_node_count", n)},
			limitCase{fmt.Sprintf("patch max_node_count %d", n), 0, patchGroup(op("replace", "/max_node_count", n)),
				perGroup("max_node_count", n)},
		)
	}
	cases = append(cases,
		limitCase{"create, masters and workers", 0,
			createWith(magnum.ClusterCreate{NodeCount: ptr(60), MasterCount: ptr(5), MasterLBEnabled: ptr(true)}),
			perCluster(60, 59, 5)},
		limitCase{"patch, beside another group", 30, patchCluster(op("replace", "/node_count", 40)), perCluster(40, 33, 31)},
		limitCase{"resize, beside another group", 30, resize(magnum.Resize{NodeCount: 40}), perCluster(40, 33, 31)},
		limitCase{"resize the other group", 30, resize(magnum.Resize{NodeCount: 63, NodeGroup: "ng"}), perCluster(63, 62, 2)},
		limitCase{"node group beside the others", 0, addGroup(magnum.NodeGroupCreate{Name: "ng", NodeCount: ptr(63)}),
			perCluster(63, 62, 2)},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.extra > 0 {
				require.NoError(t, addGroup(magnum.NodeGroupCreate{Name: "ng", NodeCount: ptr(c.extra)})(f))
				require.NoError(t, magnum.SetClusterState(f.s, f.cluster, magnum.UpdateComplete, "https://172.24.4.10:6443"))
			}
			clusters, groups := state(t, f.s)
			err := c.call(f)
			require.ErrorIs(t, err, magnum.ErrLimitExceeded)
			require.ErrorIs(t, err, magnum.ErrInvalid)
			assert.Equal(t, c.msg, err.Error())
			after, afterGroups := state(t, f.s)
			assert.Equal(t, clusters, after, "nothing is stored")
			assert.Equal(t, groups, afterGroups, "nothing is stored")
		})
	}
}

// TestNodeCountLimitsAllow fills a cluster up to the limits, set by
// WithLimits, and no further.
func TestNodeCountLimitsAllow(t *testing.T) {
	s := newService(t, magnum.WithLimits(magnum.Limits{NodesPerNodeGroup: 4, NodesPerCluster: 8}))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s", NodeCount: ptr(4), MasterCount: ptr(3),
		MasterLBEnabled: ptr(true)})
	require.NoError(t, magnum.SetClusterState(s, id, magnum.CreateComplete, "https://172.24.4.10:6443"))
	_, err := s.ResizeCluster(as(demo), "c1", magnum.Resize{NodeCount: 3})
	require.NoError(t, err)
	require.NoError(t, magnum.SetClusterState(s, id, magnum.UpdateComplete, "https://172.24.4.10:6443"))
	_, err = s.CreateNodeGroup(as(demo), "c1", magnum.NodeGroupCreate{Name: "ng", NodeCount: ptr(2), MaxNodeCount: ptr(4)})
	require.NoError(t, err, "3 masters, 3 and 2 workers: 8 nodes")
	_, err = s.CreateNodeGroup(as(demo), "c1", magnum.NodeGroupCreate{Name: "ng2", NodeCount: ptr(0)})
	require.NoError(t, err, "an empty group adds no node")
	_, err = s.CreateNodeGroup(as(demo), "c1", magnum.NodeGroupCreate{Name: "ng3"})
	require.ErrorIs(t, err, magnum.ErrLimitExceeded)
	_, err = s.UpdateCluster(as(demo), "c1", []magnum.PatchOp{op("replace", "/health_status", "HEALTHY")}, magnum.UpdateOptions{})
	require.NoError(t, err, "a patch that leaves node_count alone is not checked: the cluster's 5 workers, in two groups, "+
		"are more than one group may have")

	_, err = magnum.New(context.Background(), magnum.WithDataDir(t.TempDir()), magnum.WithLimits(magnum.Limits{NodesPerNodeGroup: 1}))
	require.Error(t, err, "limits must be positive")
}

// TestStoredOperationOverLimits restarts the service on operations a
// version without limits recorded: a create and a resize to 2^31 nodes.
// Each fails at once with a coded reason naming the limit, without a
// stack made or changed, and the resize gives the node group its count
// back.
func TestStoredOperationOverLimits(t *testing.T) {
	dir := t.TempDir()
	unlimited := magnum.WithLimits(magnum.Limits{NodesPerNodeGroup: math.MaxInt, NodesPerCluster: math.MaxInt})
	open := func(opts ...magnum.Option) *magnum.Service {
		s, err := magnum.New(context.Background(), append(fastOptions(dir), opts...)...)
		require.NoError(t, err)
		return s
	}

	s := open(unlimited)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	small := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "small", ClusterTemplateID: "k8s"})
	stackID := waitDone(t, s, demo, small, magnum.CreateComplete).StackID
	require.NoError(t, s.Close())

	// An older version records the operations, and stops before its
	// conductor starts them.
	s = open(unlimited, magnum.WithoutConductor())
	big := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "big", ClusterTemplateID: "k8s", NodeCount: ptr(2147483648)})
	_, err := s.ResizeCluster(as(demo), "small", magnum.Resize{NodeCount: 2147483648})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s = open()
	defer s.Close()
	c := waitDone(t, s, demo, big, magnum.CreateFailed)
	assert.Equal(t, &magnum.Fault{Code: magnum.FaultLimitExceeded,
		Reason: "Node group default-worker asks for 2147483648 nodes, more than the maximum of 64 nodes per node group."}, c.Fault)
	assert.Equal(t, c.Fault.Reason, c.StatusReason)
	assert.Empty(t, c.StackID, "no stack is made")
	stacks, _, err := magnum.Orchestrator(s).ListStacks(context.Background(), heat.ListOptions{Tags: []string{"gomagnum"}})
	require.NoError(t, err)
	assert.Len(t, stacks, 1, "the small cluster's stack only")

	c = waitDone(t, s, demo, small, magnum.UpdateFailed)
	assert.Equal(t, magnum.FaultLimitExceeded, c.Fault.Code)
	assert.Equal(t, "Node group default-worker asks for 2147483648 nodes, more than the maximum of 64 nodes per node group.", c.StatusReason)
	assert.Equal(t, 1, c.NodeCount, "the resize's count is undone")
	st, err := magnum.Orchestrator(s).GetStack(context.Background(), stackID)
	require.NoError(t, err)
	assert.Equal(t, heat.CreateComplete, st.Status, "the stack is not updated")
}

// TestOrchestratorLimitFault builds clusters the embedded engine's
// max_resources_per_stack refuses: a stack whose template has too many
// resources, and a workers' group with too many members. Both clusters
// fail with FaultLimitExceeded.
func TestOrchestratorLimitFault(t *testing.T) {
	for _, tc := range []struct {
		name     string
		max      int
		nodes    int
		resource string
	}{
		{"template", 5, 1, ""},
		{"group", 20, 21, "kube_minions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newLiveService(t, magnum.WithEmbeddedEngine(engine.WithMaxResourcesPerStack(tc.max)))
			mustTemplate(t, s, demo, k8sTemplate("k8s"))
			id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s", NodeCount: ptr(tc.nodes)})
			c := waitDone(t, s, demo, id, magnum.CreateFailed)
			require.NotNil(t, c.Fault)
			assert.Equal(t, magnum.FaultLimitExceeded, c.Fault.Code)
			assert.False(t, c.Fault.Retryable)
			assert.Equal(t, tc.resource, c.Fault.Resource)
			assert.Contains(t, c.StatusReason, "Request limit exceeded: Maximum resources per stack exceeded.")
		})
	}
}

// TestDefaultLimitsFitHeat builds the largest Kubernetes cluster the
// default limits allow, every option on and all its nodes masters (the
// costliest in resources): its stack, nested stacks included, stays
// within Heat's default max_resources_per_stack, so a real Heat with its
// defaults builds whatever the API accepts.
func TestDefaultLimitsFitHeat(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a cluster of 64 nodes")
	}
	s, err := magnum.New(context.Background(), fastOptions(t.TempDir())...)
	require.NoError(t, err)
	defer s.Close()
	tmpl := k8sTemplate("k8s")
	tmpl.MasterLBEnabled, tmpl.FloatingIPEnabled, tmpl.DockerVolumeSize = true, ptr(true), 10
	tmpl.Labels["etcd_volume_size"] = "5"
	mustTemplate(t, s, demo, tmpl)
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s", MasterCount: ptr(magnum.DefaultMaxNodes),
		NodeCount: ptr(0)})
	c := waitDone(t, s, demo, id, magnum.CreateComplete)
	rs, err := magnum.Orchestrator(s).Resources(context.Background(), c.StackID, 10)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(rs), engine.DefaultMaxResourcesPerStack)
	t.Logf("%d masters: %d resources", magnum.DefaultMaxNodes, len(rs))
}
