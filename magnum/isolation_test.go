package magnum_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// outcome of an operation: nil for success, else the error kind.
type outcome error

var ok outcome

const trusteeDomain = "2a05d1538af540b0967a94921e04aeb2"

// trustee is a per-cluster trustee user of the demo project.
var trustee = magnum.Caller{UserID: "7f0c7d5e0e6f4f4b9b1b1e3c2d1a0b9c", ProjectID: demo.ProjectID, DomainID: trusteeDomain,
	Roles: []string{"member"}}

// TestIsolationMatrix runs every operation on objects of the demo project
// as their owner, as a member of another project, as an admin and as a
// trustee user, and checks the outcome of Magnum's default policy.
func TestIsolationMatrix(t *testing.T) {
	type row struct {
		name                         string
		call                         func(ctx context.Context, f *fixture) error
		owner, other, admin, trustee outcome
	}
	v := func(_ any, err error) error { return err }
	rows := []row{
		{"get template", func(ctx context.Context, f *fixture) error { return v(f.s.GetClusterTemplate(ctx, f.tmpl.UUID)) },
			ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"list templates", func(ctx context.Context, f *fixture) error {
			return listed(f.s.ListClusterTemplates(ctx, magnum.ListOptions{}))(f.tmpl.UUID, func(x magnum.ClusterTemplate) string { return x.UUID })
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"update template", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpdateClusterTemplate(ctx, f.tmpl.UUID, []magnum.PatchOp{op("replace", "/name", "n")}))
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"delete template", func(ctx context.Context, f *fixture) error {
			unused := mustTemplate(t, f.s, demo, k8sTemplate("unused"))
			return f.s.DeleteClusterTemplate(ctx, unused.UUID)
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"create cluster from template", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateCluster(ctx, magnum.ClusterCreate{ClusterTemplateID: f.tmpl.UUID, Keypair: "default"}))
		}, ok, magnum.ErrNotFound, magnum.ErrNotFound, magnum.ErrForbidden},
		{"get cluster", func(ctx context.Context, f *fixture) error { return v(f.s.GetCluster(ctx, f.cluster)) },
			ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"list clusters", func(ctx context.Context, f *fixture) error {
			return listed(f.s.ListClusters(ctx, magnum.ListOptions{}))(f.cluster, func(x magnum.Cluster) string { return x.UUID })
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"update cluster", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpdateCluster(ctx, f.cluster, []magnum.PatchOp{op("replace", "/node_count", 2)}, magnum.UpdateOptions{}))
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"resize cluster", func(ctx context.Context, f *fixture) error {
			return v(f.s.ResizeCluster(ctx, f.cluster, magnum.Resize{NodeCount: 2}))
		}, ok, magnum.ErrNotFound, magnum.ErrNotFound, magnum.ErrForbidden},
		{"upgrade cluster", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpgradeCluster(ctx, f.cluster, magnum.Upgrade{ClusterTemplate: f.tmpl.UUID}))
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"delete cluster", func(ctx context.Context, f *fixture) error { return f.s.DeleteCluster(ctx, f.cluster) },
			ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"create node group", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateNodeGroup(ctx, f.cluster, magnum.NodeGroupCreate{Name: "ng"}))
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"get node group", func(ctx context.Context, f *fixture) error {
			return v(f.s.GetNodeGroup(ctx, f.cluster, "default-worker"))
		},
			ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"list node groups", func(ctx context.Context, f *fixture) error {
			return v(f.s.ListNodeGroups(ctx, f.cluster, magnum.NodeGroupListOptions{}))
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"update node group", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpdateNodeGroup(ctx, f.cluster, "default-worker", []magnum.PatchOp{op("replace", "/max_node_count", 5)}))
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"delete node group", func(ctx context.Context, f *fixture) error {
			if _, err := f.s.CreateNodeGroup(as(demo), f.cluster, magnum.NodeGroupCreate{Name: "extra"}); err != nil {
				return err
			}
			return f.s.DeleteNodeGroup(ctx, f.cluster, "extra")
		}, ok, magnum.ErrNotFound, ok, magnum.ErrForbidden},
		{"get quota", func(ctx context.Context, f *fixture) error { return v(f.s.GetQuota(ctx, demo.ProjectID, "Cluster")) },
			ok, magnum.ErrForbidden, ok, ok},
		{"create quota", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateQuota(ctx, magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 9}))
		}, magnum.ErrForbidden, magnum.ErrForbidden, ok, magnum.ErrForbidden},
		{"list quotas", func(ctx context.Context, f *fixture) error {
			return v(f.s.ListQuotas(ctx, magnum.QuotaListOptions{AllTenants: true}))
		},
			magnum.ErrForbidden, magnum.ErrForbidden, ok, magnum.ErrForbidden},
		{"stats", func(ctx context.Context, f *fixture) error { return v(f.s.Stats(ctx, demo.ProjectID, "")) },
			ok, magnum.ErrForbidden, ok, ok},
		{"mservices", func(ctx context.Context, f *fixture) error { return v(f.s.ListMServices(ctx)) },
			magnum.ErrForbidden, magnum.ErrForbidden, ok, magnum.ErrForbidden},
	}
	callers := []struct {
		name   string
		caller magnum.Caller
		want   func(row) outcome
	}{
		{"owner", demo, func(r row) outcome { return r.owner }},
		{"other project", alt, func(r row) outcome { return r.other }},
		{"admin", admin, func(r row) outcome { return r.admin }},
		{"trustee", trustee, func(r row) outcome { return r.trustee }},
	}
	for _, r := range rows {
		for _, c := range callers {
			t.Run(r.name+"/"+c.name, func(t *testing.T) {
				f := newFixtureWith(t, magnum.WithTrusteeDomain(trusteeDomain))
				err := r.call(as(c.caller), f)
				if want := c.want(r); want == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, want)
				}
			})
		}
	}
}

