package magnum_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// rule is one validation rule: a call that breaks it, the kind of error
// it must give and the message, verbatim or (with contains) in part.
type rule struct {
	name     string
	call     func(f *fixture) error
	kind     error
	msg      string
	contains bool
}

// fixture is a service with a demo-project Kubernetes template "k8s" and a
// cluster "c1" built from it (CREATE_COMPLETE, with an API address).
type fixture struct {
	s       *magnum.Service
	tmpl    *magnum.ClusterTemplate
	cluster string
}

func newFixture(t *testing.T) *fixture {
	s := newService(t)
	f := &fixture{s: s, tmpl: mustTemplate(t, s, demo, k8sTemplate("k8s"))}
	f.cluster = mustCluster(t, s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s"})
	require.NoError(t, magnum.SetClusterState(s, f.cluster, magnum.CreateComplete, "https://172.24.4.10:6443"))
	return f
}

func runRules(t *testing.T, rules []rule) {
	t.Helper()
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			err := r.call(newFixture(t))
			require.Error(t, err)
			require.ErrorIs(t, err, r.kind, "error: %v", err)
			if r.contains {
				assert.Contains(t, err.Error(), r.msg)
			} else {
				assert.Equal(t, r.msg, err.Error())
			}
		})
	}
}

func createTemplate(mod func(*magnum.ClusterTemplateCreate)) func(*fixture) error {
	return createTemplateAs(demo, mod)
}

func createTemplateAs(c magnum.Caller, mod func(*magnum.ClusterTemplateCreate)) func(*fixture) error {
	return func(f *fixture) error {
		req := k8sTemplate("t")
		mod(&req)
		_, err := f.s.CreateClusterTemplate(as(c), req)
		return err
	}
}

