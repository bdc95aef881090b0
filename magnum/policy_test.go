package magnum_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cloudpkg "github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/gomagnum/gomagnum/magnum"
)

// reader is a user of the demo project with only the reader role.
var reader = magnum.Caller{UserID: "0000000000000000000000000000aead", UserName: "demo-reader", ProjectID: demo.ProjectID,
	Roles: []string{"reader"}}

// verdict is what the policy makes of a call.
type verdict int

const (
	allow  verdict = iota // the call gets past the policy
	deny                  // ErrForbidden
	hidden                // the object is of another project: ErrNotFound
)

// policyRow is one action of the service: passed is the outcome of the
// call once the policy lets it through (nil for success), then the
// verdicts for a reader and a member of the objects' project (the
// member owns them), an admin of another project and a member of another
// project.
type policyRow struct {
	name                         string
	call                         func(ctx context.Context, f *fixture) error
	passed                       outcome
	reader, member, admin, other verdict
}

// policyCallers are the columns of the policy tables.
var policyCallers = []struct {
	name    string
	caller  magnum.Caller
	verdict func(policyRow) verdict
}{
	{"reader", reader, func(r policyRow) verdict { return r.reader }},
	{"member", demo, func(r policyRow) verdict { return r.member }},
	{"admin", admin, func(r policyRow) verdict { return r.admin }},
	{"other project", alt, func(r policyRow) verdict { return r.other }},
}

// runPolicyTable runs every row as every caller on a fresh fixture.
func runPolicyTable(t *testing.T, rows []policyRow, opts ...magnum.Option) {
	for _, r := range rows {
		for _, c := range policyCallers {
			t.Run(r.name+"/"+c.name, func(t *testing.T) {
				f := newFixtureWith(t, opts...)
				err := r.call(as(c.caller), f)
				switch c.verdict(r) {
				case deny:
					require.ErrorIs(t, err, magnum.ErrForbidden)
				case hidden:
					require.ErrorIs(t, err, magnum.ErrNotFound)
				case allow:
					if r.passed == nil {
						require.NoError(t, err)
					} else {
						require.ErrorIs(t, err, r.passed)
					}
				}
			})
		}
	}
}

// withFederation creates a federation of the demo project around the
// fixture's cluster before calling fn with its UUID.
func withFederation(fn func(ctx context.Context, f *fixture, id string) error) func(context.Context, *fixture) error {
	return func(ctx context.Context, f *fixture) error {
		id, err := f.s.CreateFederation(as(demo), magnum.FederationCreate{Name: "fed", HostClusterID: f.cluster,
			Properties: map[string]string{"dns-zone": "example.com."}})
		if err != nil {
			return err
		}
		return fn(ctx, f, id)
	}
}

// withQuota gives the demo project a quota before calling fn.
func withQuota(fn func(ctx context.Context, f *fixture) error) func(context.Context, *fixture) error {
	return func(ctx context.Context, f *fixture) error {
		if _, err := f.s.CreateQuota(as(admin), magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 5}); err != nil {
			return err
		}
		return fn(ctx, f)
	}
}

