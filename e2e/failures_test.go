package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/clusters"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failureCase is a cluster that cannot be built, and what its failure
// must say.
type failureCase struct {
	name string
	// prepare makes the failure happen, and returns the flavor to ask
	// for ("" for the deployment's).
	prepare func(t *testing.T, d *deployment) string
	// code is the fault's code; words are what the reason must name.
	code  string
	words []string
}

// failures are the failures a real cloud gives that the scenario checks.
var failures = []failureCase{
	{name: "quota", code: "QUOTA_EXCEEDED", words: []string{"quota", "instances"},
		prepare: func(t *testing.T, d *deployment) string { d.limitServers(t, 1); return "" }},
	{name: "novalidhost", code: "NO_VALID_HOST", words: []string{"no valid host"},
		prepare: func(t *testing.T, d *deployment) string { return d.unschedulable(t) }},
}

// failedCreate asks for a Kubernetes cluster that fails, checks that it
// ends CREATE_FAILED with a coded, specific reason within its timeout,
// and that it deletes cleanly.
func failedCreate(t *testing.T, d *deployment, fc failureCase) {
	t.Helper()
	dd := *d
	if f := fc.prepare(t, d); f != "" {
		dd.flavor = f
	}
	dc := drivers[0]
	dc.lb, dc.volume = false, false
	tpl := templateCreate(t, &dd, dc, "")
	name := "e2e-fail-" + fc.name + "-" + randomSuffix()
	d.user.run(t, "cluster", "create", name, "--cluster-template", tpl, "--master-count", "1",
		"--node-count", "1", "--timeout", "10")
	var c *clusters.Cluster
	deadline := time.Now().Add(d.timeout)
	for {
		var err error
		c, err = clusters.Get(context.Background(), d.api, name).Extract()
		require.NoError(t, err)
		if c.Status != "CREATE_IN_PROGRESS" {
			break
		}
		require.True(t, time.Now().Before(deadline), "cluster %s still %s after %s", name, c.Status, d.timeout)
		time.Sleep(2 * time.Second)
	}
	require.Equal(t, "CREATE_FAILED", c.Status, c.StatusReason)
	t.Logf("%s %s: %s", d.name, fc.name, c.StatusReason)
	for _, w := range fc.words {
		assert.Contains(t, strings.ToLower(c.StatusReason), strings.ToLower(w))
	}
	shown := d.user.cluster(t, c.UUID)
	assert.Contains(t, strings.ToLower(toString(shown.Faults)), strings.ToLower(fc.words[0]), "faults: %v", shown.Faults)
	// The coded fault is gomagnum's own field, which the CLI does not show.
	var coded struct {
		Fault *struct {
			Code         string `json:"code"`
			ResourceType string `json:"resource_type"`
		} `json:"fault"`
	}
	require.NoError(t, clusters.Get(context.Background(), d.api, c.UUID).ExtractInto(&coded))
	require.NotNil(t, coded.Fault, "no fault")
	assert.Equal(t, fc.code, coded.Fault.Code)
	assert.Equal(t, "OS::Nova::Server", coded.Fault.ResourceType)
	d.user.run(t, "cluster", "delete", c.UUID)
	waitGone(t, d, c.UUID)
}

// toString renders the CLI's faults field, a map or a string.
func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		var b strings.Builder
		for k, val := range x {
			b.WriteString(k + ": ")
			if s, ok := val.(string); ok {
				b.WriteString(s)
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	return ""
}

// hugeFlavor creates a public flavor no compute host can hold.
func (c *miniCloud) hugeFlavor(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	name := "e2e-huge-" + randomSuffix()
	public, one := true, 1
	f, err := flavors.Create(ctx, c.compute, flavors.CreateOpts{Name: name, RAM: 4 << 20, VCPUs: 64, Disk: &one,
		IsPublic: &public}).Extract()
	require.NoError(t, err)
	t.Cleanup(func() { _ = flavors.Delete(ctx, c.compute, f.ID).ExtractErr() })
	return name
}