func TestTemplateCreateRules(t *testing.T) {
	runRules(t, []rule{
		{"coe missing", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.COE = "" }), magnum.ErrInvalid,
			"Invalid input for field/attribute coe. Value: 'None'. Mandatory field missing.", false},
		{"coe unknown", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.COE = "nomad" }), magnum.ErrInvalid,
			"Invalid input for field/attribute coe. Value: 'nomad'. Value should be one of: kubernetes, swarm, mesos, dcos, swarm-mode", false},
		{"coe without driver", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.COE = "dcos" }), magnum.ErrInvalid,
			"Requested COE type dcos is not supported.", false},
		{"image missing", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.ImageID = "" }), magnum.ErrInvalid,
			"Invalid input for field/attribute image_id. Value: 'None'. Mandatory field missing.", false},
		{"name too long", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.Name = strings.Repeat("n", 256) }), magnum.ErrInvalid,
			"Value should have a maximum character requirement of 255", true},
		{"apiserver port", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.APIServerPort = 80 }), magnum.ErrInvalid,
			"Invalid input for field/attribute apiserver_port. Value: '80'. Value should be between 1024 and 65535", false},
		{"docker volume size", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.DockerVolumeSize = -1 }), magnum.ErrInvalid,
			"Invalid input for field/attribute docker_volume_size. Value: '-1'. Value should be greater or equal to 1", false},
		{"server type", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.ServerType = "container" }), magnum.ErrInvalid,
			"Invalid input for field/attribute server_type. Value: 'container'. Value should be one of: vm, bm", false},
		{"dns", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.DNSNameserver = "8.8.8.8,dns.example" }), magnum.ErrInvalid,
			"Expected a single dns address or comma separated dns list, but received 8.8.8.8,dns.example.", true},
		{"network driver", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.NetworkDriver = "weave" }), magnum.ErrInvalid,
			"Network driver type weave is not supported, expecting a flannel/calico/unspecified network driver.", false},
		{"volume driver", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.VolumeDriver = "rexray" }), magnum.ErrInvalid,
			"Volume driver type rexray is not supported, expecting a cinder/unspecified volume driver.", false},
		{"devicemapper without size", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.DockerStorageDriver = "devicemapper" }), magnum.ErrInvalid,
			"docker volume size None GB is not valid, expecting minimum value 3GB for devicemapper storage driver.", false},
		{"devicemapper too small", createTemplate(func(r *magnum.ClusterTemplateCreate) {
			r.DockerStorageDriver, r.DockerVolumeSize = "devicemapper", 2
		}), magnum.ErrInvalid, "docker volume size 2 GB is not valid, expecting minimum value 3GB for devicemapper storage driver.", false},
		{"image not found", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.ImageID = "nope" }), magnum.ErrInvalid,
			"Image nope could not be found.", false},
		{"image without os_distro", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.ImageID = "cirros-0.6.2" }), magnum.ErrInvalid,
			"Image cirros-0.6.2 doesn't contain os_distro field.", false},
		{"another project's private image", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.ImageID = "alt-fedora-coreos-custom" }),
			magnum.ErrForbidden, "Not authorized for image alt-fedora-coreos-custom.", false},
		{"flavor", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.FlavorID = "m9.huge" }), magnum.ErrInvalid,
			"Unable to find flavor m9.huge.", false},
		{"master flavor", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.MasterFlavorID = "m9.huge" }), magnum.ErrInvalid,
			"Unable to find flavor m9.huge.", false},
		{"external network", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.ExternalNetworkID = "nope" }), magnum.ErrInvalid,
			"Unable to find external network nope.", false},
		{"network that is not external", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.ExternalNetworkID = "private" }),
			magnum.ErrInvalid, "Unable to find external network private.", false},
		{"keypair", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.KeypairID = "nokey" }), magnum.ErrNotFound,
			"Unable to find keypair nokey.", false},
		{"no driver for the tuple", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.ImageID = "ubuntu-22.04" }), magnum.ErrInvalid,
			"Cluster type (vm, ubuntu, kubernetes) not supported.", false},
		{"public by a member", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.Public = true }), magnum.ErrForbidden,
			"Not authorized to set public or hidden flag for cluster template.", false},
		{"hidden by a member", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.Hidden = true }), magnum.ErrForbidden,
			"Not authorized to set public or hidden flag for cluster template.", false},
		{"duplicate uuid", func(f *fixture) error {
			req := k8sTemplate("dup")
			req.UUID = f.tmpl.UUID
			_, err := f.s.CreateClusterTemplate(as(demo), req)
			return err
		}, magnum.ErrConflict, "", true},
		{"swarm strategy label", createTemplate(func(r *magnum.ClusterTemplateCreate) { r.Labels = map[string]string{"swarm_strategy": "spread chaos"} }),
			magnum.ErrInvalid, `property "labels/swarm_strategy" with value "chaos" is not supported, supported values are: spread, binpack, random, unspecified`, false},
		{"mesos isolation label", createTemplate(func(r *magnum.ClusterTemplateCreate) {
			r.Labels = map[string]string{"mesos_slave_isolation": "posix/cpu,magic"}
		}), magnum.ErrInvalid, `property "labels/mesos_slave_isolation" with value "magic" is not supported`, true},
		{"mesos image providers label", createTemplate(func(r *magnum.ClusterTemplateCreate) {
			r.Labels = map[string]string{"mesos_slave_image_providers": "docker"}
		}), magnum.ErrInvalid, "Docker runtime isolator has to be specified", true},
		{"mesos executor env label", createTemplate(func(r *magnum.ClusterTemplateCreate) {
			r.Labels = map[string]string{"mesos_slave_executor_env_variables": "{not json"}
		}), magnum.ErrInvalid, "Json format error", false},
		{"no caller", func(f *fixture) error {
			_, err := f.s.CreateClusterTemplate(nobody, k8sTemplate("x"))
			return err
		}, magnum.ErrUnauthenticated, "Authentication required", false},
	})
}

func TestTemplateDefaults(t *testing.T) {
	s := newService(t)
	swarm := mustTemplate(t, s, demo, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		COE: "swarm-mode", ImageID: "fedora-40", ExternalNetworkID: "public"}})
	assert.Equal(t, "docker", swarm.NetworkDriver)
	assert.Regexp(t, `^[a-z]+-\d+-template$`, swarm.Name)
	assert.Equal(t, "fedora", swarm.ClusterDistro)
	assert.Equal(t, demo.ProjectID, swarm.ProjectID)
	noFIP := k8sTemplate("nofip")
	noFIP.FloatingIPEnabled = ptr(false)
	assert.False(t, mustTemplate(t, s, demo, noFIP).FloatingIPEnabled)
	pub := k8sTemplate("pub")
	pub.Public = true
	assert.True(t, mustTemplate(t, s, admin, pub).Public)
}