// TestDefaultPolicy runs every action of the service as a reader and a
// member of the objects' project, an admin and a member of another
// project, under Magnum's current default policy: readers only read,
// members write, admins administer and reach every project's clusters.
func TestDefaultPolicy(t *testing.T) {
	v := func(_ any, err error) error { return err }
	rows := []policyRow{
		// Cluster templates.
		{"create template", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateClusterTemplate(ctx, k8sTemplateFor("new")))
		}, ok, deny, allow, allow, allow},
		{"publish template", func(ctx context.Context, f *fixture) error {
			req := k8sTemplateFor("pub")
			req.Public = true
			return v(f.s.CreateClusterTemplate(ctx, req))
		}, ok, deny, deny, allow, deny},
		{"get template", func(ctx context.Context, f *fixture) error { return v(f.s.GetClusterTemplate(ctx, f.tmpl.UUID)) },
			ok, allow, allow, allow, hidden},
		{"list templates", func(ctx context.Context, f *fixture) error {
			return listed(f.s.ListClusterTemplates(ctx, magnum.ListOptions{}))(f.tmpl.UUID, func(x magnum.ClusterTemplate) string { return x.UUID })
		}, ok, allow, allow, allow, hidden},
		{"update template", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpdateClusterTemplate(ctx, f.tmpl.UUID, []magnum.PatchOp{op("replace", "/name", "n")}))
		}, ok, deny, allow, allow, hidden},
		{"delete template", func(ctx context.Context, f *fixture) error {
			unused := mustTemplate(t, f.s, demo, k8sTemplate("unused"))
			return f.s.DeleteClusterTemplate(ctx, unused.UUID)
		}, ok, deny, allow, allow, hidden},
		// Clusters.
		{"create cluster", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateCluster(ctx, magnum.ClusterCreate{ClusterTemplateID: f.tmpl.UUID, Keypair: "default"}))
		}, ok, deny, allow, hidden, hidden},
		{"get cluster", func(ctx context.Context, f *fixture) error { return v(f.s.GetCluster(ctx, f.cluster)) },
			ok, allow, allow, allow, hidden},
		{"list clusters", func(ctx context.Context, f *fixture) error {
			return listed(f.s.ListClusters(ctx, magnum.ListOptions{}))(f.cluster, func(x magnum.Cluster) string { return x.UUID })
		}, ok, allow, allow, allow, hidden},
		{"update cluster", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpdateCluster(ctx, f.cluster, []magnum.PatchOp{op("replace", "/node_count", 2)}, magnum.UpdateOptions{}))
		}, ok, deny, allow, allow, hidden},
		{"update health status", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpdateCluster(ctx, f.cluster, []magnum.PatchOp{op("replace", "/health_status", "HEALTHY")}, magnum.UpdateOptions{}))
		}, ok, deny, allow, allow, hidden},
		{"resize cluster", func(ctx context.Context, f *fixture) error {
			return v(f.s.ResizeCluster(ctx, f.cluster, magnum.Resize{NodeCount: 2}))
		}, ok, deny, allow, hidden, hidden},
		{"upgrade cluster", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpgradeCluster(ctx, f.cluster, magnum.Upgrade{ClusterTemplate: f.tmpl.UUID}))
		}, ok, deny, allow, allow, hidden},
		{"delete cluster", func(ctx context.Context, f *fixture) error { return f.s.DeleteCluster(ctx, f.cluster) },
			ok, deny, allow, allow, hidden},
		// Node groups.
		{"create node group", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateNodeGroup(ctx, f.cluster, magnum.NodeGroupCreate{Name: "ng"}))
		}, ok, deny, allow, allow, hidden},
		{"get node group", func(ctx context.Context, f *fixture) error {
			return v(f.s.GetNodeGroup(ctx, f.cluster, "default-worker"))
		}, ok, allow, allow, allow, hidden},
		{"list node groups", func(ctx context.Context, f *fixture) error {
			return v(f.s.ListNodeGroups(ctx, f.cluster, magnum.NodeGroupListOptions{}))
		}, ok, allow, allow, allow, hidden},
		{"update node group", func(ctx context.Context, f *fixture) error {
			return v(f.s.UpdateNodeGroup(ctx, f.cluster, "default-worker", []magnum.PatchOp{op("replace", "/max_node_count", 5)}))
		}, ok, deny, allow, allow, hidden},
		{"delete node group", func(ctx context.Context, f *fixture) error {
			if _, err := f.s.CreateNodeGroup(as(demo), f.cluster, magnum.NodeGroupCreate{Name: "extra"}); err != nil {
				return err
			}
			return f.s.DeleteNodeGroup(ctx, f.cluster, "extra")
		}, ok, deny, allow, allow, hidden},
		// Federations: a federation's host cluster is of the caller's
		// project, and federations are found in it only.
		{"create federation", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateFederation(ctx, magnum.FederationCreate{Name: "fed", HostClusterID: f.cluster,
				Properties: map[string]string{"dns-zone": "example.com."}}))
		}, ok, deny, allow, hidden, hidden},
		{"get federation", withFederation(func(ctx context.Context, f *fixture, id string) error {
			return v(f.s.GetFederation(ctx, id))
		}), ok, allow, allow, hidden, hidden},
		{"list federations", withFederation(func(ctx context.Context, f *fixture, id string) error {
			return listed(f.s.ListFederations(ctx, magnum.ListOptions{}))(id, func(x magnum.Federation) string { return x.UUID })
		}), ok, allow, allow, hidden, hidden},
		{"update federation", withFederation(func(ctx context.Context, f *fixture, id string) error {
			return v(f.s.UpdateFederation(ctx, id, []magnum.PatchOp{op("replace", "/properties/dns-zone", "example.org.")}))
		}), ok, deny, allow, hidden, hidden},
		{"delete federation", withFederation(func(ctx context.Context, f *fixture, id string) error {
			return f.s.DeleteFederation(ctx, id)
		}), ok, deny, allow, hidden, hidden},
		// Certificates and credentials: the fixture's cluster has no
		// certificates yet, so the calls the policy lets through stop
		// there. The CA and signing are the cluster owner's.
		{"get CA", func(ctx context.Context, f *fixture) error { return v(f.s.GetCACertificate(ctx, f.cluster, "")) },
			magnum.ErrConflict, deny, allow, allow, hidden},
		{"sign certificate", func(ctx context.Context, f *fixture) error {
			c, _ := magnum.CallerFrom(ctx)
			return v(f.s.SignCertificate(ctx, f.cluster, csrFor(t, c.UserName), ""))
		}, magnum.ErrConflict, deny, allow, allow, hidden},
		{"client config", func(ctx context.Context, f *fixture) error {
			return v(f.s.ClientConfig(ctx, f.cluster, nil, nil))
		}, magnum.ErrConflict, deny, allow, allow, hidden},
		{"rotate CA", func(ctx context.Context, f *fixture) error { return v(f.s.RotateCA(ctx, f.cluster)) },
			ok, deny, allow, allow, hidden},
		{"rotate credentials", func(ctx context.Context, f *fixture) error { return v(f.s.RotateCredentials(ctx, f.cluster)) },
			ok, deny, allow, allow, hidden},
		// Quotas, stats and services.
		{"get quota", func(ctx context.Context, f *fixture) error { return v(f.s.GetQuota(ctx, demo.ProjectID, "Cluster")) },
			ok, allow, allow, allow, deny},
		{"list quotas", func(ctx context.Context, f *fixture) error {
			return v(f.s.ListQuotas(ctx, magnum.QuotaListOptions{AllTenants: true}))
		}, ok, deny, deny, allow, deny},
		{"create quota", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateQuota(ctx, magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 9}))
		}, ok, deny, deny, allow, deny},
		{"update quota", withQuota(func(ctx context.Context, f *fixture) error {
			return v(f.s.UpdateQuota(ctx, demo.ProjectID, "Cluster", 9))
		}), ok, deny, deny, allow, deny},
		{"delete quota", withQuota(func(ctx context.Context, f *fixture) error {
			return f.s.DeleteQuota(ctx, demo.ProjectID, "Cluster")
		}), ok, deny, deny, allow, deny},
		{"stats", func(ctx context.Context, f *fixture) error { return v(f.s.Stats(ctx, demo.ProjectID, "")) },
			ok, allow, allow, allow, deny},
		{"service status", func(ctx context.Context, f *fixture) error { return v(f.s.ListMServices(ctx)) },
			ok, deny, deny, allow, deny},
	}
	runPolicyTable(t, rows)
}

