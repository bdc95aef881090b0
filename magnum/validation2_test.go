package magnum_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/store/storetest"
	"github.com/gomagnum/gomagnum/magnum"
)

func patchCluster(ops ...magnum.PatchOp) func(*fixture) error {
	return func(f *fixture) error {
		_, err := f.s.UpdateCluster(as(demo), "c1", ops, magnum.UpdateOptions{})
		return err
	}
}

func withStatus(st magnum.Status, call func(*fixture) error) func(*fixture) error {
	return func(f *fixture) error {
		if err := magnum.SetClusterState(f.s, f.cluster, st, ""); err != nil {
			return err
		}
		return call(f)
	}
}

func resize(r magnum.Resize) func(*fixture) error {
	return func(f *fixture) error {
		_, err := f.s.ResizeCluster(as(demo), "c1", r)
		return err
	}
}

func addGroup(req magnum.NodeGroupCreate) func(*fixture) error {
	return func(f *fixture) error {
		_, err := f.s.CreateNodeGroup(as(demo), "c1", req)
		return err
	}
}

func TestClusterChangeRules(t *testing.T) {
	runRules(t, []rule{
		{"rename", patchCluster(op("replace", "/name", "other")), magnum.ErrInvalid, "cannot change cluster property(ies) name.", false},
		{"two properties", patchCluster(op("replace", "/flavor_id", "m1.large"), op("replace", "/keypair", "x")), magnum.ErrInvalid,
			"cannot change cluster property(ies) flavor_id, keypair.", false},
		{"internal", patchCluster(op("replace", "/stack_id", "x")), magnum.ErrInvalid,
			"'/stack_id' is an internal attribute and can not be updated", false},
		{"remove template", patchCluster(op("remove", "/cluster_template_id", nil)), magnum.ErrInvalid,
			"'/cluster_template_id' is a mandatory attribute and can not be removed", false},
		{"negative count", patchCluster(op("replace", "/node_count", -1)), magnum.ErrInvalid,
			"Invalid input for field/attribute node_count. Value: '-1'. Value should be greater or equal to 0", false},
		{"bad health status", patchCluster(op("replace", "/health_status", "GREAT")), magnum.ErrInvalid,
			"Value should be one of: HEALTHY, UNHEALTHY, UNKNOWN", true},
		{"health reason not a dict", patchCluster(op("replace", "/health_status_reason", "{'api': true}")), magnum.ErrInvalid,
			"Couldn't apply patch", true},
		{"update while creating", withStatus(magnum.CreateInProgress, patchCluster(op("replace", "/node_count", 3))), magnum.ErrInvalidState,
			`Updating a cluster when status is "CREATE_IN_PROGRESS" is not supported.`, false},
		{"update after a failed update", withStatus(magnum.UpdateFailed, patchCluster(op("replace", "/node_count", 3))), magnum.ErrInvalidState,
			`Updating a cluster when status is "UPDATE_FAILED" is not supported.`, false},
		{"resize master", resize(magnum.Resize{NodeCount: 2, NodeGroup: "default-master"}), magnum.ErrInvalid,
			"Resizing a master nodegroup is not supported.", false},
		{"resize unknown group", resize(magnum.Resize{NodeCount: 2, NodeGroup: "nope"}), magnum.ErrNotFound,
			"Nodegroup nope could not be found.", false},
		{"resize negative", resize(magnum.Resize{NodeCount: -2}), magnum.ErrInvalid, "Value should be greater or equal to 0", true},
		{"resize above max", func(f *fixture) error {
			if err := addGroup(magnum.NodeGroupCreate{Name: "ng", MaxNodeCount: ptr(3)})(f); err != nil {
				return err
			}
			if err := magnum.SetClusterState(f.s, f.cluster, magnum.UpdateComplete, "https://172.24.4.10:6443"); err != nil {
				return err
			}
			return resize(magnum.Resize{NodeCount: 4, NodeGroup: "ng"})(f)
		}, magnum.ErrInvalid, "Resizing ng outside the allowed range: min_node_count = 0, max_node_count = 3", false},
		{"resize below min", func(f *fixture) error {
			if err := addGroup(magnum.NodeGroupCreate{Name: "ng", MinNodeCount: 2, NodeCount: ptr(2)})(f); err != nil {
				return err
			}
			return resize(magnum.Resize{NodeCount: 1, NodeGroup: "ng"})(f)
		}, magnum.ErrInvalid, "Resizing ng outside the allowed range: min_node_count = 2, max_node_count = None", false},
		{"resize while creating", withStatus(magnum.CreateInProgress, resize(magnum.Resize{NodeCount: 2})), magnum.ErrInvalidState,
			`Resizing a cluster when status is "CREATE_IN_PROGRESS" is not supported.`, false},
		{"upgrade unknown template", func(f *fixture) error {
			_, err := f.s.UpgradeCluster(as(demo), "c1", magnum.Upgrade{ClusterTemplate: "nope"})
			return err
		}, magnum.ErrNotFound, "ClusterTemplate nope could not be found.", false},
		{"upgrade while failed", withStatus(magnum.CreateFailed, func(f *fixture) error {
			_, err := f.s.UpgradeCluster(as(demo), "c1", magnum.Upgrade{ClusterTemplate: "k8s"})
			return err
		}), magnum.ErrInvalidState, `Upgrading a cluster when status is "CREATE_FAILED" is not supported.`, false},
		{"upgrade extra group to another template", func(f *fixture) error {
			mustTemplate(t, f.s, demo, k8sTemplate("k8s-next"))
			if err := addGroup(magnum.NodeGroupCreate{Name: "ng"})(f); err != nil {
				return err
			}
			_, err := f.s.UpgradeCluster(as(demo), "c1", magnum.Upgrade{ClusterTemplate: "k8s-next", NodeGroup: "ng"})
			return err
		}, magnum.ErrConflict, "Cluster Template is not valid for upgrade: Nodegroup ng can be upgraded only to match cluster's template (k8s).", false},
	})
}