func patchTemplate(c magnum.Caller, ops ...magnum.PatchOp) func(*fixture) error {
	return func(f *fixture) error {
		_, err := f.s.UpdateClusterTemplate(as(c), f.tmpl.UUID, ops)
		return err
	}
}

func op(o, path string, v any) magnum.PatchOp { return magnum.PatchOp{Op: o, Path: path, Value: v} }

func TestTemplatePatchRules(t *testing.T) {
	rules := []rule{
		{"internal", patchTemplate(demo, op("replace", "/uuid", "x")), magnum.ErrInvalid,
			"'/uuid' is an internal attribute and can not be updated", false},
		{"bad op", patchTemplate(demo, op("move", "/name", "x")), magnum.ErrInvalid,
			"Invalid input for field/attribute op. Value: 'move'. Value should be one of: add, replace, remove", false},
		{"bad path", patchTemplate(demo, op("replace", "name", "x")), magnum.ErrInvalid, "Value should match the pattern", true},
		{"add unknown", patchTemplate(demo, op("add", "/foo", "x")), magnum.ErrInvalid,
			"Adding a new attribute /foo to the root of the resource is not allowed.", true},
		{"add existing", patchTemplate(demo, op("add", "/flavor_id", "m1.tiny")), magnum.ErrInvalid,
			"The attribute /flavor_id has existed, please use 'replace' operation instead.", true},
		{"no value", patchTemplate(demo, op("replace", "/name", nil)), magnum.ErrInvalid,
			"'add' and 'replace' operations needs value", false},
		{"dict value", patchTemplate(demo, op("replace", "/labels", map[string]any{"a": "b"})), magnum.ErrInvalid,
			"Invalid input for field/attribute value. Value: '{'a': 'b'}'. Wrong type. Expected '(<class 'str'>, <class 'int'>)', got '<class 'dict'>'", false},
		{"malformed labels", patchTemplate(demo, op("replace", "/labels", "{'a': ")), magnum.ErrInvalid,
			"Couldn't apply patch", true},
		{"remove missing nested", patchTemplate(demo, op("remove", "/labels/nope", nil)), magnum.ErrInvalid,
			"can't remove a non-existent object 'nope'", true},
		{"bad port", patchTemplate(demo, op("replace", "/apiserver_port", "http")), magnum.ErrInvalid,
			"Invalid input for field/attribute apiserver_port. Value: 'http'. Wrong type. Expected an integer.", false},
		{"publish by a member", patchTemplate(demo, op("replace", "/public", true)), magnum.ErrForbidden,
			"Not authorized to set public or hidden flag for cluster template.", false},
		{"missing keypair", patchTemplate(demo, op("replace", "/keypair_id", "nokey")), magnum.ErrNotFound,
			"Unable to find keypair nokey.", false},
		{"bad network driver", patchTemplate(demo, op("replace", "/network_driver", "weave")), magnum.ErrInvalid,
			"Network driver type weave is not supported, expecting a flannel/calico/unspecified network driver.", false},
		{"in use", patchTemplate(demo, op("replace", "/flavor_id", "m1.large")), magnum.ErrInvalid,
			"is referenced by one or multiple clusters.", true},
		{"in use, unpublish", func(f *fixture) error {
			if err := patchTemplate(admin, op("replace", "/public", true))(f); err != nil {
				return err
			}
			return patchTemplate(admin, op("replace", "/public", false))(f)
		}, magnum.ErrInvalid, "is referenced by one or multiple clusters.", true},
		{"in use, two fields", patchTemplate(admin, op("replace", "/hidden", true), op("replace", "/name", "n")), magnum.ErrInvalid,
			"is referenced by one or multiple clusters.", true},
		{"another project", patchTemplate(alt, op("replace", "/name", "x")), magnum.ErrNotFound,
			"ClusterTemplate", true},
		{"delete in use", func(f *fixture) error { return f.s.DeleteClusterTemplate(as(demo), "k8s") }, magnum.ErrInvalid,
			"is referenced by one or multiple clusters.", true},
	}
	for _, path := range []string{"/image_id", "/coe", "/network_driver", "/external_network_id", "/tls_disabled", "/public",
		"/server_type", "/registry_enabled", "/cluster_distro", "/hidden"} {
		rules = append(rules, rule{"remove " + path, patchTemplate(demo, op("remove", path, nil)), magnum.ErrInvalid,
			"'" + path + "' is a mandatory attribute and can not be removed", false})
	}
	runRules(t, rules)
}

