package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/gomagnum/gomagnum/magnum"
)

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "magnumd.yaml")
	require.NoError(t, os.WriteFile(p, []byte(yaml), 0o600))
	return p
}

func TestDefaults(t *testing.T) {
	c, err := LoadConfig("")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9511", c.Listen)
	assert.Equal(t, "embedded", c.Orchestrator.Type)
	assert.Equal(t, "simulated", c.Cloud.Type)
	assert.Equal(t, "noauth", c.Auth.Mode)
	assert.Equal(t, "database", c.Certificates.Store)
	assert.Equal(t, 10*time.Second, c.Intervals.Sync)
	assert.Equal(t, 180*time.Second, c.Intervals.ServiceDownTime)
	assert.Equal(t, 20, c.Quotas.MaxClustersPerProject)
	assert.Equal(t, magnum.DefaultMaxNodes, c.Limits.MaxNodesPerNodeGroup)
	assert.Equal(t, magnum.DefaultMaxNodes, c.Limits.MaxNodesPerCluster)
	assert.Equal(t, engine.DefaultMaxResourcesPerStack, c.Orchestrator.Embedded.MaxResourcesPerStack)
	assert.Equal(t, "default", c.Policy.Rules)
	assert.Equal(t, 1000, c.API.MaxLimit)
	assert.Equal(t, 32, c.API.ViewCacheMB)
	assert.Equal(t, "debug", c.Log.Reads)
	assert.Equal(t, slog.LevelDebug, c.readLogLevel())
	assert.Equal(t, "rsa-2048", c.Certificates.KeyType, "Magnum's key type")
	assert.True(t, c.Metrics.Enabled)
	assert.False(t, c.Auth.NoAuth.AllowRemote, "noauth serves loopback only unless asked")
	assert.Equal(t, 10*time.Second, c.HTTP.ReadHeaderTimeout)
	assert.Equal(t, 30*time.Second, c.HTTP.ReadTimeout)
	assert.Equal(t, 2*time.Minute, c.HTTP.WriteTimeout)
	assert.Equal(t, 2*time.Minute, c.HTTP.IdleTimeout)
	assert.Equal(t, 1000, c.HTTP.MaxConnections)
	assert.Equal(t, "http://127.0.0.1:9511/v1", c.publicURL("127.0.0.1:9511"))

	// The noauth identities are the simulated cloud's users.
	admin := c.Auth.NoAuth.Default.caller()
	assert.Equal(t, sim.AdminUserID, admin.UserID)
	assert.Equal(t, sim.AdminProjectID, admin.ProjectID)
	assert.True(t, admin.IsAdmin())
	tokens := c.Auth.NoAuth.Tokens
	assert.Equal(t, sim.DemoUserID, tokens["demo"].UserID)
	assert.Equal(t, sim.DemoProjectID, tokens["demo"].ProjectID)
	assert.Equal(t, sim.AltUserID, tokens["alt"].UserID)
	assert.Equal(t, sim.AltProjectID, tokens["alt"].ProjectID)
	assert.False(t, tokens["demo"].caller().IsAdmin())
}

func TestConfigFileOverridesDefaults(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, `
listen: 0.0.0.0:9999
log: {format: json}
intervals: {sync: 2s}
quotas: {max_clusters_per_project: 3}
tls: {cert_file: c.pem, key_file: k.pem}
`))
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:9999", c.Listen)
	assert.Equal(t, "json", c.Log.Format)
	assert.Equal(t, "info", c.Log.Level, "keys the file leaves out keep their default")
	assert.Equal(t, 2*time.Second, c.Intervals.Sync)
	assert.Equal(t, 60*time.Second, c.Intervals.Health)
	assert.Equal(t, 3, c.Quotas.MaxClustersPerProject)
	assert.Equal(t, "https://h:1/v1", c.publicURL("h:1"))

	t.Setenv("XDG_STATE_HOME", "/state")
	dir, err := c.dataDir()
	require.NoError(t, err)
	assert.Equal(t, "/state/gomagnum", dir)
}