func TestClusterChanges(t *testing.T) {
	f := newFixture(t)
	ctx := as(demo)
	_, err := f.s.UpdateCluster(ctx, "c1", []magnum.PatchOp{
		op("replace", "/health_status", "HEALTHY"), op("replace", "/health_status_reason", `{"api": "ok"}`),
	}, magnum.UpdateOptions{})
	require.NoError(t, err)
	c, err := f.s.GetCluster(ctx, "c1")
	require.NoError(t, err)
	assert.Equal(t, magnum.Healthy, c.HealthStatus)
	assert.Equal(t, map[string]string{"api": "ok"}, c.HealthStatusReason)
	assert.Equal(t, magnum.CreateComplete, c.Status, "health fields alone start no update")

	_, err = f.s.UpdateCluster(ctx, "c1", []magnum.PatchOp{op("replace", "/node_count", 4)}, magnum.UpdateOptions{Rollback: true})
	require.NoError(t, err)
	c, err = f.s.GetCluster(ctx, "c1")
	require.NoError(t, err)
	assert.Equal(t, 4, c.NodeCount)
	assert.Equal(t, magnum.UpdateInProgress, c.Status)
	assert.False(t, c.UpdatedAt.IsZero())

	// A resize is accepted while an update runs (the autoscaler's way).
	_, err = f.s.ResizeCluster(ctx, "c1", magnum.Resize{NodeCount: 2, NodesToRemove: []string{"1", "3"}})
	require.NoError(t, err)
	require.NoError(t, magnum.SetClusterState(f.s, f.cluster, magnum.UpdateComplete, "https://172.24.4.10:6443"))
	_, err = f.s.UpdateCluster(ctx, "c1", []magnum.PatchOp{op("remove", "/node_count", nil)}, magnum.UpdateOptions{})
	require.NoError(t, err)
	c, err = f.s.GetCluster(ctx, "c1")
	require.NoError(t, err)
	assert.Equal(t, 1, c.NodeCount, "removing node_count resets it to 1")

	require.NoError(t, magnum.SetClusterState(f.s, f.cluster, magnum.UpdateComplete, "https://172.24.4.10:6443"))
	mustTemplate(t, f.s, demo, k8sTemplate("k8s-next"))
	_, err = f.s.UpgradeCluster(ctx, "c1", magnum.Upgrade{ClusterTemplate: "k8s-next", MaxBatchSize: 2})
	require.NoError(t, err)
}

