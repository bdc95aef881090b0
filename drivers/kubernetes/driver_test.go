package kubernetes_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
)

var ctx = context.Background()

func cluster(o stacktest.Options) drivers.Cluster { return stacktest.Cluster("kubernetes", o) }

var defaultOptions = stacktest.Options{Masters: 1, FloatingIP: true, TLS: true}

func TestInfo(t *testing.T) {
	info, err := kubernetes.New().Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, "k8s_fedora_coreos_v1", info.Name)
	assert.Equal(t, []drivers.Tuple{{ServerType: "vm", OSDistro: "fedora-coreos", COE: "kubernetes"}}, info.Provides)
	assert.Equal(t, drivers.Capabilities{Upgrade: true, RotateCA: true, NodeGroups: true, Health: true}, info.Capabilities)
	assert.Equal(t, []string{"flannel", "calico"}, info.NetworkDrivers)
	assert.Equal(t, []string{"cinder"}, info.VolumeDrivers)
}

func TestValidateTemplate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*drivers.Template)
		err    string
	}{
		{"defaults", func(*drivers.Template) {}, ""},
		{"calico", func(t *drivers.Template) { t.NetworkDriver = "calico" }, ""},
		{"docker network", func(t *drivers.Template) { t.NetworkDriver = "docker" },
			"Network driver type docker is not supported, expecting a flannel/calico/unspecified network driver."},
		{"rexray", func(t *drivers.Template) { t.VolumeDriver = "rexray" },
			"Volume driver type rexray is not supported, expecting a cinder/unspecified volume driver."},
		{"bare metal", func(t *drivers.Template) { t.ServerType = "bm" }, "Server type bm is not supported"},
		{"other coe", func(t *drivers.Template) { t.COE = "mesos" }, "this driver serves"},
		{"bad tag", func(t *drivers.Template) { t.Labels = map[string]string{"kube_tag": "v1 && rm"} }, "label kube_tag"},
		{"bad cidr", func(t *drivers.Template) { t.Labels = map[string]string{"calico_ipv4pool": "10.0.0.0/33"} }, "label calico_ipv4pool"},
		{"bad bool", func(t *drivers.Template) { t.Labels = map[string]string{"auto_scaling_enabled": "maybe"} }, "expecting a boolean"},
		{"bad runtime", func(t *drivers.Template) { t.Labels = map[string]string{"container_runtime": "docker"} }, "one of containerd"},
		{"negative volume", func(t *drivers.Template) { t.DockerVolumeSize = -1 }, "docker_volume_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := cluster(defaultOptions).Template
			tt.modify(&tmpl)
			err := kubernetes.New().ValidateTemplate(ctx, tmpl)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, drivers.ErrInvalid)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

func TestValidateCluster(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*drivers.Cluster)
		err    string
	}{
		{"valid", func(*drivers.Cluster) {}, ""},
		{"three masters without lb", func(c *drivers.Cluster) { c.NodeGroups[0].NodeCount = 3 },
			"master_count must be 1 when master_lb_enabled is False"},
		{"no masters", func(c *drivers.Cluster) { c.NodeGroups[0].NodeCount = 0 }, "master_count must be at least 1"},
		{"no default worker", func(c *drivers.Cluster) { c.NodeGroups = c.NodeGroups[:1] }, "no default worker node group"},
		{"network without subnet", func(c *drivers.Cluster) { c.FixedNetwork = "net" }, "fixed_subnet is required"},
		{"cinder without cloud provider", func(c *drivers.Cluster) { c.Template.VolumeDriver = "cinder" },
			`"cinder" volume driver needs "cloud_provider_enabled" label to be true or unset.`},
		{"cinder with cloud provider", func(c *drivers.Cluster) {
			c.Template.VolumeDriver = "cinder"
			c.Labels["cloud_provider_enabled"] = "true"
		}, ""},
		{"min above max", func(c *drivers.Cluster) {
			c.Labels["min_node_count"], c.Labels["max_node_count"] = "4", "2"
		}, "min_node_count 4 is above max_node_count 2"},
		{"pods overlap services", func(c *drivers.Cluster) {
			c.Labels["flannel_network_cidr"] = "10.254.128.0/17"
		}, "overlaps service_cluster_ip_range"},
		{"cluster label wins over template", func(c *drivers.Cluster) {
			c.Template.Labels = map[string]string{"kube_tag": "bad tag"}
			c.Labels["kube_tag"] = "v1.30.1"
		}, "label kube_tag"},
		{"max below min", func(c *drivers.Cluster) {
			one := 1
			c.NodeGroups[1].MinNodeCount, c.NodeGroups[1].MaxNodeCount = 2, &one
		}, "max_node_count 1 is below min_node_count 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cluster(defaultOptions)
			tt.modify(&c)
			err := kubernetes.New().ValidateCluster(ctx, c)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, drivers.ErrInvalid)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

func TestClusterStack(t *testing.T) {
	d := kubernetes.New()
	for _, o := range stacktest.Combinations() {
		t.Run(o.String(), func(t *testing.T) {
			c := cluster(o)
			st, err := d.ClusterStack(ctx, c)
			require.NoError(t, err)
			stacktest.CheckParams(t, st)
			p := st.Parameters
			assert.Equal(t, true, p["is_cluster_stack"])
			assert.Equal(t, o.Masters, p["number_of_masters"])
			assert.Equal(t, o.Masters-1, p["number_of_secondary_masters"])
			assert.Equal(t, 2, p["number_of_minions"])
			assert.Equal(t, o.LB, p["master_lb_enabled"])
			assert.Equal(t, o.FloatingIP, p["floating_ip_enabled"])
			assert.Equal(t, o.FloatingIP, p["master_lb_floating_ip_enabled"])
			assert.Equal(t, !o.TLS, p["tls_disabled"])
			assert.Equal(t, map[bool]int{true: 6443, false: 8080}[o.TLS], p["kubernetes_port"])
			assert.Equal(t, map[bool]int{true: 10, false: 0}[o.Volumes], p["docker_volume_size"])
			assert.Equal(t, "v1.30.4", p["kube_tag"])
			assert.Equal(t, "m1.medium", p["master_flavor"])
			assert.Equal(t, "m1.small", p["minion_flavor"])
			assert.Equal(t, "public", p["external_network"])
			assert.NotEmpty(t, p["service_account_key_private"])
			for _, f := range []string{"kubenode.yaml", "network.yaml", "apilb.yaml", "master.ign", "worker.ign", "reconfigure-agent.sh"} {
				assert.Contains(t, st.Files, f)
			}
		})
	}
}

func TestClusterStackErrors(t *testing.T) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	c.Labels["cloud_provider_enabled"] = "true"
	c.Boot.TrustID = ""
	_, err := d.ClusterStack(ctx, c)
	require.ErrorIs(t, err, drivers.ErrInvalid)
	assert.Contains(t, err.Error(), "trust")

	c = cluster(defaultOptions)
	c.Boot.CACert = ""
	_, err = d.ClusterStack(ctx, c)
	require.ErrorIs(t, err, drivers.ErrInvalid)

	c = cluster(defaultOptions)
	c.NodeGroups[1].NodeLabels = map[string]string{"bad key!": "x"}
	_, err = d.ClusterStack(ctx, c)
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

func TestNodeGroupStack(t *testing.T) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	c.APIAddress = "https://172.24.4.10:6443"
	ng := drivers.NodeGroup{UUID: "ng-gpu", Name: "gpu", Role: "worker", FlavorID: "g1.large", NodeCount: 3,
		Labels:     map[string]string{"kube_tag": "v1.30.4"},
		NodeLabels: map[string]string{"accelerator": "nvidia"},
		NodeTaints: []drivers.Taint{{Key: "gpu", Value: "true", Effect: "NoSchedule"}}}
	c.NodeGroups = append(c.NodeGroups, ng)
	st, err := d.NodeGroupStack(ctx, c, ng)
	require.NoError(t, err)
	stacktest.CheckParams(t, st)
	p := st.Parameters
	assert.Equal(t, false, p["is_cluster_stack"])
	assert.Equal(t, "172.24.4.10", p["existing_api_address"])
	assert.Equal(t, 3, p["number_of_minions"])
	assert.Equal(t, "g1.large", p["minion_flavor"])
	assert.Equal(t, "gpu", p["worker_nodegroup_name"])
	assert.Equal(t, "magnum-"+c.UUID, p["fixed_network"])
	assert.NotContains(t, p, "service_account_key_private")
	env := stacktest.IgnitionFile(t, stacktest.ParseIgnition(t, []byte(st.Files["worker.ign"])), "/etc/magnum/cluster.env")
	assert.True(t, strings.Contains(env, "NODE_TAINTS='gpu=true:NoSchedule'"), env)
	assert.True(t, strings.Contains(env, "NODE_LABELS='accelerator=nvidia'"), env)
	assert.True(t, strings.Contains(env, "DEFAULT_WORKER_NODEGROUP='gpu'"), env)

	_, err = d.NodeGroupStack(ctx, c, drivers.NodeGroup{Name: "m2", Role: "master", NodeCount: 1})
	require.ErrorIs(t, err, drivers.ErrNotSupported)
	c.APIAddress = ""
	_, err = d.NodeGroupStack(ctx, c, ng)
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

func TestResizeStack(t *testing.T) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	u, err := d.ResizeStack(ctx, c, drivers.Resize{NodeGroup: "ng-worker", NodeCount: 1, NodesToRemove: []string{"1", "5f1c9a1e-server"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"number_of_minions": 1, "minions_to_remove": "1,5f1c9a1e-server"}, u.Parameters)
	st, err := d.ClusterStack(ctx, c)
	require.NoError(t, err)
	stacktest.CheckUpdate(t, st.Template, u.Parameters)

	u, err = d.ResizeStack(ctx, c, drivers.Resize{NodeGroup: "ng-worker", NodeCount: 4})
	require.NoError(t, err)
	assert.Equal(t, "", u.Parameters["minions_to_remove"])

	tests := []struct {
		r    drivers.Resize
		kind error
		msg  string
	}{
		{drivers.Resize{NodeGroup: "ng-master", NodeCount: 3}, drivers.ErrNotSupported, "master nodegroup"},
		{drivers.Resize{NodeGroup: "nope", NodeCount: 3}, drivers.ErrInvalid, "no node group"},
		{drivers.Resize{NodeGroup: "ng-worker", NodeCount: 6}, drivers.ErrInvalid, "max_node_count 5"},
		{drivers.Resize{NodeGroup: "ng-worker", NodeCount: -1}, drivers.ErrInvalid, "min_node_count"},
		{drivers.Resize{NodeGroup: "ng-worker", NodeCount: 1, NodesToRemove: []string{" "}}, drivers.ErrInvalid, "bad name"},
	}
	for _, tt := range tests {
		_, err := d.ResizeStack(ctx, c, tt.r)
		require.ErrorIs(t, err, tt.kind)
		assert.Contains(t, err.Error(), tt.msg)
	}
}

func TestUpgradeStack(t *testing.T) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	c.Labels["kube_tag"] = "v1.29.8"
	next := c.Template
	next.UUID = "new-template"
	next.Labels = map[string]string{"kube_tag": "v1.30.4", "etcd_tag": "v3.5.15"}

	u, err := d.UpgradeStack(ctx, c, drivers.Upgrade{Template: next, NodeGroup: "ng-worker", MaxBatchSize: 2})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"kube_tag": "v1.30.4", "update_max_batch_size": 2}, u.Parameters)
	st, err := d.ClusterStack(ctx, c)
	require.NoError(t, err)
	stacktest.CheckUpdate(t, st.Template, u.Parameters)

	tests := []struct {
		name   string
		modify func(*drivers.Upgrade)
		class  error
		msg    string
	}{
		{"downgrade", func(u *drivers.Upgrade) { u.Template.Labels = map[string]string{"kube_tag": "v1.28.0"} }, drivers.ErrInvalid, "Received invalid tag for kube_tag"},
		{"older etcd", func(u *drivers.Upgrade) { u.Template.Labels["etcd_tag"] = "v3.4.0" }, drivers.ErrInvalid, "Received invalid tag for etcd_tag"},
		{"no kube_tag", func(u *drivers.Upgrade) { u.Template.Labels = map[string]string{} }, drivers.ErrConflict,
			"Cluster Template is not valid for upgrade: Cluster template " + next.Name + " does not contain any supported upgrade labels: [kube_tag]"},
		{"batch size", func(u *drivers.Upgrade) { u.MaxBatchSize = 0 }, drivers.ErrInvalid, "max_batch_size"},
		{"other template for extra group", func(u *drivers.Upgrade) { u.NodeGroup = "ng-extra" }, drivers.ErrConflict, "only to match"},
		{"bad label", func(u *drivers.Upgrade) { u.Template.Labels["kube_tag"] = "v1.31 ;" }, drivers.ErrInvalid, "label kube_tag"},
	}
	c.NodeGroups = append(c.NodeGroups, drivers.NodeGroup{UUID: "ng-extra", Name: "extra", Role: "worker", NodeCount: 1})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := drivers.Upgrade{Template: next, NodeGroup: "ng-worker", MaxBatchSize: 1}
			up.Template.Labels = map[string]string{"kube_tag": "v1.30.4", "etcd_tag": "v3.5.15"}
			tt.modify(&up)
			_, err := d.UpgradeStack(ctx, c, up)
			require.ErrorIs(t, err, tt.class)
			if tt.class != drivers.ErrConflict {
				assert.NotErrorIs(t, err, drivers.ErrConflict)
			}
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestRotateCAStack(t *testing.T) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	first, err := d.RotateCAStack(ctx, c)
	require.NoError(t, err)
	second, err := d.RotateCAStack(ctx, c)
	require.NoError(t, err)
	assert.True(t, first.Rollback)
	assert.NotEqual(t, first.Parameters["service_account_key_private"], second.Parameters["service_account_key_private"])
	for _, k := range []string{"ca_cert", "etcd_ca_cert", "front_proxy_ca_cert", "service_account_key_public"} {
		assert.NotEmpty(t, first.Parameters[k], k)
	}
	st, err := d.ClusterStack(ctx, c)
	require.NoError(t, err)
	stacktest.CheckUpdate(t, st.Template, first.Parameters)
	c.Boot.CACert = ""
	_, err = d.RotateCAStack(ctx, c)
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