// TestLegacyPolicy checks that WithLegacyPolicy selects Magnum's legacy
// rules, under which any role of a project writes, while admin-only rules
// stay admin-only.
func TestLegacyPolicy(t *testing.T) {
	v := func(_ any, err error) error { return err }
	rows := []policyRow{
		{"create cluster", func(ctx context.Context, f *fixture) error {
			// The keypair of the fixture's template is the demo user's.
			nokey := mustTemplate(t, f.s, demo, k8sTemplateFor("nokey"))
			return v(f.s.CreateCluster(ctx, magnum.ClusterCreate{ClusterTemplateID: nokey.UUID}))
		}, ok, allow, allow, hidden, hidden},
		{"resize cluster", func(ctx context.Context, f *fixture) error {
			return v(f.s.ResizeCluster(ctx, f.cluster, magnum.Resize{NodeCount: 2}))
		}, ok, allow, allow, hidden, hidden},
		{"delete cluster", func(ctx context.Context, f *fixture) error { return f.s.DeleteCluster(ctx, f.cluster) },
			ok, allow, allow, allow, hidden},
		{"create node group", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateNodeGroup(ctx, f.cluster, magnum.NodeGroupCreate{Name: "ng"}))
		}, ok, allow, allow, allow, hidden},
		{"create federation", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateFederation(ctx, magnum.FederationCreate{Name: "fed", HostClusterID: f.cluster,
				Properties: map[string]string{"dns-zone": "example.com."}}))
		}, ok, allow, allow, hidden, hidden},
		{"create quota", func(ctx context.Context, f *fixture) error {
			return v(f.s.CreateQuota(ctx, magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 9}))
		}, ok, deny, deny, allow, deny},
	}
	runPolicyTable(t, rows, magnum.WithLegacyPolicy())
}