func TestNodeGroupRules(t *testing.T) {
	runRules(t, []rule{
		{"no api address", func(f *fixture) error {
			if err := magnum.SetClusterState(f.s, f.cluster, magnum.CreateComplete, ""); err != nil {
				return err
			}
			return addGroup(magnum.NodeGroupCreate{Name: "ng"})(f)
		}, magnum.ErrConflict, "Cluster API address is not available yet", false},
		{"same name", addGroup(magnum.NodeGroupCreate{Name: "default-worker"}), magnum.ErrConflict,
			"A node group with name default-worker already exists in the cluster c1.", false},
		{"master", addGroup(magnum.NodeGroupCreate{Name: "m", Role: "master"}), magnum.ErrInvalid,
			"Creating master nodegroups is currently not supported.", false},
		{"no name", addGroup(magnum.NodeGroupCreate{}), magnum.ErrInvalid, "Mandatory field missing.", true},
		{"max below min", addGroup(magnum.NodeGroupCreate{Name: "ng", MinNodeCount: 3, NodeCount: ptr(3), MaxNodeCount: ptr(2)}),
			magnum.ErrConflict, "max_node_count for ng is invalid (min_node_count (3) should be less or equal to max_node_count (2)).", false},
		{"count above max", addGroup(magnum.NodeGroupCreate{Name: "ng", NodeCount: ptr(3), MaxNodeCount: ptr(2)}),
			magnum.ErrConflict, "max_node_count for ng is invalid (node_count (3) should be less or equal to max_node_count (2)).", false},
		{"min above count", addGroup(magnum.NodeGroupCreate{Name: "ng", MinNodeCount: 2}),
			magnum.ErrConflict, "min_node_count for ng is invalid (min_node_count (2) should be less or equal to node_count (1)).", false},
		{"bad taint", addGroup(magnum.NodeGroupCreate{Name: "ng", NodeTaints: []magnumTaint{{Key: "k", Effect: "Sometimes"}}}),
			magnum.ErrInvalid, "Invalid node taint", true},
		{"patch node count", func(f *fixture) error {
			_, err := f.s.UpdateNodeGroup(as(demo), "c1", "default-worker", []magnum.PatchOp{op("replace", "/node_count", 3)})
			return err
		}, magnum.ErrInvalid, "'/node_count' is an internal attribute and can not be updated", false},
		{"patch max below count", func(f *fixture) error {
			_, err := f.s.UpdateNodeGroup(as(demo), "c1", "default-worker", []magnum.PatchOp{op("replace", "/max_node_count", 0)})
			return err
		}, magnum.ErrConflict, "max_node_count for default-worker is invalid (node_count (1) should be less or equal to max_node_count (0)).", false},
		{"delete default", func(f *fixture) error { return f.s.DeleteNodeGroup(as(demo), "c1", "default-worker") },
			magnum.ErrInvalid, "Deleting a default nodegroup is not supported.", false},
		{"unknown group", func(f *fixture) error {
			_, err := f.s.GetNodeGroup(as(demo), "c1", "nope")
			return err
		}, magnum.ErrNotFound, "Nodegroup nope could not be found.", false},
	})
}

func TestNodeGroupLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := as(demo)
	ng, err := f.s.CreateNodeGroup(ctx, "c1", magnum.NodeGroupCreate{Name: "gpu", NodeCount: ptr(2), FlavorID: "m1.large",
		Labels: map[string]string{"gpu": "yes"}, MergeLabels: true, NodeLabels: map[string]string{"accel": "gpu"},
		NodeTaints: []magnumTaint{{Key: "gpu", Value: "true", Effect: "NoSchedule"}}})
	require.NoError(t, err)
	assert.Equal(t, "worker", ng.Role)
	assert.Equal(t, "fedora-coreos-40", ng.ImageID)
	assert.Equal(t, map[string]string{"kube_tag": "v1.30.1", "gpu": "yes"}, ng.Labels)
	assert.Equal(t, map[string]string{"gpu": "yes"}, ng.LabelsAdded)

	list, err := f.s.ListNodeGroups(ctx, "c1", magnum.NodeGroupListOptions{Role: "worker"})
	require.NoError(t, err)
	assert.Len(t, list, 2)
	c, err := f.s.GetCluster(ctx, "c1")
	require.NoError(t, err)
	assert.Equal(t, magnum.UpdateInProgress, c.Status)
	assert.Equal(t, 3, c.NodeCount)

	got, err := f.s.UpdateNodeGroup(ctx, "c1", ng.UUID, []magnum.PatchOp{op("replace", "/max_node_count", 5), op("replace", "/min_node_count", 1)})
	require.NoError(t, err)
	assert.Equal(t, 5, *got.MaxNodeCount)
	assert.Equal(t, 1, got.MinNodeCount)

	require.NoError(t, f.s.DeleteNodeGroup(ctx, "c1", "gpu"))
	got, err = f.s.GetNodeGroup(ctx, "c1", "gpu")
	require.NoError(t, err)
	assert.Equal(t, magnum.DeleteInProgress, got.Status)
}