func TestTemplatePatchAllowed(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		caller magnum.Caller
		ops    []magnum.PatchOp
		check  func(*magnum.ClusterTemplate)
	}{
		{demo, []magnum.PatchOp{op("replace", "/name", "renamed")}, func(t2 *magnum.ClusterTemplate) { assert.Equal(t, "renamed", t2.Name) }},
		{admin, []magnum.PatchOp{op("replace", "/public", "true")}, func(t2 *magnum.ClusterTemplate) { assert.True(t, t2.Public) }},
		{admin, []magnum.PatchOp{op("replace", "/hidden", true)}, func(t2 *magnum.ClusterTemplate) { assert.True(t, t2.Hidden) }},
		{demo, []magnum.PatchOp{op("replace", "/tags", "gold")}, func(t2 *magnum.ClusterTemplate) { assert.Equal(t, "gold", t2.Tags) }},
	} {
		got, err := f.s.UpdateClusterTemplate(as(tc.caller), f.tmpl.UUID, tc.ops)
		require.NoError(t, err)
		tc.check(got)
	}
	// Without clusters, anything goes.
	s := newService(t)
	ct := mustTemplate(t, s, demo, k8sTemplate("free"))
	got, err := s.UpdateClusterTemplate(as(demo), "free", []magnum.PatchOp{
		op("replace", "/labels", "{'etcd_volume_size': '1'}"),
		op("add", "/labels/kube_tag", "v1.31.0"),
		op("add", "/dns_nameserver", "8.8.8.8"),
		op("remove", "/flavor_id", nil),
		op("remove", "/floating_ip_enabled", nil),
		op("replace", "/docker_volume_size", "5"),
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"etcd_volume_size": "1", "kube_tag": "v1.31.0"}, got.Labels)
	assert.Equal(t, "8.8.8.8", got.DNSNameserver)
	assert.Empty(t, got.FlavorID)
	assert.True(t, got.FloatingIPEnabled)
	assert.Equal(t, 5, got.DockerVolumeSize)
	assert.Equal(t, ct.CreatedAt, got.CreatedAt)
	assert.False(t, got.UpdatedAt.IsZero())
	require.NoError(t, s.DeleteClusterTemplate(as(demo), "free"))
	_, err = s.GetClusterTemplate(as(demo), "free")
	require.ErrorIs(t, err, magnum.ErrNotFound)
}

func createCluster(mod func(*magnum.ClusterCreate)) func(*fixture) error {
	return func(f *fixture) error {
		req := magnum.ClusterCreate{Name: "new", ClusterTemplateID: "k8s"}
		mod(&req)
		_, err := f.s.CreateCluster(as(demo), req)
		return err
	}
}

