package e2e

import (
	"cmp"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/testenv"
)

// coe runs `openstack coe ...` as one identity.
type coe struct {
	bin string
	env []string
	dir string
}

// keystoneCLI acts as a tenant's user through Keystone, which gives the
// CLI magnumd's URL from its catalog.
func keystoneCLI(t *testing.T, authURL string, tn tenant) *coe {
	return newCOE(t, "OS_AUTH_TYPE=password", "OS_AUTH_URL="+authURL, "OS_IDENTITY_API_VERSION=3",
		"OS_USERNAME="+tn.userName, "OS_PASSWORD="+tn.password, "OS_USER_DOMAIN_ID=default",
		"OS_PROJECT_ID="+tn.projectID, "OS_REGION_NAME=RegionOne", "OS_INTERFACE=public")
}

// noauthCLI acts as one of magnumd's noauth identities, named by token.
func noauthCLI(t *testing.T, url, token string) *coe {
	return newCOE(t, "OS_AUTH_TYPE=admin_token", "OS_TOKEN="+token, "OS_ENDPOINT="+url+"/v1")
}

func newCOE(t *testing.T, env ...string) *coe {
	dir := t.TempDir()
	base := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8", "SHELL=/bin/bash"}
	return &coe{bin: testenv.Command(t, "openstack"), env: append(base, env...), dir: dir}
}

// run runs `openstack coe args...` and returns its output, failing the
// test unless it succeeds.
func (c *coe) run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.try(args...)
	require.NoError(t, err, "openstack coe %s:\n%s", strings.Join(args, " "), out)
	return out
}

// try runs `openstack coe args...` and returns all it wrote.
func (c *coe) try(args ...string) (string, error) {
	cmd := exec.Command(c.bin, append([]string{"coe"}, args...)...)
	cmd.Env, cmd.Dir = c.env, c.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// json runs a command with -f json and decodes what it prints.
func (c *coe) json(t *testing.T, v any, args ...string) {
	t.Helper()
	out := c.run(t, append(args, "-f", "json")...)
	start := strings.IndexAny(out, "[{")
	require.GreaterOrEqual(t, start, 0, "no JSON in %s", out)
	require.NoError(t, json.Unmarshal([]byte(out[start:]), v), "output: %s", out)
}

// cluster is what `coe cluster show -f json` prints, the fields used here.
type cluster struct {
	UUID              string   `json:"uuid"`
	Name              string   `json:"name"`
	Status            string   `json:"status"`
	StatusReason      string   `json:"status_reason"`
	StackID           string   `json:"stack_id"`
	ClusterID         string   `json:"cluster_id"` // the stack's ID from microversion 1.13
	APIAddress        string   `json:"api_address"`
	MasterAddresses   []string `json:"master_addresses"`
	NodeAddresses     []string `json:"node_addresses"`
	NodeCount         int      `json:"node_count"`
	MasterCount       int      `json:"master_count"`
	COEVersion        string   `json:"coe_version"`
	ClusterTemplateID string   `json:"cluster_template_id"`
	Faults            any      `json:"faults"`
	Labels            any      `json:"labels"`
}

// stack is the ID of the cluster's stack, whichever microversion named it.
func (c cluster) stack() string { return cmp.Or(c.ClusterID, c.StackID) }

// cluster shows a cluster through the CLI.
func (c *coe) cluster(t *testing.T, id string) cluster {
	t.Helper()
	var cl cluster
	c.json(t, &cl, "cluster", "show", id)
	return cl
}
