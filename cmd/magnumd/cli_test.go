package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// cli runs the real OpenStack CLI against a magnumd.
type cli struct {
	t    *testing.T
	bin  string
	env  []string
	home string
}

func newCLI(t *testing.T, d *runningDaemon) *cli {
	bin := testenv.Command(t, "openstack")
	home := t.TempDir()
	return &cli{t: t, bin: bin, home: home, env: append(os.Environ(),
		"OS_AUTH_TYPE=none", "OS_ENDPOINT="+d.url+"/v1", "HOME="+home, "OS_CLOUD=", "OS_AUTH_URL=",
		// `coe cluster config` reads $SHELL to pick the export syntax it
		// prints; CI runners may not set it.
		"SHELL=/bin/bash")}
}

// as returns a CLI acting as the noauth identity a token names.
func (c *cli) as(token string) *cli {
	cp := *c
	cp.env = append(append([]string{}, c.env...), "OS_AUTH_TYPE=admin_token", "OS_TOKEN="+token)
	return &cp
}

// exec runs `openstack coe <args>`, failing the test unless the exit code
// is want.
func (c *cli) exec(want int, args ...string) (stdout, stderr string) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"coe"}, args...)...)
	cmd.Env = c.env
	cmd.Dir = c.home
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(c.t, err)
	}
	require.Equal(c.t, want, code, "openstack coe %s\nstdout: %s\nstderr: %s", strings.Join(args, " "), &out, &errOut)
	return out.String(), errOut.String()
}

// runCode runs a command expecting an exit code and returns all it wrote.
func (c *cli) runCode(want int, args ...string) string {
	c.t.Helper()
	stdout, stderr := c.exec(want, args...)
	return stdout + stderr
}

// run runs a command expecting success and returns all it wrote.
func (c *cli) run(args ...string) string {
	c.t.Helper()
	return c.runCode(0, args...)
}

// json runs a command with -f json and decodes its output into v.
func (c *cli) json(v any, args ...string) {
	c.t.Helper()
	out, _ := c.exec(0, append(args, "-f", "json")...)
	// Create commands print "Request to create ... accepted" first.
	start := strings.IndexAny(out, "[{")
	require.GreaterOrEqual(c.t, start, 0, "no JSON in %s", out)
	require.NoError(c.t, json.Unmarshal([]byte(out[start:]), v), "output: %s", out)
}

// table runs a command whose output is a table (the quota and stats
// commands have no -f) and returns its rows, keyed by the header; a
// Property/Value table becomes one row.
func (c *cli) table(args ...string) []map[string]string {
	c.t.Helper()
	out, _ := c.exec(0, args...)
	var header []string
	var rows []map[string]string
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if header == nil {
			header = cells
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			row[h] = cells[i]
		}
		rows = append(rows, row)
	}
	if len(header) == 2 && header[0] == "Property" {
		props := map[string]string{}
		for _, r := range rows {
			props[r["Property"]] = r["Value"]
		}
		return []map[string]string{props}
	}
	return rows
}

// waitStatus polls `cluster show` until the cluster leaves the in-progress
// statuses, and returns the cluster.
func (c *cli) waitStatus(cluster string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var cl map[string]any
		c.json(&cl, "cluster", "show", cluster)
		if s, _ := cl["status"].(string); !strings.HasSuffix(s, "_IN_PROGRESS") {
			return cl
		}
		require.True(c.t, time.Now().Before(deadline), "cluster %s still %v: %v", cluster, cl["status"], cl["status_reason"])
		time.Sleep(500 * time.Millisecond)
	}
}