func TestQuotaStatsServiceRules(t *testing.T) {
	createQuota := func(c magnum.Caller, q magnum.Quota) func(*fixture) error {
		return func(f *fixture) error {
			_, err := f.s.CreateQuota(as(c), q)
			return err
		}
	}
	runRules(t, []rule{
		{"unknown project", createQuota(admin, magnum.Quota{ProjectID: "nope", Resource: "Cluster", HardLimit: 1}), magnum.ErrNotFound,
			"The project_id nope could not be found.", false},
		{"member creates", createQuota(demo, magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 1}), magnum.ErrForbidden,
			"Policy doesn't allow quota:create to be performed.", false},
		{"no project", createQuota(admin, magnum.Quota{Resource: "Cluster", HardLimit: 1}), magnum.ErrInvalid,
			"Must provide a valid project ID.", false},
		{"bad resource", createQuota(admin, magnum.Quota{ProjectID: demo.ProjectID, Resource: "Node", HardLimit: 1}), magnum.ErrInvalid,
			"Invalid input for field/attribute resource. Value: 'Node'. Value should be one of: Cluster", false},
		{"negative limit", createQuota(admin, magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: -1}), magnum.ErrInvalid,
			"Invalid input for field/attribute hard_limit. Value: '-1'. Value should be greater or equal to 0", false},
		{"duplicate", func(f *fixture) error {
			q := magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 3}
			if err := createQuota(admin, q)(f); err != nil {
				return err
			}
			return createQuota(admin, q)(f)
		}, magnum.ErrConflict, "Quota for project " + demo.ProjectID + " already exists for resource Cluster.", false},
		{"read another project's", func(f *fixture) error {
			_, err := f.s.GetQuota(as(demo), alt.ProjectID, "Cluster")
			return err
		}, magnum.ErrForbidden, "Not authorized.", false},
		{"update missing", func(f *fixture) error {
			_, err := f.s.UpdateQuota(as(admin), demo.ProjectID, "Cluster", 4)
			return err
		}, magnum.ErrNotFound, "Quota could not be found: project_id " + demo.ProjectID + " resource Cluster.", false},
		{"delete missing", func(f *fixture) error { return f.s.DeleteQuota(as(admin), demo.ProjectID, "Cluster") },
			magnum.ErrNotFound, "Quota could not be found: project_id " + demo.ProjectID + " resource Cluster.", false},
		{"stats of another project", func(f *fixture) error {
			_, err := f.s.Stats(as(demo), alt.ProjectID, "")
			return err
		}, magnum.ErrForbidden, "Not authorized.", false},
		{"stats type", func(f *fixture) error {
			_, err := f.s.Stats(as(demo), "", "node")
			return err
		}, magnum.ErrInvalid, "Invalid stats type. Allowed values are 'cluster'", false},
		{"mservices by a member", func(f *fixture) error {
			_, err := f.s.ListMServices(as(demo))
			return err
		}, magnum.ErrForbidden, "Policy doesn't allow magnum-service:get_all to be performed.", false},
	})
}

