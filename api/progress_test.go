package api_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// TestBuildProgress checks that a cluster being built reports, through its
// status_reason, how many of its stack's resources are done.
func TestBuildProgress(t *testing.T) {
	f := newFixture(t, magnum.WithProgressInterval(10*time.Millisecond), magnum.WithSyncInterval(10*time.Millisecond))
	template := f.template("", nil)
	uuid := f.cluster("", map[string]any{"cluster_template_id": template, "node_count": 3})
	progress := regexp.MustCompile(`^Creating: \d+ of \d+ resources done$`)
	var seen []string
	require.Eventually(t, func() bool {
		cl := f.do(200, call{method: "GET", path: "/v1/clusters/" + uuid}).body
		reason, _ := cl["status_reason"].(string)
		if cl["status"] == "CREATE_IN_PROGRESS" && reason != "" {
			seen = append(seen, reason)
		}
		return !strings.HasSuffix(cl["status"].(string), "_IN_PROGRESS")
	}, 2*time.Minute, 5*time.Millisecond)
	require.NotEmpty(t, seen, "no progress reported while building")
	for _, r := range seen {
		assert.Regexp(t, progress, r)
	}
}