func TestConfigErrors(t *testing.T) {
	tests := map[string]string{
		"unknown key":                    "listne: x",
		"bad yaml":                       "listen: [",
		"bad duration":                   "intervals: {sync: soon}",
		"log format":                     "log: {format: xml}",
		"tls half":                       "tls: {cert_file: c.pem}",
		"orchestrator":                   "orchestrator: {type: k8s}",
		"heat without endpoint":          "orchestrator: {type: heat}",
		"openstack cloud without auth":   "cloud: {type: openstack}",
		"openstack cloud, embedded heat": "cloud: {type: openstack, auth: {auth_url: http://k:5000/v3}}",
		"noauth with a real cloud": "{cloud: {type: openstack, auth: {auth_url: http://k:5000/v3}}, " +
			"orchestrator: {type: heat, heat: {noauth_endpoint: http://h:8004/v1/p}}}",
		"cert store":                    "certificates: {store: vault}",
		"dir store without dir":         "certificates: {store: dir}",
		"barbican without endpoint":     "certificates: {store: barbican}",
		"auth mode":                     "auth: {mode: oauth}",
		"keystone without auth":         "auth: {mode: keystone}",
		"zero interval":                 "intervals: {health: 0s}",
		"negative quota":                "quotas: {max_clusters_per_project: -1}",
		"zero node limit":               "limits: {max_nodes_per_cluster: 0}",
		"zero resource limit":           "orchestrator: {embedded: {max_resources_per_stack: 0}}",
		"policy rules":                  "policy: {rules: strict}",
		"max limit":                     "api: {max_limit: 0}",
		"public url":                    "public_url: /v1",
		"zero read timeout":             "http: {read_timeout: 0s}",
		"negative write timeout":        "http: {write_timeout: -1s}",
		"header timeout beyond request": "http: {read_header_timeout: 1m, read_timeout: 30s}",
		"no connections":                "http: {max_connections: 0}",
		"key type":                      "certificates: {key_type: dsa}",
		"read log level":                "log: {reads: warn}",
		"negative view cache":           "api: {view_cache_mb: -1}",
	}
	for name, yaml := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, yaml))
			require.Error(t, err)
			assert.True(t, errors.Is(err, errConfig), "%v", err)
		})
	}
	_, err := LoadConfig(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorIs(t, err, errConfig)
}

// TestNoAuthRealCloudMessage: the refusal says which auth mode a real
// cloud needs, and a keystone configuration of the same cloud passes.
func TestNoAuthRealCloudMessage(t *testing.T) {
	cloud := "cloud: {type: openstack, auth: {auth_url: http://k:5000/v3, username: u, password: p, project_name: s}}\n" +
		"orchestrator: {type: heat, heat: {noauth_endpoint: http://h:8004/v1/p}}\n"
	_, err := LoadConfig(writeConfig(t, cloud))
	require.ErrorIs(t, err, errConfig)
	assert.Contains(t, err.Error(), "use auth.mode keystone with cloud.type openstack")
	_, err = LoadConfig(writeConfig(t, cloud+"auth: {mode: keystone, keystone: {auth: {auth_url: http://k:5000/v3, username: u, password: p, project_name: s}}}\n"))
	assert.NoError(t, err)
}

func TestRunFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-print-defaults"}, &out, &errOut))
	assert.Equal(t, string(defaultsYAML), out.String())

	errOut.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-config", writeConfig(t, "listne: x")}, &out, &errOut))
	assert.Contains(t, errOut.String(), "field listne not found")

	assert.Equal(t, 2, run(context.Background(), []string{"-no-such-flag"}, &out, &errOut))

	ctx, cancel := context.WithCancel(context.Background())
	logs := &cancelOnServing{cancel: cancel}
	code := run(ctx, []string{"-listen", "127.0.0.1:0", "-data-dir", t.TempDir(), "-config",
		writeConfig(t, "drivers: {in_process: true}\nlog: {format: json}")}, &out, logs)
	assert.Equal(t, 0, code, "stopping once serving is a clean exit: %s", &logs.buf)
	assert.Contains(t, logs.buf.String(), `"msg":"shutting down"`)
	assert.Regexp(t, `"msg":"magnumd stopped","uptime":\d+}\n$`, logs.buf.String(), "the last line says magnumd has stopped")

	errOut.Reset()
	code = run(context.Background(), []string{"-listen", "127.0.0.1:0", "-data-dir", t.TempDir(), "-config",
		writeConfig(t, "certificates: {store: dir, dir: /proc/no/such}\ndrivers: {in_process: true}")}, &out, &errOut)
	assert.Equal(t, 1, code, "a store that cannot be made stops magnumd: %s", &errOut)
}

// cancelOnServing collects logs and cancels once magnumd serves, as a
// signal would.
type cancelOnServing struct {
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (c *cancelOnServing) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(`"msg":"serving"`)) {
		c.cancel()
	}
	return c.buf.Write(p)
}