// TestOpenStackCLI drives magnumd on its embedded defaults with the real
// `openstack coe` commands, as an admin (the default noauth identity):
// only admins may get a kubeconfig with O=system:masters.
func TestOpenStackCLI(t *testing.T) {
	d := startDaemon(t)
	c := newCLI(t, d)

	t.Run("cluster template", func(t *testing.T) {
		c.t = t
		var ct map[string]any
		c.json(&ct, "cluster", "template", "create", "--image", "fedora-coreos-40", "--coe", "kubernetes",
			"--external-network", "public", "--flavor", "m1.small", "--master-flavor", "m1.medium",
			"--keypair", "default", "--network-driver", "flannel", "--docker-storage-driver", "overlay2",
			"--labels", "kube_tag=v1.30.1,boot_debug=true", "k8s")
		assert.Equal(t, "fedora-coreos", ct["cluster_distro"])
		assert.Equal(t, map[string]any{"kube_tag": "v1.30.1", "boot_debug": "true"}, ct["labels"])

		var list []map[string]any
		c.json(&list, "cluster", "template", "list")
		require.Len(t, list, 1)
		assert.Equal(t, "k8s", list[0]["name"])

		var shown map[string]any
		c.json(&shown, "cluster", "template", "show", "k8s")
		assert.Equal(t, ct["uuid"], shown["uuid"])
		assert.Equal(t, "kubernetes", shown["coe"])
		assert.Equal(t, "flannel", shown["network_driver"])

		var updated map[string]any
		c.json(&updated, "cluster", "template", "update", "k8s", "replace", "labels=kube_tag=v1.31.0", "docker_volume_size=5")
		assert.Equal(t, map[string]any{"kube_tag": "v1.31.0"}, updated["labels"])
		assert.EqualValues(t, 5, updated["docker_volume_size"])

		c.run("cluster", "template", "create", "--image", "fedora-coreos-40", "--coe", "kubernetes",
			"--external-network", "public", "--docker-storage-driver", "overlay2", "spare")
		assert.Contains(t, c.run("cluster", "template", "delete", "spare"), "Request to delete cluster template spare has been accepted")
		out := c.runCode(1, "cluster", "template", "show", "spare")
		assert.Contains(t, out, "ClusterTemplate spare could not be found")
	})

	t.Run("cluster", func(t *testing.T) {
		c.t = t
		out := c.run("cluster", "create", "--cluster-template", "k8s", "--node-count", "1", "--master-count", "1", "c1")
		assert.Contains(t, out, "Request to create cluster")

		cl := c.waitStatus("c1")
		require.Equal(t, "CREATE_COMPLETE", cl["status"], cl["status_reason"])
		// Events are delivered from the outbox just after the change.
		created := regexp.MustCompile(`msg="cluster event" event_type=magnum.cluster.create outcome=success cluster=` + cl["uuid"].(string))
		assert.Eventually(t, func() bool { return created.MatchString(d.logs.String()) }, 10*time.Second, 10*time.Millisecond,
			"magnumd logs the notifications")
		assert.Equal(t, "c1", cl["name"])
		assert.EqualValues(t, 1, cl["node_count"])
		assert.NotEmpty(t, cl["api_address"])
		assert.Len(t, cl["node_addresses"], 1)

		var list []map[string]any
		c.json(&list, "cluster", "list")
		require.Len(t, list, 1)
		assert.Equal(t, "CREATE_COMPLETE", list[0]["status"])

		assert.Contains(t, c.run("cluster", "resize", "c1", "2"), "Request to resize cluster c1 has been accepted")
		cl = c.waitStatus("c1")
		require.Equal(t, "UPDATE_COMPLETE", cl["status"], cl["status_reason"])
		assert.EqualValues(t, 2, cl["node_count"])
		assert.Len(t, cl["node_addresses"], 2)

		dir := t.TempDir()
		out = c.run("cluster", "config", "c1", "--dir", dir)
		assert.Contains(t, out, "export KUBECONFIG="+filepath.Join(dir, "config"))
		kubeconfig, err := os.ReadFile(filepath.Join(dir, "config"))
		require.NoError(t, err)
		assert.Contains(t, string(kubeconfig), "server: "+cl["api_address"].(string))
		assert.Contains(t, string(kubeconfig), "client-certificate-data:")
	})

	t.Run("ca", func(t *testing.T) {
		c.t = t
		ca := c.run("ca", "show", "c1")
		assert.Contains(t, ca, "-----BEGIN CERTIFICATE-----")

		csr := filepath.Join(t.TempDir(), "client.csr")
		key := filepath.Join(t.TempDir(), "client.key")
		openssl := testenv.Command(t, "openssl")
		out, err := exec.Command(openssl, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
			"-subj", "/CN=admin", "-out", csr).CombinedOutput()
		require.NoError(t, err, "%s", out)
		signed := c.run("ca", "sign", "c1", csr)
		assert.Contains(t, signed, "-----BEGIN CERTIFICATE-----")
		assert.NotEqual(t, ca, signed)

		assert.Contains(t, c.run("ca", "rotate", "c1"), "Request to rotate the CA certificate for cluster")
		cl := c.waitStatus("c1")
		require.Equal(t, "UPDATE_COMPLETE", cl["status"], cl["status_reason"])
		assert.NotEqual(t, ca, c.run("ca", "show", "c1"), "a new CA")
	})

	t.Run("nodegroup", func(t *testing.T) {
		c.t = t
		out := c.run("nodegroup", "create", "c1", "ng1", "--node-count", "1", "--min-nodes", "1",
			"--max-nodes", "3", "--flavor", "m1.large", "--role", "batch")
		assert.Contains(t, out, "Request to create nodegroup")

		var list []map[string]any
		c.json(&list, "nodegroup", "list", "c1")
		names := map[string]string{}
		for _, ng := range list {
			names[ng["name"].(string)] = ng["role"].(string)
		}
		assert.Equal(t, map[string]string{"default-master": "master", "default-worker": "worker", "ng1": "batch"}, names)

		var ng map[string]any
		c.json(&ng, "nodegroup", "show", "c1", "ng1")
		assert.Equal(t, "m1.large", ng["flavor_id"])
		assert.EqualValues(t, 3, ng["max_node_count"])

		assert.Contains(t, c.run("nodegroup", "update", "c1", "ng1", "replace", "max_node_count=5"),
			"Request to update nodegroup ng1 has been accepted")
		c.json(&ng, "nodegroup", "show", "c1", "ng1")
		assert.EqualValues(t, 5, ng["max_node_count"])

		assert.Contains(t, c.run("nodegroup", "delete", "c1", "ng1"), "Request to delete nodegroup ng1 has been accepted")
		require.Eventually(t, func() bool {
			var list []map[string]any
			c.json(&list, "nodegroup", "list", "c1")
			return len(list) == 2
		}, 2*time.Minute, time.Second)
	})

	t.Run("quotas", func(t *testing.T) {
		c.t = t
		project := sim.AltProjectID
		q := c.table("quotas", "create", "--project-id", project, "--resource", "Cluster", "--hard-limit", "5")
		require.Len(t, q, 1)
		assert.Equal(t, "5", q[0]["hard_limit"])
		assert.Equal(t, "-", q[0]["updated_at"])
		q = c.table("quotas", "show", "--project-id", project, "--resource", "Cluster")
		assert.Equal(t, project, q[0]["project_id"])
		assert.Equal(t, "5", q[0]["hard_limit"])
		q = c.table("quotas", "update", "--project-id", project, "--resource", "Cluster", "--hard-limit", "7")
		assert.Equal(t, "7", q[0]["hard_limit"])
		assert.NotEqual(t, "-", q[0]["updated_at"])
		list := c.table("quotas", "list", "--all-tenants")
		assert.Equal(t, []map[string]string{{"project_id": project, "resource": "Cluster", "hard_limit": "7"}}, list)
		assert.Contains(t, c.run("quotas", "delete", "--project-id", project, "--resource", "Cluster"),
			"Request to delete quota for project id "+project)
		assert.Empty(t, c.table("quotas", "list", "--all-tenants"))
		// The CLI reports the refusal but exits 0.
		out := c.as("demo").run("quotas", "create", "--project-id", project, "--resource", "Cluster", "--hard-limit", "1")
		assert.Contains(t, out, "Policy doesn't allow quota:create to be performed (HTTP 403)")
		assert.Empty(t, c.table("quotas", "list", "--all-tenants"))
	})

	t.Run("stats and services", func(t *testing.T) {
		c.t = t
		stats := c.table("stats", "list", sim.AdminProjectID)
		assert.Equal(t, []map[string]string{{"clusters": "1", "nodes": "3"}}, stats, "one master and two workers")

		var services []map[string]any
		c.json(&services, "service", "list")
		require.Len(t, services, 1)
		assert.Equal(t, "magnum-conductor", services[0]["binary"])
		assert.Equal(t, "up", services[0]["state"])

		var demoClusters []map[string]any
		c.as("demo").json(&demoClusters, "cluster", "list")
		assert.Empty(t, demoClusters, "demo does not see the admin project's clusters")
	})

	t.Run("unknown token", func(t *testing.T) {
		c.t = t
		out := c.as("guessed").runCode(1, "service", "list")
		assert.Contains(t, out, "Unauthorized (HTTP 401)")
	})

	t.Run("delete", func(t *testing.T) {
		c.t = t
		assert.Contains(t, c.run("cluster", "delete", "c1"), "Request to delete cluster c1 has been accepted")
		require.Eventually(t, func() bool {
			var list []map[string]any
			c.json(&list, "cluster", "list")
			return len(list) == 0
		}, 2*time.Minute, time.Second)
		c.run("cluster", "template", "delete", "k8s")
		var list []map[string]any
		c.json(&list, "cluster", "template", "list")
		assert.Empty(t, list)
	})
}
