package swarm_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/nodeboot"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/swarm"
)

var ctx = context.Background()

var defaultOptions = stacktest.Options{Masters: 1, FloatingIP: true, TLS: true}

func cluster(o stacktest.Options) drivers.Cluster { return stacktest.Cluster("swarm-mode", o) }

func TestInfo(t *testing.T) {
	info, err := swarm.New().Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, "swarm_fedora_coreos_v1", info.Name)
	assert.Equal(t, []drivers.Tuple{{ServerType: "vm", OSDistro: "fedora-coreos", COE: "swarm-mode"}}, info.Provides)
	assert.Equal(t, drivers.Capabilities{Health: true, NodeGroups: true}, info.Capabilities)
	assert.Equal(t, []string{"docker", "flannel"}, info.NetworkDrivers)
	assert.Equal(t, []string{"rexray"}, info.VolumeDrivers)
}

func TestValidate(t *testing.T) {
	d := swarm.New()
	tests := []struct {
		name   string
		modify func(*drivers.Cluster)
		err    string
	}{
		{"valid", func(*drivers.Cluster) {}, ""},
		{"flannel", func(c *drivers.Cluster) { c.Template.NetworkDriver = "flannel" }, ""},
		{"calico", func(c *drivers.Cluster) { c.Template.NetworkDriver = "calico" },
			"Network driver type calico is not supported, expecting a docker/flannel/unspecified network driver."},
		{"cinder", func(c *drivers.Cluster) { c.Template.VolumeDriver = "cinder" },
			"Volume driver type cinder is not supported, expecting a rexray/unspecified volume driver."},
		{"three managers without lb", func(c *drivers.Cluster) { c.NodeGroups[0].NodeCount = 3 }, "master_count must be 1"},
		{"bad preempt", func(c *drivers.Cluster) { c.Labels["rexray_preempt"] = "sometimes" }, "label rexray_preempt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cluster(defaultOptions)
			tt.modify(&c)
			err := d.ValidateCluster(ctx, c)
			if tt.err == "" {
				require.NoError(t, err)
				require.NoError(t, d.ValidateTemplate(ctx, c.Template))
				return
			}
			require.ErrorIs(t, err, drivers.ErrInvalid)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}

func TestClusterStack(t *testing.T) {
	d := swarm.New()
	for _, o := range stacktest.Combinations() {
		t.Run(o.String(), func(t *testing.T) {
			st, err := d.ClusterStack(ctx, cluster(o))
			require.NoError(t, err)
			stacktest.CheckParams(t, st)
			p := st.Parameters
			assert.Equal(t, map[bool]int{true: 2376, false: 2375}[o.TLS], p["api_port"])
			assert.Equal(t, 0, p["extra_port"])
			assert.Equal(t, o.Masters-1, p["number_of_secondary_masters"])
			assert.Equal(t, 2, p["number_of_nodes"])
			assert.Equal(t, o.LB, p["master_lb_enabled"])
			assert.Equal(t, map[bool]int{true: 10, false: 0}[o.Volumes], p["docker_volume_size"])
		})
	}
	c := cluster(defaultOptions)
	c.Boot.CACert = ""
	_, err := d.ClusterStack(ctx, c)
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

func TestIgnitionConfigs(t *testing.T) {
	st, err := swarm.New().ClusterStack(ctx, cluster(stacktest.Options{Masters: 3, LB: true, TLS: true}))
	require.NoError(t, err)
	keys := stacktest.StrReplaceKeys(t, []byte(st.Files[clusterstack.NodeTemplate]), "server")
	values := map[string]string{
		"__NODE_NAME__": "swarm-master-0", "__PRIMARY_ADDRESS__": "10.0.0.5", "__MASTERS__": "10.0.0.5,10.0.0.6",
		"__API_PUBLIC_ADDRESS__": "", "__API_ADDRESS__": "", "__CA_CERT__": "LS0tLS1CRUdJTg==", "__DOCKER_VOLUME__": "",
		"__WAIT_CURL__": "curl -i -X POST -H 'X-Auth-Token: tok' -H 'Content-Type: application/json' http://heat:8004/v1/p/signal",
	}
	for _, name := range []string{clusterstack.BootMaster, clusterstack.BootWorker} {
		raw := st.Files[name]
		assert.Equal(t, keys, stacktest.Placeholders(raw), name)
		cfg := stacktest.ParseIgnition(t, []byte(stacktest.StrReplace(raw, values)))
		assert.Contains(t, stacktest.IgnitionFile(t, cfg, "/usr/local/bin/magnum-bootstrap"), "docker swarm")
		assert.Contains(t, stacktest.IgnitionFile(t, cfg, nodeboot.ClusterEnvPath), "TLS_DISABLED='false'")
	}
}

func TestResizeAndUnsupported(t *testing.T) {
	d := swarm.New()
	c := cluster(defaultOptions)
	u, err := d.ResizeStack(ctx, c, drivers.Resize{NodeGroup: "ng-worker", NodeCount: 1, NodesToRemove: []string{"0"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"number_of_nodes": 1, "nodes_to_remove": "0"}, u.Parameters)
	st, err := d.ClusterStack(ctx, c)
	require.NoError(t, err)
	stacktest.CheckUpdate(t, st.Template, u.Parameters)

	_, err = d.ResizeStack(ctx, c, drivers.Resize{NodeGroup: "ng-master", NodeCount: 3})
	require.ErrorIs(t, err, drivers.ErrNotSupported)
	_, err = d.UpgradeStack(ctx, c, drivers.Upgrade{NodeGroup: "ng-worker", MaxBatchSize: 1})
	require.ErrorIs(t, err, drivers.ErrNotSupported)
	_, err = d.RotateCAStack(ctx, c)
	require.ErrorIs(t, err, drivers.ErrNotSupported)
}

// TestNodeGroupStack checks the stack of an extra worker group, under the
// API addresses a swarm can have.
func TestNodeGroupStack(t *testing.T) {
	for _, tc := range []struct{ name, api, host string }{
		{"tls", "tcp://172.24.4.10:2376", "172.24.4.10"},
		{"no tls", "tcp://10.0.0.5:2375", "10.0.0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stacktest.CheckBasicNodeGroup(t, swarm.New(), cluster(defaultOptions), tc.api, tc.host)
		})
	}
}

func TestMapOutputs(t *testing.T) {
	d := swarm.New()
	s := drivers.StackState{
		Status: "CREATE_COMPLETE",
		Outputs: map[string]any{
			"api_address": "172.24.4.10", "masters": []any{"172.24.4.10"}, "masters_private": []any{"10.0.0.5"},
			"secondary_masters": []any{"172.24.4.11"}, "secondary_masters_private": []any{"10.0.0.6"},
			"nodes": []any{"172.24.4.20"}, "nodes_private": []any{"10.0.0.8"},
		},
		Parameters: map[string]string{"number_of_masters": "2", "number_of_nodes": "1"},
	}
	c := cluster(stacktest.Options{Masters: 2, LB: true, FloatingIP: true, TLS: true})
	out, err := d.MapOutputs(ctx, c, c.NodeGroups[0], s)
	require.NoError(t, err)
	assert.Equal(t, "tcp://172.24.4.10:2376", out.APIAddress)
	assert.Equal(t, []string{"172.24.4.10", "172.24.4.11"}, out.NodeGroups["ng-master"].NodeAddresses)
	assert.Equal(t, 2, *out.NodeGroups["ng-master"].NodeCount)
	assert.Equal(t, []string{"172.24.4.20"}, out.NodeGroups["ng-worker"].NodeAddresses)

	c = cluster(stacktest.Options{Masters: 2, LB: true})
	out, err = d.MapOutputs(ctx, c, c.NodeGroups[0], s)
	require.NoError(t, err)
	assert.Equal(t, "tcp://172.24.4.10:2375", out.APIAddress)
	assert.Equal(t, []string{"10.0.0.5", "10.0.0.6"}, out.NodeGroups["ng-master"].NodeAddresses)
	assert.Equal(t, []string{"10.0.0.8"}, out.NodeGroups["ng-worker"].NodeAddresses)
}

func TestClientConfig(t *testing.T) {
	d := swarm.New()
	pki := stacktest.NewPKI(t)
	c := cluster(defaultOptions)
	c.APIAddress = "tcp://172.24.4.10:2376"
	cfg, err := d.ClientConfig(ctx, c, pki.Credentials)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"DOCKER_HOST": "tcp://172.24.4.10:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "."}, cfg.Env)
	assert.Equal(t, pki.CAPEM, cfg.Files["ca.pem"])
	assert.Equal(t, pki.Credentials.ClientKey, cfg.Files["key.pem"])
	_, err = d.ClientConfig(ctx, c, drivers.Credentials{})
	require.ErrorIs(t, err, drivers.ErrInvalid)

	c = cluster(stacktest.Options{Masters: 1})
	c.APIAddress = "tcp://10.0.0.5:2375"
	cfg, err = d.ClientConfig(ctx, c, drivers.Credentials{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"DOCKER_HOST": "tcp://10.0.0.5:2375"}, cfg.Env)
	assert.Empty(t, cfg.Files)
}

// dockerAPI answers as a swarm manager's Docker API does.
func dockerAPI(active bool, states ...string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /info", func(w http.ResponseWriter, _ *http.Request) {
		state := "active"
		if !active {
			state = "inactive"
		}
		fmt.Fprintf(w, `{"ID":"x","Containers":3,"Swarm":{"NodeID":"n0","LocalNodeState":%q,"ControlAvailable":%t,"Nodes":%d,"Managers":1}}`,
			state, active, len(states))
	})
	mux.HandleFunc("GET /nodes", func(w http.ResponseWriter, _ *http.Request) {
		var items []string
		for i, s := range states {
			items = append(items, fmt.Sprintf(`{"ID":"id%d","Description":{"Hostname":"node-%d"},"Status":{"State":%q,"Addr":"10.0.0.%d"},"Spec":{"Role":"worker","Availability":"active"}}`, i, i, s, i+5))
		}
		fmt.Fprint(w, "["+strings.Join(items, ",")+"]")
	})
	return mux
}

func TestHealth(t *testing.T) {
	pki := stacktest.NewPKI(t)
	other := stacktest.NewPKI(t)
	healthy := pki.Server(t, dockerAPI(true, "ready", "ready"))
	notReady := pki.Server(t, dockerAPI(true, "ready", "down"))
	notManager := pki.Server(t, dockerAPI(false))
	down := pki.Server(t, dockerAPI(true))
	down.Close()
	foreign := other.Server(t, dockerAPI(true, "ready"))
	tests := []struct {
		name   string
		url    string
		status drivers.HealthStatus
		reason map[string]string
		api    string
	}{
		{"healthy", healthy.URL, drivers.Healthy, map[string]string{"api": "ok", "node-0.Ready": "True", "node-1.Ready": "True"}, "ok"},
		{"one node not ready", notReady.URL, drivers.Unhealthy, map[string]string{"api": "ok", "node-0.Ready": "True", "node-1.Ready": "False"}, "ok"},
		{"not a manager", notManager.URL, drivers.Unhealthy, nil, "inactive"},
		{"api down", down.URL, drivers.Unhealthy, nil, "connect"},
		{"tls failure", foreign.URL, drivers.Unhealthy, nil, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cluster(defaultOptions)
			c.APIAddress = "tcp://" + strings.TrimPrefix(tt.url, "https://")
			h, err := swarm.New().Health(ctx, c, pki.Credentials)
			require.NoError(t, err)
			assert.Equal(t, tt.status, h.Status)
			if tt.reason != nil {
				assert.Equal(t, tt.reason, h.Reason)
			}
			assert.Contains(t, h.Reason["api"], tt.api)
		})
	}

	c := cluster(stacktest.Options{Masters: 1, TLS: true})
	c.APIAddress = "tcp://10.0.0.5:2376"
	h, err := swarm.New().Health(ctx, c, pki.Credentials)
	require.NoError(t, err)
	assert.Equal(t, drivers.Unknown, h.Status)

	c = cluster(defaultOptions)
	c.APIAddress = "https://10.0.0.5:2376"
	_, err = swarm.New().Health(ctx, c, pki.Credentials)
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

func TestShellcheck(t *testing.T) {
	scripts, err := filepath.Glob("scripts/*.sh")
	require.NoError(t, err)
	require.NotEmpty(t, scripts)
	stacktest.Shellcheck(t, scripts...)
}

func TestLabelsDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	for _, l := range swarm.Labels {
		def := l.Default
		if def == "" {
			def = `""`
		}
		re := regexp.MustCompile(`(?m)^//\t` + regexp.QuoteMeta(l.Name) + `\s+` + regexp.QuoteMeta(def) + `(\s|$)`)
		assert.Regexp(t, re, string(doc), "label %s", l.Name)
	}
}
