package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNodeCountLimits asks for 2^31 and 1,000,001 nodes through every
// call that sets a node count: each answers 400 with Magnum's error body
// naming the limit, and nothing changes.
func TestNodeCountLimits(t *testing.T) {
	f := newFixture(t)
	template, cluster := f.running("", nil)
	groups := "/v1/clusters/" + cluster + "/nodegroups"
	before := f.do(http.StatusOK, call{method: "GET", path: "/v1/clusters/" + cluster, version: "latest"}).body
	beforeGroups := f.do(http.StatusOK, call{method: "GET", path: groups, version: "latest"}).body

	const latest = "latest" // the bays API has no microversions
	for _, n := range []int{2147483648, 1_000_001} {
		perGroup := func(field string) string {
			return fmt.Sprintf("Invalid input for field/attribute %s. Value: '%d'. Value should be lower or equal to 64, "+
				"the maximum number of nodes per node group.", field, n)
		}
		for _, tc := range []struct {
			name string
			c    call
			want string
		}{
			{"create", call{method: "POST", version: latest, path: "/v1/clusters",
				body: fmt.Sprintf(`{"cluster_template_id": %q, "node_count": %d}`, template, n)}, perGroup("node_count")},
			{"create masters", call{method: "POST", version: latest, path: "/v1/clusters",
				body: fmt.Sprintf(`{"cluster_template_id": %q, "master_count": %d}`, template, n)}, perGroup("master_count")},
			{"legacy bay", call{method: "POST", path: "/v1/bays",
				body: fmt.Sprintf(`{"baymodel_id": %q, "node_count": %d}`, template, n)}, perGroup("node_count")},
			{"patch", call{method: "PATCH", version: latest, path: "/v1/clusters/" + cluster,
				body: fmt.Sprintf(`[{"op": "replace", "path": "/node_count", "value": %d}]`, n)}, perGroup("node_count")},
			{"resize", call{method: "POST", version: latest, path: "/v1/clusters/" + cluster + "/actions/resize",
				body: fmt.Sprintf(`{"node_count": %d}`, n)}, perGroup("node_count")},
			{"node group", call{method: "POST", version: latest, path: groups,
				body: fmt.Sprintf(`{"name": "ng", "node_count": %d}`, n)}, perGroup("node_count")},
			{"node group max", call{method: "POST", version: latest, path: groups,
				body: fmt.Sprintf(`{"name": "ng", "max_node_count": %d}`, n)}, perGroup("max_node_count")},
			{"node group patch", call{method: "PATCH", version: latest, path: groups + "/default-worker",
				body: fmt.Sprintf(`[{"op": "replace", "path": "/max_node_count", "value": %d}]`, n)}, perGroup("max_node_count")},
		} {
			t.Run(fmt.Sprintf("%s %d", tc.name, n), func(t *testing.T) {
				r := do(t, f.srv, tc.c)
				require.Equal(t, http.StatusBadRequest, r.status, r.raw)
				e := errorOf(t, r)
				assert.Equal(t, tc.want, e["detail"])
				assert.Equal(t, "client", e["code"])
				assert.EqualValues(t, http.StatusBadRequest, e["status"])
			})
		}
	}

	list := f.do(http.StatusOK, call{method: "GET", path: "/v1/clusters", version: "latest"}).body
	assert.Len(t, list["clusters"], 1, "no cluster is stored")
	assert.Equal(t, before, f.do(http.StatusOK, call{method: "GET", path: "/v1/clusters/" + cluster, version: "latest"}).body)
	assert.Equal(t, beforeGroups, f.do(http.StatusOK, call{method: "GET", path: groups, version: "latest"}).body)
}