// listed turns a list result into an outcome: ErrNotFound when the item
// with the given ID is not in it.
func listed[T any](items []T, err error) func(id string, key func(T) string) error {
	return func(id string, key func(T) string) error {
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(items, func(x T) bool { return key(x) == id }) {
			return magnum.ErrNotFound
		}
		return nil
	}
}

func TestPublicTemplates(t *testing.T) {
	s := newService(t)
	pub := k8sTemplateFor("pub")
	pub.Public = true
	shared := mustTemplate(t, s, admin, pub)
	hid := k8sTemplateFor("hid")
	hid.Public, hid.Hidden = true, true
	hidden := mustTemplate(t, s, admin, hid)

	list, err := s.ListClusterTemplates(as(alt), magnum.ListOptions{})
	require.NoError(t, err)
	require.Len(t, list, 1, "members see public templates but not hidden ones")
	require.Equal(t, shared.UUID, list[0].UUID)
	_, err = s.GetClusterTemplate(as(alt), hidden.UUID)
	require.NoError(t, err, "a hidden public template is still reachable by UUID")
	_, err = s.CreateCluster(as(alt), magnum.ClusterCreate{ClusterTemplateID: "pub"})
	require.NoError(t, err)
	_, err = s.UpdateClusterTemplate(as(alt), shared.UUID, []magnum.PatchOp{op("replace", "/tags", "x")})
	require.ErrorIs(t, err, magnum.ErrForbidden)
	require.ErrorIs(t, s.DeleteClusterTemplate(as(alt), hidden.UUID), magnum.ErrForbidden)
}

func newFixtureWith(t *testing.T, opts ...magnum.Option) *fixture {
	s := newService(t, opts...)
	f := &fixture{s: s, tmpl: mustTemplate(t, s, demo, k8sTemplate("k8s"))}
	f.cluster = mustCluster(t, s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s"})
	require.NoError(t, magnum.SetClusterState(s, f.cluster, magnum.CreateComplete, "https://172.24.4.10:6443"))
	return f
}