// TestLimitsConfig serves the API with the limits of a configuration file:
// a cluster with more nodes than they allow is refused with 400, and one
// whose stack has more resources than the embedded engine's limit fails.
func TestLimitsConfig(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, "limits: {max_nodes_per_nodegroup: 2, max_nodes_per_cluster: 3}\n"+
		"orchestrator: {embedded: {max_resources_per_stack: 5}}\ndrivers: {in_process: true}\n"))
	require.NoError(t, err)
	c.Database.DataDir = t.TempDir()
	d, err := newDaemon(context.Background(), c, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer d.Close()
	srv := httptest.NewServer(d.api)
	defer srv.Close()
	send := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("OpenStack-API-Version", "container-infra latest")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(data)
	}
	post := func(path, body string) (int, string) { return send("POST", path, body) }
	status, body := post("/v1/clustertemplates", `{"name": "k8s", "coe": "kubernetes", "image_id": "fedora-coreos-40",
		"external_network_id": "public", "flavor_id": "m1.small", "master_flavor_id": "m1.medium"}`)
	require.Equal(t, http.StatusCreated, status, body)
	status, body = post("/v1/clusters", `{"cluster_template_id": "k8s", "node_count": 3}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "Value should be lower or equal to 2, the maximum number of nodes per node group.")
	status, body = post("/v1/clusters", `{"cluster_template_id": "k8s", "node_count": 2, "master_count": 2, "master_lb_enabled": true}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "a cluster may have at most 3 nodes")

	status, body = post("/v1/clusters", `{"name": "c1", "cluster_template_id": "k8s", "node_count": 2}`)
	require.Equal(t, http.StatusAccepted, status, body)
	require.Eventually(t, func() bool {
		_, body = send("GET", "/v1/clusters/c1", "")
		return strings.Contains(body, `"status":"CREATE_FAILED"`)
	}, time.Minute, 20*time.Millisecond, "the engine refuses the stack: %s", body)
	assert.Contains(t, body, "Request limit exceeded: Maximum resources per stack exceeded.")
}

// TestPolicyRulesSetting checks that policy.rules selects the service's
// policy: a reader may not delete clusters under the default rules (the
// policy refuses before the look-up), and may under the legacy ones (the
// look-up then finds nothing).
func TestPolicyRulesSetting(t *testing.T) {
	reader := magnum.Caller{UserID: sim.DemoUserID, ProjectID: sim.DemoProjectID, Roles: []string{"reader"}}
	for rules, want := range map[string]error{"default": magnum.ErrForbidden, "legacy": magnum.ErrNotFound} {
		t.Run(rules, func(t *testing.T) {
			cfg, err := LoadConfig(writeConfig(t, "policy: {rules: "+rules+"}\ndatabase: {data_dir: "+t.TempDir()+"}"))
			require.NoError(t, err)
			opts, err := serviceOptions(context.Background(), cfg, "127.0.0.1:9511", slog.New(slog.DiscardHandler))
			require.NoError(t, err)
			s, err := magnum.New(context.Background(), append(opts, magnum.WithoutConductor())...)
			require.NoError(t, err)
			defer s.Close()
			err = s.DeleteCluster(magnum.WithCaller(context.Background(), reader), "no-such-cluster")
			require.ErrorIs(t, err, want)
		})
	}
}

// TestKeyTypeSetting issues a cluster's CAs with each certificates.key_type
// and checks the algorithm of the keys.
func TestKeyTypeSetting(t *testing.T) {
	for setting, want := range map[string]x509.PublicKeyAlgorithm{"rsa-2048": x509.RSA, "ecdsa-p256": x509.ECDSA} {
		t.Run(setting, func(t *testing.T) {
			c, err := LoadConfig(writeConfig(t, "certificates: {key_type: "+setting+"}"))
			require.NoError(t, err)
			store, err := certs.NewDirStore(t.TempDir())
			require.NoError(t, err)
			m, err := certs.New(store, keyTypes[c.Certificates.KeyType])
			require.NoError(t, err)
			b, err := m.IssueCluster(context.Background(), certs.ClusterInfo{UUID: "6f1e3f0c-2a2b-4c55-9d5e-0c1b2a3d4e5f"})
			require.NoError(t, err)
			block, _ := pem.Decode(b.CA.PEM)
			require.NotNil(t, block)
			ca, err := x509.ParseCertificate(block.Bytes)
			require.NoError(t, err)
			assert.Equal(t, want, ca.PublicKeyAlgorithm)
		})
	}
}