// TestPolicyChoice checks which policy the options select: WithPolicy
// wins over WithLegacyPolicy.
func TestPolicyChoice(t *testing.T) {
	s := newService(t, magnum.WithLegacyPolicy(), magnum.WithPolicy(denyAll{}))
	_, err := s.GetCluster(as(admin), "c1")
	require.ErrorIs(t, err, magnum.ErrForbidden, "the embedder's policy decides")
}

// denyAll is a policy that allows nothing.
type denyAll struct{}

func (denyAll) Allow(context.Context, string, magnum.Caller, magnum.Target) bool { return false }

func TestHasRoleFollowsKeystoneImplications(t *testing.T) {
	cases := []struct {
		roles []string
		want  map[string]bool
	}{
		{nil, map[string]bool{"reader": false, "member": false, "admin": false}},
		{[]string{"reader"}, map[string]bool{"reader": true, "member": false, "admin": false}},
		{[]string{"Member"}, map[string]bool{"reader": true, "member": true, "admin": false}},
		{[]string{"admin"}, map[string]bool{"reader": true, "member": true, "admin": true}},
		{[]string{"heat_stack_owner"}, map[string]bool{"reader": false, "heat_stack_owner": true}},
	}
	for _, c := range cases {
		for role, want := range c.want {
			assert.Equal(t, want, magnum.Caller{Roles: c.roles}.HasRole(role), "%v has %s", c.roles, role)
		}
	}
}

// projectSpy is a cloud that records the projects looked up in it.
type projectSpy struct {
	cloudpkg.Cloud
	mu     sync.Mutex
	lookUp []string
}

func (c *projectSpy) Project(ctx context.Context, id string) (cloudpkg.Project, error) {
	c.mu.Lock()
	c.lookUp = append(c.lookUp, id)
	c.mu.Unlock()
	return c.Cloud.Project(ctx, id)
}

// TestQuotaCreateForbiddenBeforeLookUp checks that a caller who may not
// create quotas learns nothing about which projects exist: the answer is
// the same for an existing and a missing project, and no project is
// looked up.
func TestQuotaCreateForbiddenBeforeLookUp(t *testing.T) {
	inner, err := sim.New(context.Background())
	require.NoError(t, err)
	orch, err := engine.New(context.Background(), engine.WithCloud(inner))
	require.NoError(t, err)
	t.Cleanup(func() { orch.Close() })
	spy := &projectSpy{Cloud: inner}
	s := newService(t, magnum.WithCloud(spy), magnum.WithOrchestrator(orch))
	for _, c := range []magnum.Caller{reader, demo, alt} {
		for _, project := range []string{alt.ProjectID, "00000000000000000000000000000000"} {
			_, err := s.CreateQuota(as(c), magnum.Quota{ProjectID: project, Resource: "Cluster", HardLimit: 1})
			require.ErrorIs(t, err, magnum.ErrForbidden, "%s creating a quota for %s", c.UserName, project)
		}
	}
	spy.mu.Lock()
	assert.Empty(t, spy.lookUp, "projects looked up for callers who may not create quotas")
	spy.mu.Unlock()

	_, err = s.CreateQuota(as(admin), magnum.Quota{ProjectID: "00000000000000000000000000000000", Resource: "Cluster", HardLimit: 1})
	require.ErrorIs(t, err, magnum.ErrNotFound, "an admin is told the project does not exist")
}