func TestMapOutputs(t *testing.T) {
	d := kubernetes.New()
	outputs := map[string]any{
		"api_address":                    "172.24.4.10",
		"kube_masters":                   []any{"172.24.4.10"},
		"kube_masters_private":           []any{"10.0.0.5"},
		"kube_secondary_masters":         []any{"172.24.4.11", "172.24.4.12"},
		"kube_secondary_masters_private": []any{"10.0.0.6", "10.0.0.7"},
		"kube_minions":                   []any{"172.24.4.20", nil},
		"kube_minions_private":           []any{"10.0.0.8", "10.0.0.9"},
	}
	params := map[string]string{"number_of_masters": "3", "number_of_minions": "2", "kube_tag": "v1.30.4"}
	tests := []struct {
		name    string
		opts    stacktest.Options
		api     string
		masters []string
		workers []string
	}{
		{"tls floating", stacktest.Options{Masters: 3, LB: true, FloatingIP: true, TLS: true}, "https://172.24.4.10:6443",
			[]string{"172.24.4.10", "172.24.4.11", "172.24.4.12"}, []string{"172.24.4.20"}},
		{"no tls private", stacktest.Options{Masters: 3, LB: true}, "http://172.24.4.10:8080",
			[]string{"10.0.0.5", "10.0.0.6", "10.0.0.7"}, []string{"10.0.0.8", "10.0.0.9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cluster(tt.opts)
			out, err := d.MapOutputs(ctx, c, c.NodeGroups[0], drivers.StackState{Status: "CREATE_COMPLETE", Outputs: outputs, Parameters: params})
			require.NoError(t, err)
			assert.Equal(t, tt.api, out.APIAddress)
			assert.Equal(t, "v1.30.4", out.COEVersion)
			assert.Equal(t, tt.masters, out.NodeGroups["ng-master"].NodeAddresses)
			assert.Equal(t, 3, *out.NodeGroups["ng-master"].NodeCount)
			assert.Equal(t, tt.workers, out.NodeGroups["ng-worker"].NodeAddresses)
			assert.Equal(t, 2, *out.NodeGroups["ng-worker"].NodeCount)
		})
	}

	c := cluster(defaultOptions)
	extra := drivers.NodeGroup{UUID: "ng-extra", Name: "extra", Role: "worker"}
	out, err := d.MapOutputs(ctx, c, extra, drivers.StackState{Outputs: map[string]any{"kube_minions": "172.24.4.30,172.24.4.31"},
		Parameters: map[string]string{"number_of_minions": "2"}})
	require.NoError(t, err)
	assert.Empty(t, out.APIAddress)
	assert.Equal(t, []string{"172.24.4.30", "172.24.4.31"}, out.NodeGroups["ng-extra"].NodeAddresses)
	assert.Len(t, out.NodeGroups, 1)

	_, err = d.MapOutputs(ctx, c, c.NodeGroups[0], drivers.StackState{Parameters: map[string]string{"number_of_masters": "many"}})
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

func TestClientConfig(t *testing.T) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	c.APIAddress = "https://172.24.4.10:6443"
	pki := stacktest.NewPKI(t)
	cfg, err := d.ClientConfig(ctx, c, pki.Credentials)
	require.NoError(t, err)
	kc := string(cfg.Files["config"])
	assert.Contains(t, kc, "server: https://172.24.4.10:6443")
	assert.Contains(t, kc, "certificate-authority-data: ")
	assert.Contains(t, kc, "client-certificate-data: ")
	assert.Contains(t, kc, "client-key-data: ")
	assert.Equal(t, "config", cfg.Env["KUBECONFIG"])
	assert.NotContains(t, kc, "proxy-url")

	// The host's proxy to the API (the simulated cloud's) is kept.
	creds := pki.Credentials
	creds.Proxy = "http://cluster@127.0.0.1:4000"
	cfg, err = d.ClientConfig(ctx, c, creds)
	require.NoError(t, err)
	assert.Contains(t, string(cfg.Files["config"]), "proxy-url: http://cluster@127.0.0.1:4000")

	_, err = d.ClientConfig(ctx, c, drivers.Credentials{})
	require.ErrorIs(t, err, drivers.ErrInvalid)
	c.APIAddress = ""
	_, err = d.ClientConfig(ctx, c, pki.Credentials)
	require.ErrorIs(t, err, drivers.ErrInvalid)

	c = cluster(stacktest.Options{Masters: 1})
	c.APIAddress = "http://10.0.0.5:8080"
	cfg, err = d.ClientConfig(ctx, c, drivers.Credentials{})
	require.NoError(t, err)
	assert.False(t, strings.Contains(string(cfg.Files["config"]), "certificate-authority-data"))
}