func TestQuotasStatsServices(t *testing.T) {
	f := newFixture(t)
	q, err := f.s.GetQuota(as(demo), demo.ProjectID, "Cluster")
	require.NoError(t, err)
	assert.Equal(t, magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 20}, *q)
	_, err = f.s.CreateQuota(as(admin), magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 3})
	require.NoError(t, err)
	q, err = f.s.UpdateQuota(as(admin), demo.ProjectID, "Cluster", 5)
	require.NoError(t, err)
	assert.Equal(t, 5, q.HardLimit)
	assert.False(t, q.UpdatedAt.IsZero())
	_, err = f.s.CreateQuota(as(admin), magnum.Quota{ProjectID: alt.ProjectID, Resource: "Cluster", HardLimit: 2})
	require.NoError(t, err)
	all, err := f.s.ListQuotas(as(admin), magnum.QuotaListOptions{AllTenants: true, SortKey: "hard_limit"})
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, 2, all[0].HardLimit)
	own, err := f.s.ListQuotas(as(admin), magnum.QuotaListOptions{})
	require.NoError(t, err)
	assert.Empty(t, own, "admin's own project has no quota")
	require.NoError(t, f.s.DeleteQuota(as(admin), alt.ProjectID, "Cluster"))

	mustCluster(t, f.s, alt, magnum.ClusterCreate{ClusterTemplateID: mustTemplate(t, f.s, alt, k8sTemplateFor("a")).UUID, NodeCount: ptr(3), MasterCount: ptr(3), MasterLBEnabled: ptr(true)})
	for _, tc := range []struct {
		caller  magnum.Caller
		project string
		want    magnum.Stats
	}{
		{demo, "", magnum.Stats{Clusters: 1, Nodes: 2}},
		{alt, alt.ProjectID, magnum.Stats{Clusters: 1, Nodes: 6}},
		{admin, "", magnum.Stats{Clusters: 2, Nodes: 8}},
		{admin, alt.ProjectID, magnum.Stats{Clusters: 1, Nodes: 6}},
	} {
		st, err := f.s.Stats(as(tc.caller), tc.project, "Cluster")
		require.NoError(t, err)
		assert.Equal(t, tc.want, *st)
	}

	require.NoError(t, f.s.Heartbeat(as(admin)))
	svcs, err := f.s.ListMServices(as(admin))
	require.NoError(t, err)
	require.Len(t, svcs, 1)
	assert.Equal(t, "up", svcs[0].State)
	assert.Equal(t, "magnum-conductor", svcs[0].Binary)
}