func TestClusterCreateRules(t *testing.T) {
	rules := []rule{
		{"template missing", createCluster(func(r *magnum.ClusterCreate) { r.ClusterTemplateID = "" }), magnum.ErrInvalid,
			"Invalid input for field/attribute cluster_template_id. Value: 'None'. Mandatory field missing.", false},
		{"template unknown", createCluster(func(r *magnum.ClusterCreate) { r.ClusterTemplateID = "nope" }), magnum.ErrNotFound,
			"ClusterTemplate nope could not be found.", false},
		{"master count 0", createCluster(func(r *magnum.ClusterCreate) { r.MasterCount = ptr(0) }), magnum.ErrInvalid,
			"Invalid input for field/attribute master_count. Value: '0'. Value should be greater or equal to 1", false},
		{"node count -1", createCluster(func(r *magnum.ClusterCreate) { r.NodeCount = ptr(-1) }), magnum.ErrInvalid,
			"Invalid input for field/attribute node_count. Value: '-1'. Value should be greater or equal to 0", false},
		{"create timeout -1", createCluster(func(r *magnum.ClusterCreate) { r.CreateTimeout = ptr(-1) }), magnum.ErrInvalid,
			"Invalid input for field/attribute create_timeout. Value: '-1'. Value should be greater or equal to 0", false},
		{"several masters without lb", createCluster(func(r *magnum.ClusterCreate) { r.MasterCount = ptr(3) }), magnum.ErrInvalid,
			"master_count must be 1 when master_lb_enabled is False", false},
		{"keypair", createCluster(func(r *magnum.ClusterCreate) { r.Keypair = "nokey" }), magnum.ErrNotFound,
			"Unable to find keypair nokey.", false},
		{"flavor", createCluster(func(r *magnum.ClusterCreate) { r.FlavorID = "m9.huge" }), magnum.ErrInvalid,
			"Unable to find flavor m9.huge.", false},
		{"another project's template", func(f *fixture) error {
			_, err := f.s.CreateCluster(as(alt), magnum.ClusterCreate{ClusterTemplateID: f.tmpl.UUID})
			return err
		}, magnum.ErrNotFound, "ClusterTemplate " + "", true},
		{"quota", func(f *fixture) error {
			if _, err := f.s.CreateQuota(as(admin), magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 1}); err != nil {
				return err
			}
			return createCluster(func(*magnum.ClusterCreate) {})(f)
		}, magnum.ErrQuotaExceeded, "Resource limit exceeded: You have reached the maximum clusters per project, 1. " +
			"You may delete a cluster to make room for a new one.", false},
	}
	for _, name := range []string{strings.Repeat("x", 243), "123456", "-x", ".x", "_x", "a b"} {
		rules = append(rules, rule{"name " + name[:min(len(name), 8)], createCluster(func(r *magnum.ClusterCreate) { r.Name = name }),
			magnum.ErrInvalid, "Cluster name must start with alphabets", true})
	}
	runRules(t, rules)
}

func TestClusterCreateAccepts(t *testing.T) {
	f := newFixture(t)
	for _, req := range []magnum.ClusterCreate{
		{Name: "test.-_cluster", ClusterTemplateID: "k8s"},
		{Name: "testcluster-", ClusterTemplateID: f.tmpl.UUID, NodeCount: ptr(0)},
		{ClusterTemplateID: "k8s", MasterCount: ptr(3), MasterLBEnabled: ptr(true), CreateTimeout: ptr(0)},
	} {
		id, err := f.s.CreateCluster(as(demo), req)
		require.NoError(t, err)
		c, err := f.s.GetCluster(as(demo), id)
		require.NoError(t, err)
		assert.Equal(t, deref(req.NodeCount, 1), c.NodeCount)
		assert.Equal(t, deref(req.MasterCount, 1), c.MasterCount)
		assert.Equal(t, 60, c.CreateTimeout)
	}
	// Labels: merged over the template's, or replacing them.
	merged := mustCluster(t, f.s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s", MergeLabels: true,
		Labels: map[string]string{"kube_tag": "v1.31.0"}})
	c, err := f.s.GetCluster(as(demo), merged)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"kube_tag": "v1.31.0"}, c.Labels)
	assert.Equal(t, map[string]string{"kube_tag": "v1.30.1"}, c.LabelsOverridden)
	replaced := mustCluster(t, f.s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s", Labels: map[string]string{"a": "b"}})
	c, err = f.s.GetCluster(as(demo), replaced)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "b"}, c.Labels)
	assert.Equal(t, map[string]string{"kube_tag": "v1.30.1"}, c.LabelsSkipped)
	assert.Equal(t, map[string]string{"a": "b"}, c.LabelsAdded)
}

func deref(p *int, d int) int {
	if p == nil {
		return d
	}
	return *p
}
