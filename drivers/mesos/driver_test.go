package mesos_test

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
	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/nodeboot"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/mesos"
)

var ctx = context.Background()

var defaultOptions = stacktest.Options{Masters: 1, FloatingIP: true, TLS: true}

func cluster(o stacktest.Options) drivers.Cluster { return stacktest.Cluster("mesos", o) }

func TestInfo(t *testing.T) {
	info, err := mesos.New().Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, "mesos_ubuntu_v1", info.Name)
	assert.Equal(t, []drivers.Tuple{{ServerType: "vm", OSDistro: "ubuntu", COE: "mesos"}}, info.Provides)
	assert.Equal(t, drivers.Capabilities{Health: true, NodeGroups: true}, info.Capabilities)
	assert.Equal(t, []string{"docker"}, info.NetworkDrivers)
	assert.Equal(t, []string{"rexray"}, info.VolumeDrivers)
}

func TestValidate(t *testing.T) {
	d := mesos.New()
	tests := []struct {
		name   string
		modify func(*drivers.Cluster)
		err    string
	}{
		{"valid", func(*drivers.Cluster) {}, ""},
		{"flannel", func(c *drivers.Cluster) { c.Template.NetworkDriver = "flannel" },
			"Network driver type flannel is not supported, expecting a docker/unspecified network driver."},
		{"cinder", func(c *drivers.Cluster) { c.Template.VolumeDriver = "cinder" },
			"Volume driver type cinder is not supported, expecting a rexray/unspecified volume driver."},
		{"three masters without lb", func(c *drivers.Cluster) { c.NodeGroups[0].NodeCount = 3 }, "master_count must be 1"},
		{"relative work dir", func(c *drivers.Cluster) { c.Labels["mesos_slave_work_dir"] = "mesos" }, "absolute path"},
		{"executor env not json", func(c *drivers.Cluster) { c.Labels["mesos_slave_executor_env_variables"] = "A=1" }, "JSON object"},
		{"executor env json", func(c *drivers.Cluster) { c.Labels["mesos_slave_executor_env_variables"] = `{"PATH":"/bin"}` }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cluster(defaultOptions)
			tt.modify(&c)
			err := d.ValidateCluster(ctx, c)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, drivers.ErrInvalid)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
	tmpl := cluster(defaultOptions).Template
	tmpl.Labels = map[string]string{"mesos_slave_work_dir": "rel"}
	require.ErrorIs(t, d.ValidateTemplate(ctx, tmpl), drivers.ErrInvalid)
}

func TestClusterStack(t *testing.T) {
	d := mesos.New()
	for _, o := range stacktest.Combinations() {
		t.Run(o.String(), func(t *testing.T) {
			st, err := d.ClusterStack(ctx, cluster(o))
			require.NoError(t, err)
			stacktest.CheckParams(t, st)
			p := st.Parameters
			assert.Equal(t, 5050, p["api_port"])
			assert.Equal(t, 8080, p["extra_port"])
			assert.Equal(t, 31000, p["worker_port_min"])
			assert.Equal(t, o.Masters, p["number_of_masters"])
			assert.Equal(t, o.FloatingIP, p["floating_ip_enabled"])
		})
	}
}

func TestCloudConfigs(t *testing.T) {
	st, err := mesos.New().ClusterStack(ctx, cluster(stacktest.Options{Masters: 3, LB: true, TLS: true}))
	require.NoError(t, err)
	keys := stacktest.StrReplaceKeys(t, []byte(st.Files[clusterstack.NodeTemplate]), "server")
	values := map[string]string{
		"__NODE_NAME__": "mesos-node-0", "__PRIMARY_ADDRESS__": "10.0.0.5", "__MASTERS__": "10.0.0.5,10.0.0.6,10.0.0.7",
		"__API_PUBLIC_ADDRESS__": "", "__API_ADDRESS__": "", "__CA_CERT__": "LS0tLS1CRUdJTg==", "__DOCKER_VOLUME__": "vol-1",
		"__WAIT_CURL__": "curl -i -X POST -H 'X-Auth-Token: tok' -H 'Content-Type: application/json' http://heat:8004/v1/p/signal",
	}
	for _, name := range []string{clusterstack.BootMaster, clusterstack.BootWorker} {
		raw := st.Files[name]
		require.True(t, strings.HasPrefix(raw, "#cloud-config\n"), name)
		assert.Equal(t, keys, stacktest.Placeholders(raw), name)
		var doc struct {
			WriteFiles []struct {
				Path, Permissions, Encoding, Content string
			} `yaml:"write_files"`
			RunCmd [][]string `yaml:"runcmd"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(stacktest.StrReplace(raw, values)), &doc))
		assert.Equal(t, [][]string{{"/usr/local/bin/magnum-bootstrap"}}, doc.RunCmd)
		paths := map[string]string{}
		for _, f := range doc.WriteFiles {
			paths[f.Path] = f.Content
		}
		assert.Contains(t, paths, nodeboot.LibPath)
		assert.Contains(t, paths, "/usr/local/bin/magnum-bootstrap")
		assert.Contains(t, paths[nodeboot.NodeEnvPath], "WAIT_CURL=curl -i -X POST -H 'X-Auth-Token: tok'")
		assert.Contains(t, paths[nodeboot.NodeEnvPath], "MASTERS=10.0.0.5,10.0.0.6,10.0.0.7\n")
	}
}

func TestResizeAndUnsupported(t *testing.T) {
	d := mesos.New()
	c := cluster(defaultOptions)
	u, err := d.ResizeStack(ctx, c, drivers.Resize{NodeGroup: "ng-worker", NodeCount: 5})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"number_of_nodes": 5, "nodes_to_remove": ""}, u.Parameters)
	_, err = d.ResizeStack(ctx, c, drivers.Resize{NodeGroup: "ng-worker", NodeCount: 6})
	require.ErrorIs(t, err, drivers.ErrInvalid)
	_, err = d.UpgradeStack(ctx, c, drivers.Upgrade{})
	require.ErrorIs(t, err, drivers.ErrNotSupported)
	_, err = d.RotateCAStack(ctx, c)
	require.ErrorIs(t, err, drivers.ErrNotSupported)
}

// TestNodeGroupStack checks the stack of an extra agent group; Mesos'
// API address is a bare IP.
func TestNodeGroupStack(t *testing.T) {
	stacktest.CheckBasicNodeGroup(t, mesos.New(), cluster(defaultOptions), "172.24.4.10", "172.24.4.10")
}

func TestMapOutputs(t *testing.T) {
	c := cluster(defaultOptions)
	out, err := mesos.New().MapOutputs(ctx, c, c.NodeGroups[0], drivers.StackState{
		Outputs:    map[string]any{"api_address": "172.24.4.10", "masters": []any{"172.24.4.10"}, "nodes": []any{"172.24.4.20", "172.24.4.21"}},
		Parameters: map[string]string{"number_of_masters": "1", "number_of_nodes": "2"},
	})
	require.NoError(t, err)
	assert.Equal(t, "172.24.4.10", out.APIAddress)
	assert.Equal(t, []string{"172.24.4.20", "172.24.4.21"}, out.NodeGroups["ng-worker"].NodeAddresses)
	assert.Equal(t, 2, *out.NodeGroups["ng-worker"].NodeCount)
}

func TestClientConfig(t *testing.T) {
	pki := stacktest.NewPKI(t)
	c := cluster(defaultOptions)
	c.APIAddress = "172.24.4.10"
	cfg, err := mesos.New().ClientConfig(ctx, c, pki.Credentials)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"MESOS_MASTER_URL": "https://172.24.4.10:5050", "MARATHON_URL": "http://172.24.4.10:8080"}, cfg.Env)
	assert.Equal(t, pki.CAPEM, cfg.Files["ca.pem"])
	c = cluster(stacktest.Options{Masters: 1})
	c.APIAddress = "10.0.0.5"
	cfg, err = mesos.New().ClientConfig(ctx, c, drivers.Credentials{})
	require.NoError(t, err)
	assert.Equal(t, "http://10.0.0.5:5050", cfg.Env["MESOS_MASTER_URL"])
	c.APIAddress = ""
	_, err = mesos.New().ClientConfig(ctx, c, drivers.Credentials{})
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

// masterAPI answers as a leading Mesos master's /master/state does.
func masterAPI(leader string, active ...bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /master/state", func(w http.ResponseWriter, _ *http.Request) {
		var slaves []string
		for i, a := range active {
			slaves = append(slaves, fmt.Sprintf(`{"id":"s%d","hostname":"agent-%d","active":%t,"resources":{"cpus":2}}`, i, i, a))
		}
		fmt.Fprintf(w, `{"version":"1.9.0","leader":%q,"activated_slaves":%d,"slaves":[%s]}`, leader, len(active), strings.Join(slaves, ","))
	})
	return mux
}

func TestHealth(t *testing.T) {
	pki := stacktest.NewPKI(t)
	other := stacktest.NewPKI(t)
	healthy := pki.Server(t, masterAPI("master@10.0.0.5:5050", true, true))
	inactive := pki.Server(t, masterAPI("master@10.0.0.5:5050", true, false))
	missing := pki.Server(t, masterAPI("master@10.0.0.5:5050", true))
	noLeader := pki.Server(t, masterAPI("", true, true))
	extra := pki.Server(t, masterAPI("master@10.0.0.5:5050", true, true, true))
	down := pki.Server(t, masterAPI(""))
	down.Close()
	foreign := other.Server(t, masterAPI("master@10.0.0.5:5050", true, true))
	tests := []struct {
		name   string
		srv    string
		status drivers.HealthStatus
		reason map[string]string
		api    string
		// extra is the size of an extra agent group, 0 for none.
		extra int
	}{
		{"healthy", healthy.URL, drivers.Healthy, map[string]string{"api": "ok", "agents": "2/2 active", "agent-0.Active": "true", "agent-1.Active": "true"}, "ok", 0},
		{"one agent inactive", inactive.URL, drivers.Unhealthy, map[string]string{"api": "ok", "agents": "1/2 active", "agent-0.Active": "true", "agent-1.Active": "false"}, "ok", 0},
		{"one agent missing", missing.URL, drivers.Unhealthy, map[string]string{"api": "ok", "agents": "1/2 active", "agent-0.Active": "true"}, "ok", 0},
		{"extra group", healthy.URL, drivers.Unhealthy, map[string]string{"api": "ok", "agents": "2/3 active", "agent-0.Active": "true", "agent-1.Active": "true"}, "ok", 1},
		{"extra group healthy", extra.URL, drivers.Healthy, map[string]string{"api": "ok", "agents": "3/3 active", "agent-0.Active": "true", "agent-1.Active": "true", "agent-2.Active": "true"}, "ok", 1},
		{"no leader", noLeader.URL, drivers.Unhealthy, nil, "no leading master", 0},
		{"api down", down.URL, drivers.Unhealthy, nil, "connect", 0},
		{"tls failure", foreign.URL, drivers.Unhealthy, nil, "certificate", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := withAPI(strings.TrimPrefix(tt.srv, "https://"))
			if tt.extra > 0 {
				c.NodeGroups = append(c.NodeGroups, drivers.NodeGroup{UUID: "ng-extra", Name: "extra", Role: "worker", NodeCount: tt.extra})
			}
			h, err := mesos.New().Health(ctx, c, pki.Credentials)
			require.NoError(t, err)
			assert.Equal(t, tt.status, h.Status)
			if tt.reason != nil {
				assert.Equal(t, tt.reason, h.Reason)
			}
			assert.Contains(t, h.Reason["api"], tt.api)
		})
	}
	c := cluster(stacktest.Options{Masters: 1, TLS: true})
	c.APIAddress = "10.0.0.5"
	h, err := mesos.New().Health(ctx, c, pki.Credentials)
	require.NoError(t, err)
	assert.Equal(t, drivers.Unknown, h.Status)
}

func withAPI(host string) drivers.Cluster {
	c := cluster(defaultOptions)
	c.APIAddress = host
	return c
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
	for _, l := range mesos.Labels {
		def := l.Default
		if def == "" {
			def = `""`
		}
		re := regexp.MustCompile(`(?m)^//\t` + regexp.QuoteMeta(l.Name) + `\s+` + regexp.QuoteMeta(def) + `(\s|$)`)
		assert.Regexp(t, re, string(doc), "label %s", l.Name)
	}
}