func TestListRules(t *testing.T) {
	list := func(o magnum.ListOptions) func(*fixture) error {
		return func(f *fixture) error {
			_, err := f.s.ListClusters(as(demo), o)
			return err
		}
	}
	runRules(t, []rule{
		{"negative limit", list(magnum.ListOptions{Limit: -1}), magnum.ErrInvalid, "Limit must be positive", false},
		{"sort dir", list(magnum.ListOptions{SortDir: "up"}), magnum.ErrInvalid,
			"Invalid sort direction: up. Acceptable values are 'asc' or 'desc'", false},
		{"sort key", list(magnum.ListOptions{SortKey: "bogus"}), magnum.ErrInvalid,
			`The sort_key value "bogus" is an invalid field for sorting`, false},
		{"marker not a uuid", list(magnum.ListOptions{Marker: "x"}), magnum.ErrInvalid,
			"Invalid input for field/attribute marker. Value: 'x'. unable to convert to uuid. Error: Expected a uuid but received x.", false},
		{"unknown marker", list(magnum.ListOptions{Marker: "9c1fa2f4-3b4f-4a3b-9a55-0e0f2b9b9a11"}), magnum.ErrNotFound,
			"Cluster 9c1fa2f4-3b4f-4a3b-9a55-0e0f2b9b9a11 could not be found.", false},
		{"ambiguous name", func(f *fixture) error {
			mustCluster(t, f.s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s"})
			_, err := f.s.GetCluster(as(demo), "c1")
			return err
		}, magnum.ErrConflict, "Multiple clusters exist with same name. Please use the cluster uuid instead.", false},
		{"ambiguous template", func(f *fixture) error {
			mustTemplate(t, f.s, demo, k8sTemplate("k8s"))
			_, err := f.s.GetClusterTemplate(as(demo), "k8s")
			return err
		}, magnum.ErrConflict, "Multiple clustertemplates exist with same name. Please use the clustertemplate uuid instead.", false},
	})
}

func TestListPaging(t *testing.T) {
	s := newService(t)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	var ids []string
	for range 5 {
		ids = append(ids, mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"}))
	}
	page, err := s.ListClusters(as(demo), magnum.ListOptions{Limit: 3})
	require.NoError(t, err)
	require.Len(t, page, 3)
	assert.Equal(t, ids[:3], []string{page[0].UUID, page[1].UUID, page[2].UUID})
	page, err = s.ListClusters(as(demo), magnum.ListOptions{Limit: 3, Marker: page[2].UUID})
	require.NoError(t, err)
	assert.Equal(t, ids[3:], []string{page[0].UUID, page[1].UUID})
	page, err = s.ListClusters(as(demo), magnum.ListOptions{SortDir: "desc", SortKey: "created_at", Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, ids[4], page[0].UUID)
	page, err = s.ListClusters(as(demo), magnum.ListOptions{SortKey: "node_count"})
	require.NoError(t, err)
	assert.Len(t, page, 5)
}

func TestNodeGroupLabelsAndTaintsPatch(t *testing.T) {
	f := newFixture(t)
	ng, err := f.s.UpdateNodeGroup(as(demo), "c1", "default-worker", []magnum.PatchOp{
		op("replace", "/node_labels", "{'disk': 'ssd'}"),
		op("replace", "/node_taints", `[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]`),
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"disk": "ssd"}, ng.NodeLabels)
	assert.Equal(t, []magnumTaint{{Key: "dedicated", Value: "db", Effect: "NoSchedule"}}, ng.NodeTaints)
	_, err = f.s.UpdateNodeGroup(as(demo), "c1", "default-worker", []magnum.PatchOp{op("replace", "/node_taints", `[{"key": "k", "effect": "Never"}]`)})
	require.ErrorIs(t, err, magnum.ErrInvalid)
	_, err = f.s.UpdateNodeGroup(as(demo), "c1", "default-worker", []magnum.PatchOp{op("replace", "/node_taints", `not json`)})
	require.ErrorIs(t, err, magnum.ErrInvalid)
}

func TestTemplateNotFoundKindAndClusterCounts(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.CreateCluster(as(demo), magnum.ClusterCreate{ClusterTemplateID: "nope"})
	require.ErrorIs(t, err, magnum.ErrTemplateNotFound)
	require.ErrorIs(t, err, magnum.ErrNotFound)
	_, err = f.s.GetCluster(as(demo), "nope")
	require.ErrorIs(t, err, magnum.ErrNotFound)
	assert.NotErrorIs(t, err, magnum.ErrTemplateNotFound)

	mustCluster(t, f.s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	counts, err := f.s.CountClusters(context.Background())
	require.NoError(t, err)
	assert.Equal(t, map[magnum.Status]int{magnum.CreateComplete: 1, magnum.CreateInProgress: 1}, counts)
}

// TestNodeGroupPatchDuringConductorWrites patches a node group while the
// conductor keeps writing its status: no patch fails for it, and neither
// side's last change is lost.
func TestNodeGroupPatchDuringConductorWrites(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testPatchDuringWrites(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) {
		testPatchDuringWrites(t, newFixtureWith(t, magnum.WithDatabase(storetest.PostgresDSN(t))))
	})
}

func testPatchDuringWrites(t *testing.T, f *fixture) {
	done := make(chan struct{})
	var last magnum.Status
	go func() {
		defer close(done)
		for i := range 100 {
			last = []magnum.Status{magnum.UpdateInProgress, magnum.UpdateComplete}[i%2]
			for magnum.SetClusterState(f.s, f.cluster, last, "https://172.24.4.10:6443") != nil {
				// A conflict the conductor meets ends its pass; its next pass writes again.
			}
		}
	}()
	for i := range 50 {
		_, err := f.s.UpdateNodeGroup(as(demo), "c1", "default-worker", []magnum.PatchOp{op("replace", "/max_node_count", 5+i)})
		require.NoError(t, err, "patch %d", i)
	}
	<-done
	ng, err := f.s.GetNodeGroup(as(demo), "c1", "default-worker")
	require.NoError(t, err)
	assert.Equal(t, 54, *ng.MaxNodeCount)
	assert.Equal(t, last, ng.Status)
}
