package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/magnum"
)

// The black-box conformance list of Magnum's API unit tests
// (rest-api.md §15), numbered as there.

func TestConformanceClusterTemplates(t *testing.T) {
	f := newFixture(t)

	t.Run("1 empty list", func(t *testing.T) {
		r := f.do(200, call{method: "GET", path: "/v1/clustertemplates"})
		assert.JSONEq(t, `{"clustertemplates": []}`, r.raw)
	})

	t.Run("2 ambiguous name", func(t *testing.T) {
		f.template("", map[string]any{"name": "dup"})
		f.template("", map[string]any{"name": "dup"})
		r := f.do(409, call{method: "GET", path: "/clustertemplates/dup"})
		assert.Contains(t, errorOf(t, r)["detail"], "exist with same name. Please use the clustertemplate uuid instead.")
	})

	t.Run("3 detail of one", func(t *testing.T) {
		uuid := f.template("", nil)
		f.do(404, call{method: "GET", path: "/clustertemplates/" + uuid + "/detail"})
	})

	t.Run("4 collection links", func(t *testing.T) {
		g := newFixture(t)
		for range 5 {
			g.template("", nil)
		}
		r := g.do(200, call{method: "GET", path: "/v1/clustertemplates?limit=3"})
		items := r.body["clustertemplates"].([]any)
		require.Len(t, items, 3)
		last := items[2].(map[string]any)["uuid"].(string)
		assert.Equal(t, g.srv.URL+"/v1/clustertemplates?sort_key=id&sort_dir=asc&limit=3&marker="+last, r.body["next"])
		r = g.do(200, call{method: "GET", path: "/v1/clustertemplates/detail?limit=3&marker=" + last})
		assert.Len(t, r.body["clustertemplates"], 2)
		assert.NotContains(t, r.body, "next", "a page shorter than the limit is the last")
	})

	_, cluster := f.running("", nil)
	inUse := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster}).body["cluster_template_id"].(string)

	t.Run("5 in-use template refuses changes", func(t *testing.T) {
		r := f.do(400, call{method: "PATCH", path: "/v1/clustertemplates/" + inUse,
			body: `[{"op": "replace", "path": "/network_driver", "value": "calico"}]`})
		assert.Contains(t, errorOf(t, r)["detail"], inUse)
	})

	t.Run("6 in-use template may be renamed", func(t *testing.T) {
		r := f.do(200, call{method: "PATCH", path: "/v1/clustertemplates/" + inUse,
			body: `[{"op": "replace", "path": "/name", "value": "renamed"}]`})
		assert.Equal(t, "renamed", r.body["name"])
	})

	t.Run("7 only admins publish", func(t *testing.T) {
		uuid := f.template("", nil)
		f.do(403, call{method: "PATCH", path: "/v1/clustertemplates/" + uuid,
			body: `[{"op": "replace", "path": "/public", "value": true}]`})
	})

	t.Run("8 labels as magnumclient sends them", func(t *testing.T) {
		uuid := f.template("", nil)
		r := f.do(200, call{method: "PATCH", path: "/v1/clustertemplates/" + uuid,
			body: `[{"op": "replace", "path": "/labels", "value": "{'etcd_volume_size': '1'}"}]`})
		assert.Equal(t, map[string]any{"etcd_volume_size": "1"}, r.body["labels"])
	})

	t.Run("9 mandatory attributes cannot be removed", func(t *testing.T) {
		uuid := f.template("", nil)
		for _, p := range []string{"/image_id", "/coe", "/external_network_id", "/server_type", "/tls_disabled",
			"/public", "/registry_enabled", "/cluster_distro", "/network_driver"} {
			r := f.do(400, call{method: "PATCH", path: "/v1/clustertemplates/" + uuid,
				body: `[{"op": "remove", "path": "` + p + `"}]`})
			assert.Equal(t, "'"+p+"' is a mandatory attribute and can not be removed", errorOf(t, r)["detail"])
		}
	})

	t.Run("10 missing keypair", func(t *testing.T) {
		uuid := f.template("", nil)
		f.do(404, call{method: "PATCH", path: "/v1/clustertemplates/" + uuid,
			body: `[{"op": "replace", "path": "/keypair_id", "value": "nope"}]`})
	})

	t.Run("11 docker volume size", func(t *testing.T) {
		for _, v := range []any{0, -1, "notanint"} {
			f.do(400, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{"docker_volume_size": v})})
		}
		f.do(400, call{method: "POST", path: "/v1/clustertemplates",
			body: templateBody(map[string]any{"docker_storage_driver": "devicemapper", "docker_volume_size": 2})})
	})

	t.Run("12 default network driver", func(t *testing.T) {
		r := f.do(201, call{method: "POST", path: "/v1/clustertemplates",
			body: templateBody(map[string]any{"coe": "swarm-mode", "network_driver": nil})})
		assert.Equal(t, "docker", r.body["network_driver"])
		r = f.do(201, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{"network_driver": nil})})
		assert.Equal(t, "flannel", r.body["network_driver"])
	})

	t.Run("13 only admins create public templates", func(t *testing.T) {
		f.do(403, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{"public": true})})
		f.do(201, call{method: "POST", path: "/v1/clustertemplates", token: "admin", body: templateBody(map[string]any{"public": true})})
	})

	t.Run("14 in-use template cannot be deleted", func(t *testing.T) {
		r := f.do(400, call{method: "DELETE", path: "/v1/clustertemplates/" + inUse})
		assert.Equal(t, "ClusterTemplate "+inUse+" is referenced by one or multiple clusters.", errorOf(t, r)["detail"])
	})
}

func TestConformanceClusters(t *testing.T) {
	f := newFixture(t)
	template, cluster := f.running("", map[string]any{"labels": map[string]any{"extra": "1"}, "merge_labels": true})

	t.Run("15 brief list", func(t *testing.T) {
		r := f.do(200, call{method: "GET", path: "/v1/clusters"})
		items := r.body["clusters"].([]any)
		require.Len(t, items, 1)
		item := items[0].(map[string]any)
		assert.Equal(t, []string{"cluster_template_id", "create_timeout", "docker_volume_size", "flavor_id",
			"health_status", "keypair", "labels", "links", "master_count", "master_flavor_id", "merge_labels", "name",
			"node_count", "stack_id", "status", "uuid"}, keys(item))
		assert.Equal(t, false, item["merge_labels"], "write-only: always false")
	})

	t.Run("17 replace node_count", func(t *testing.T) {
		r := f.do(202, call{method: "PATCH", path: "/v1/clusters/" + cluster,
			body: `[{"op": "replace", "path": "/node_count", "value": 4}]`})
		assert.Equal(t, map[string]any{"uuid": cluster}, r.body)
		cl := f.wait("", cluster)
		assert.EqualValues(t, 4, cl["node_count"])
		assert.NotNil(t, cl["updated_at"])
	})

	t.Run("18 health status", func(t *testing.T) {
		f.do(202, call{method: "PATCH", path: "/v1/clusters/" + cluster, token: "admin", body: `[
			{"op": "replace", "path": "/health_status", "value": "HEALTHY"},
			{"op": "replace", "path": "/health_status_reason", "value": "{\"api\": \"ok\"}"}]`})
		cl := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster}).body
		assert.Equal(t, "HEALTHY", cl["health_status"])
		assert.Equal(t, map[string]any{"api": "ok"}, cl["health_status_reason"])
		assert.EqualValues(t, 4, cl["node_count"])
	})

	t.Run("19 name cannot change", func(t *testing.T) {
		r := f.do(400, call{method: "PATCH", path: "/v1/clusters/" + cluster,
			body: `[{"op": "replace", "path": "/name", "value": "other"}]`})
		assert.Equal(t, "cannot change cluster property(ies) name.", errorOf(t, r)["detail"])
	})

	t.Run("20 rollback with a trailing slash", func(t *testing.T) {
		f.do(202, call{method: "PATCH", path: "/v1/clusters/" + cluster + "/?rollback=True", version: "1.3",
			body: `[{"op": "replace", "path": "/node_count", "value": 2}]`})
		assert.EqualValues(t, 2, f.wait("", cluster)["node_count"])
		f.do(400, call{method: "PATCH", path: "/v1/clusters/" + cluster + "?rollback=maybe", version: "1.3",
			body: `[{"op": "replace", "path": "/node_count", "value": 2}]`})
	})

	t.Run("21 zero nodes", func(t *testing.T) {
		r := f.do(400, call{method: "PATCH", path: "/v1/clusters/" + cluster, version: "1.9",
			body: `[{"op": "replace", "path": "/node_count", "value": 0}]`})
		assert.Equal(t, "Resizing a nodegroup to zero is not supported in the provided microversion.", errorOf(t, r)["detail"])
		f.do(202, call{method: "PATCH", path: "/v1/clusters/" + cluster, version: "1.10",
			body: `[{"op": "replace", "path": "/node_count", "value": 0}]`})
		assert.EqualValues(t, 0, f.wait("", cluster)["node_count"])
		f.do(400, call{method: "POST", path: "/v1/clusters", version: "1.9",
			body: `{"cluster_template_id": "` + template + `", "node_count": 0}`})
	})

	t.Run("22 create answers the uuid", func(t *testing.T) {
		r := f.do(202, call{method: "POST", path: "/v1/clusters", body: `{"cluster_template_id": "` + template + `", "name": "c22"}`})
		assert.Equal(t, []string{"uuid"}, keys(r.body))
		assert.Empty(t, r.header.Get("Location"))
		f.wait("", r.body["uuid"].(string))
	})

	t.Run("24 unknown template", func(t *testing.T) {
		r := f.do(400, call{method: "POST", path: "/v1/clusters", body: `{"cluster_template_id": "nope"}`})
		assert.Equal(t, "ClusterTemplate nope could not be found.", errorOf(t, r)["detail"])
		f.do(404, call{method: "POST", path: "/v1/clusters", version: "1.10", body: `{"cluster_template_id": "nope"}`})
	})

	t.Run("25 names", func(t *testing.T) {
		for _, name := range []string{strings.Repeat("x", 243), "123456", "-x", ".x", "_x", ""} {
			f.do(400, call{method: "POST", path: "/v1/clusters",
				body: `{"cluster_template_id": "` + template + `", "name": "` + name + `"}`})
		}
		for _, name := range []string{"test.-_cluster", "testcluster-"} {
			uuid := f.do(202, call{method: "POST", path: "/v1/clusters",
				body: `{"cluster_template_id": "` + template + `", "name": "` + name + `"}`}).body["uuid"].(string)
			f.wait("", uuid)
		}
	})

	t.Run("26 masters", func(t *testing.T) {
		f.do(400, call{method: "POST", path: "/v1/clusters", body: `{"cluster_template_id": "` + template + `", "master_count": 0}`})
		r := f.do(400, call{method: "POST", path: "/v1/clusters", body: `{"cluster_template_id": "` + template + `", "master_count": 3}`})
		assert.Equal(t, "master_count must be 1 when master_lb_enabled is False", errorOf(t, r)["detail"])
	})

	t.Run("27 missing keypair", func(t *testing.T) {
		f.do(404, call{method: "POST", path: "/v1/clusters", body: `{"cluster_template_id": "` + template + `", "keypair": "nope"}`})
	})

	t.Run("28 merge labels", func(t *testing.T) {
		cl := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster}).body
		assert.Equal(t, map[string]any{"kube_tag": "v1.30.1", "extra": "1"}, cl["labels"])
		assert.Equal(t, map[string]any{"extra": "1"}, cl["labels_added"])
		uuid := f.cluster("", map[string]any{"cluster_template_id": template, "labels": map[string]any{"extra": 1}})
		cl = f.do(200, call{method: "GET", path: "/v1/clusters/" + uuid}).body
		assert.Equal(t, map[string]any{"extra": "1"}, cl["labels"])
		assert.Equal(t, map[string]any{"kube_tag": "v1.30.1"}, cl["labels_skipped"])
		f.wait("", uuid)
	})
}

func TestConformanceClusterQuotaAndFaults(t *testing.T) {
	t.Run("23 quota reached", func(t *testing.T) {
		f := newFixture(t, magnum.WithDefaultClusterQuota(1))
		template := f.template("", nil)
		f.cluster("", map[string]any{"cluster_template_id": template})
		r := f.do(403, call{method: "POST", path: "/v1/clusters", body: `{"cluster_template_id": "` + template + `"}`})
		assert.Equal(t, "Resource limit exceeded: You have reached the maximum clusters per project, 1. "+
			"You may delete a cluster to make room for a new one.", errorOf(t, r)["detail"])
	})

	t.Run("16 faults of a failed cluster", func(t *testing.T) {
		f := newFixture(t)
		// alt's compute quota (20 cores) cannot hold 8 m1.large workers.
		template := f.template("alt", map[string]any{"flavor_id": "m1.large", "keypair_id": nil})
		uuid := f.cluster("alt", map[string]any{"cluster_template_id": template, "node_count": 8})
		cl := f.wait("alt", uuid)
		require.Equal(t, "CREATE_FAILED", cl["status"])
		faults, ok := cl["faults"].(map[string]any)
		require.True(t, ok, "faults in %v", cl)
		assert.NotEmpty(t, faults)
		list := f.do(200, call{method: "GET", path: "/v1/clusters/detail", token: "alt"}).body["clusters"].([]any)
		assert.NotContains(t, list[0], "faults", "only GET of one cluster shows faults")
	})
}

func TestConformanceActionsAndNodeGroups(t *testing.T) {
	f := newFixture(t)
	template, cluster := f.running("", nil)
	ng := f.do(202, call{method: "POST", path: "/v1/clusters/" + cluster + "/nodegroups", version: "1.9",
		body: `{"name": "ng1", "node_count": 1, "max_node_count": 3}`}).body
	require.Equal(t, "ng1", ng["name"])
	f.wait("", cluster)

	t.Run("29 resize", func(t *testing.T) {
		r := f.do(400, call{method: "POST", path: "/v1/clusters/" + cluster + "/actions/resize", version: "1.7",
			body: `{"node_count": 2, "nodegroup": "default-master"}`})
		assert.Equal(t, "Resizing a master nodegroup is not supported.", errorOf(t, r)["detail"])
		r = f.do(400, call{method: "POST", path: "/v1/clusters/" + cluster + "/actions/resize", version: "1.7",
			body: `{"node_count": 5, "nodegroup": "ng1"}`})
		assert.Equal(t, "Resizing ng1 outside the allowed range: min_node_count = 0, max_node_count = 3", errorOf(t, r)["detail"])
		f.do(400, call{method: "POST", path: "/v1/clusters/" + cluster + "/actions/resize", version: "1.7", body: `{}`})
	})

	t.Run("30 upgrade of a non-default group to another template", func(t *testing.T) {
		other := f.template("", map[string]any{"labels": map[string]any{"kube_tag": "v1.31.0"}})
		r := f.do(409, call{method: "POST", path: "/v1/clusters/" + cluster + "/actions/upgrade", version: "1.8",
			body: `{"cluster_template": "` + other + `", "nodegroup": "ng1"}`})
		assert.Contains(t, errorOf(t, r)["detail"], "Nodegroup ng1 can be upgraded only to match cluster's template")
		_ = template
	})

	t.Run("30 upgrade the driver refuses", func(t *testing.T) {
		bare := f.template("", map[string]any{"name": "bare", "labels": map[string]any{}})
		r := f.do(409, call{method: "POST", path: "/v1/clusters/" + cluster + "/actions/upgrade", version: "1.8",
			body: `{"cluster_template": "` + bare + `"}`})
		assert.Equal(t, "Cluster Template is not valid for upgrade: Cluster template bare does not contain any supported upgrade labels: [kube_tag]",
			errorOf(t, r)["detail"])
		older := f.template("", map[string]any{"labels": map[string]any{"kube_tag": "v1.29.0"}})
		r = f.do(400, call{method: "POST", path: "/v1/clusters/" + cluster + "/actions/upgrade", version: "1.8",
			body: `{"cluster_template": "` + older + `"}`})
		assert.Contains(t, errorOf(t, r)["detail"], "Received invalid tag for kube_tag")
		cl := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster, version: "latest"}).body
		assert.Equal(t, "UPDATE_COMPLETE", cl["status"], "refused upgrades leave the cluster alone")
	})

	t.Run("31 node groups need 1.9", func(t *testing.T) {
		f.do(406, call{method: "GET", path: "/v1/clusters/" + cluster + "/nodegroups/ng1", version: "1.8"})
	})

	t.Run("32 node group creation", func(t *testing.T) {
		building := f.cluster("", map[string]any{"cluster_template_id": template})
		r := f.do(409, call{method: "POST", path: "/v1/clusters/" + building + "/nodegroups", version: "1.9", body: `{"name": "x"}`})
		assert.Equal(t, "Cluster API address is not available yet", errorOf(t, r)["detail"])
		f.wait("", building)
		r = f.do(409, call{method: "POST", path: "/v1/clusters/" + cluster + "/nodegroups", version: "1.9", body: `{"name": "ng1"}`})
		assert.Equal(t, "A node group with name ng1 already exists in the cluster c1.", errorOf(t, r)["detail"])
		r = f.do(400, call{method: "POST", path: "/v1/clusters/" + cluster + "/nodegroups", version: "1.9", body: `{"name": "m", "role": "master"}`})
		assert.Equal(t, "Creating master nodegroups is currently not supported.", errorOf(t, r)["detail"])
		r = f.do(400, call{method: "POST", path: "/v1/clusters/" + cluster + "/nodegroups", version: "1.9", body: `{"name": "f", "flavor_id": "m1.huge"}`})
		assert.Equal(t, "Unable to find flavor m1.huge.", errorOf(t, r)["detail"])
		r = f.do(400, call{method: "POST", path: "/v1/clusters/" + cluster + "/nodegroups", version: "1.9", body: `{"name": "i", "image_id": "no-such-image"}`})
		assert.Equal(t, "Image no-such-image could not be found.", errorOf(t, r)["detail"])
		f.do(404, call{method: "GET", path: "/v1/clusters/" + cluster + "/nodegroups/f", version: "1.9"})
	})

	t.Run("33 node group patch", func(t *testing.T) {
		r := f.do(400, call{method: "PATCH", path: "/v1/clusters/" + cluster + "/nodegroups/ng1", version: "1.9",
			body: `[{"op": "replace", "path": "/node_count", "value": 2}]`})
		assert.Equal(t, "'/node_count' is an internal attribute and can not be updated", errorOf(t, r)["detail"])
		f.do(409, call{method: "PATCH", path: "/v1/clusters/" + cluster + "/nodegroups/ng1", version: "1.9",
			body: `[{"op": "replace", "path": "/max_node_count", "value": 0}]`})
	})

	t.Run("34 default groups stay", func(t *testing.T) {
		r := f.do(400, call{method: "DELETE", path: "/v1/clusters/" + cluster + "/nodegroups/default-worker", version: "1.9"})
		assert.Equal(t, "Deleting a default nodegroup is not supported.", errorOf(t, r)["detail"])
	})

	t.Run("node group views", func(t *testing.T) {
		r := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster + "/nodegroups?limit=2", version: "1.9"})
		items := r.body["nodegroups"].([]any)
		require.Len(t, items, 2)
		assert.Equal(t, []string{"flavor_id", "image_id", "is_default", "max_node_count", "merge_labels", "min_node_count",
			"name", "node_count", "role", "stack_id", "status", "uuid"}, keys(items[0].(map[string]any)))
		assert.Equal(t, f.srv.URL+"/v1/clusters/"+cluster+"/nodegroups?sort_key=id&sort_dir=asc&limit=2&marker="+
			items[1].(map[string]any)["uuid"].(string), r.body["next"])

		one := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster + "/nodegroups/ng1", version: "1.9"}).body
		assert.Equal(t, []string{"cluster_id", "created_at", "docker_volume_size", "flavor_id", "id", "image_id",
			"is_default", "labels", "labels_added", "labels_overridden", "labels_skipped", "links", "max_node_count",
			"merge_labels", "min_node_count", "name", "node_addresses", "node_count", "project_id", "role", "stack_id",
			"status", "status_reason", "updated_at", "uuid", "version"}, keys(one))
		assert.Equal(t, f.srv.URL+"/v1/clusters/"+cluster+"/nodegroups/"+one["uuid"].(string),
			one["links"].([]any)[0].(map[string]any)["href"])

		latest := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster + "/nodegroups/ng1", version: "1.14"}).body
		assert.NotContains(t, latest, "stack_id", "1.13 drops stack_id")
		assert.Equal(t, map[string]any{}, latest["node_labels"])
		assert.Equal(t, []any{}, latest["node_taints"])
	})

	t.Run("node labels and taints at 1.14", func(t *testing.T) {
		body := `{"name": "tainted", "node_labels": {"tier": "gpu", "n": 1}, "node_taints": [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]}`
		f.do(400, call{method: "POST", path: "/v1/clusters/" + cluster + "/nodegroups", version: "1.13", body: body})
		ng := f.do(202, call{method: "POST", path: "/v1/clusters/" + cluster + "/nodegroups", version: "1.14", body: body}).body
		assert.Equal(t, map[string]any{"tier": "gpu", "n": "1"}, ng["node_labels"])
		assert.Equal(t, []any{map[string]any{"key": "gpu", "value": "true", "effect": "NoSchedule"}}, ng["node_taints"])
	})
}

func TestConformanceCertificates(t *testing.T) {
	f := newFixture(t)
	_, cluster := f.running("", nil)

	t.Run("35 sign", func(t *testing.T) {
		csr := newCSR(t, "demo")
		r := f.do(400, call{method: "POST", path: "/v1/certificates", body: jsonString(map[string]any{"cluster_uuid": "nope", "csr": csr})})
		assert.Equal(t, "Cluster nope could not be found.", errorOf(t, r)["detail"])
		r = f.do(201, call{method: "POST", path: "/v1/certificates", body: jsonString(map[string]any{"bay_uuid": "c1", "csr": csr})})
		assert.Equal(t, cluster, r.body["cluster_uuid"])
		assert.Equal(t, cluster, r.body["bay_uuid"])
		assert.Equal(t, csr, r.body["csr"])
		assert.Contains(t, r.body["pem"], "BEGIN CERTIFICATE")
		assert.Empty(t, r.header.Get("Location"))
		assert.Equal(t, f.srv.URL+"/v1/certificates/"+cluster, r.body["links"].([]any)[0].(map[string]any)["href"])
	})

	t.Run("get", func(t *testing.T) {
		r := f.do(200, call{method: "GET", path: "/v1/certificates/c1"})
		assert.Equal(t, []string{"bay_uuid", "cluster_uuid", "links", "pem"}, keys(r.body))
		etcd := f.do(200, call{method: "GET", path: "/v1/certificates/c1?ca_cert_type=etcd"})
		assert.NotEqual(t, r.body["pem"], etcd.body["pem"], "etcd has a CA of its own")
		f.do(404, call{method: "GET", path: "/v1/certificates/nope"})
		f.do(403, call{method: "GET", path: "/v1/certificates/" + cluster, token: "alt", header: map[string]string{
			"X-Project-Id": sim.DemoProjectID}}, // another user of the project
		)
	})

	t.Run("36 rotate on a non-TLS cluster", func(t *testing.T) {
		template := f.template("", map[string]any{"tls_disabled": true})
		plain := f.cluster("", map[string]any{"cluster_template_id": template, "name": "plain"})
		f.wait("", plain)
		r := f.do(400, call{method: "PATCH", path: "/v1/certificates/" + plain})
		assert.Contains(t, errorOf(t, r)["detail"], "Rotating the CA certificate on a non-TLS cluster")
	})

	t.Run("rotate", func(t *testing.T) {
		r := f.do(202, call{method: "PATCH", path: "/v1/certificates/" + cluster})
		assert.Equal(t, map[string]any{"uuid": cluster}, r.body)
		f.wait("", cluster)
	})

	t.Run("credentials at 1.12", func(t *testing.T) {
		r := f.do(202, call{method: "PATCH", path: "/v1/credentials/" + cluster, version: "1.12"})
		assert.Equal(t, map[string]any{"uuid": cluster}, r.body)
		assert.Equal(t, "UPDATE_COMPLETE", f.wait("", cluster)["status"])
	})
}

func TestConformanceQuotasStatsServices(t *testing.T) {
	f := newFixture(t)

	t.Run("37 quota of a project", func(t *testing.T) {
		r := f.do(200, call{method: "GET", path: "/v1/quotas/" + sim.DemoProjectID + "/Cluster"})
		assert.JSONEq(t, `{"project_id": "`+sim.DemoProjectID+`", "hard_limit": 20, "resource": "Cluster"}`, r.raw)
		f.do(403, call{method: "GET", path: "/v1/quotas/" + sim.AltProjectID + "/Cluster"})
	})

	t.Run("38 quota creation", func(t *testing.T) {
		r := f.do(404, call{method: "POST", path: "/v1/quotas", token: "admin", body: `{"project_id": "nope", "resource": "Cluster"}`})
		assert.Equal(t, "The project_id nope could not be found.", errorOf(t, r)["detail"])
		// A non-admin is refused before the project is looked up, whether
		// it exists or not.
		for _, project := range []string{"nope", sim.AltProjectID} {
			r = f.do(403, call{method: "POST", path: "/v1/quotas", token: "demo", body: `{"project_id": "` + project + `", "resource": "Cluster"}`})
			assert.Equal(t, "Policy doesn't allow quota:create to be performed.", errorOf(t, r)["detail"])
		}
		f.do(400, call{method: "POST", path: "/v1/quotas", token: "admin", body: `{"project_id": "` + sim.AltProjectID + `", "resource": "Nodes"}`})
		f.do(400, call{method: "POST", path: "/v1/quotas", token: "admin", body: `{"project_id": "` + sim.AltProjectID + `", "resource": "Cluster", "hard_limit": -1}`})
		q := f.do(201, call{method: "POST", path: "/v1/quotas", token: "admin", body: `{"project_id": "` + sim.AltProjectID + `", "resource": "Cluster"}`}).body
		assert.EqualValues(t, 1, q["hard_limit"], "hard_limit defaults to 1")
		assert.Equal(t, []string{"created_at", "hard_limit", "id", "project_id", "resource", "updated_at"}, keys(q))
		assert.Nil(t, q["updated_at"])
		f.do(409, call{method: "POST", path: "/v1/quotas", token: "admin", body: `{"project_id": "` + sim.AltProjectID + `", "resource": "Cluster"}`})
		q = f.do(202, call{method: "PATCH", path: "/v1/quotas/" + sim.AltProjectID + "/Cluster", token: "admin", body: `{"hard_limit": 4}`}).body
		assert.EqualValues(t, 4, q["hard_limit"])
		list := f.do(200, call{method: "GET", path: "/v1/quotas?all_tenants=true", token: "admin"}).body["quotas"].([]any)
		require.Len(t, list, 1)
		f.do(204, call{method: "DELETE", path: "/v1/quotas/" + sim.AltProjectID + "/Cluster", token: "admin"})
		f.do(404, call{method: "DELETE", path: "/v1/quotas/" + sim.AltProjectID + "/Cluster", token: "admin"})
	})

	t.Run("39 stats", func(t *testing.T) {
		r := f.do(200, call{method: "GET", path: "/v1/stats"})
		assert.JSONEq(t, `{"clusters": 0, "nodes": 0}`, r.raw)
		f.do(403, call{method: "GET", path: "/v1/stats?project_id=" + sim.AltProjectID})
		r = f.do(400, call{method: "GET", path: "/v1/stats?type=invalid"})
		assert.Equal(t, "Invalid stats type. Allowed values are 'cluster'", errorOf(t, r)["detail"])
	})

	t.Run("40 services", func(t *testing.T) {
		f.do(403, call{method: "GET", path: "/v1/mservices"})
		list := f.do(200, call{method: "GET", path: "/v1/mservices", token: "admin"}).body["mservices"].([]any)
		require.NotEmpty(t, list)
		svc := list[0].(map[string]any)
		assert.Equal(t, []string{"binary", "created_at", "disabled", "disabled_reason", "host", "id", "report_count",
			"state", "updated_at"}, keys(svc))
		assert.Equal(t, "up", svc["state"])
	})
}

// Where magnumd once differed from Magnum 15 (issue 15), each row checked
// by hand against the real magnum-api: routing, microversion and paging
// errors answer Magnum's status, headers and body.
func TestConformanceRoutingErrors(t *testing.T) {
	srv := newServer(t, newService(t))
	const jsonType = "application/json"
	routingError := func(status int, title, detail string) string {
		return jsonString(map[string]any{"errors": []any{map[string]any{"request_id": "", "code": "", "status": status,
			"title": title, "detail": detail, "links": []any{}}}})
	}
	clientError := func(detail string) string {
		title, _, _ := strings.Cut(detail, ".")
		return jsonString(map[string]any{"errors": []any{map[string]any{"request_id": "", "code": "client", "status": 400,
			"title": title, "detail": detail, "links": []any{}}}})
	}
	badService := routingError(406, "Not Acceptable", "Invalid service type for OpenStack-API-Version header")
	badValue := routingError(406, "Not Acceptable", "Invalid value for OpenStack-API-Version header")
	badLimit := func(value, pyError string) string {
		return clientError("Invalid input for field/attribute limit. Value: '" + value + "'. unable to convert to int. Error: " + pyError)
	}
	tests := []struct {
		name         string
		method, path string
		version      string // the OpenStack-API-Version header, if any
		accept       string
		status       int
		allow        string // the Allow header expected
		body         string // the JSON body expected; "" for none
	}{
		// 1. The service part of OpenStack-API-Version.
		{name: "another service", path: "/v1/clusters", version: "compute 1.1", accept: jsonType, status: 406, body: badService},
		{name: "one word only", path: "/v1/clusters", version: "container-infra", accept: jsonType, status: 406, body: badService},
		{name: "a version only", path: "/v1/clusters", version: "1.1", accept: jsonType, status: 406, body: badService},
		{name: "the service in another case", path: "/v1/clusters", version: "Container-Infra 1.1", accept: jsonType, status: 406, body: badService},
		{name: "three words", path: "/v1/clusters", version: "container-infra 1.1 x", accept: jsonType, status: 406, body: badService},
		{name: "two versions, as two header lines arrive", path: "/v1/clusters", version: "compute 2.1, container-infra 1.2",
			accept: jsonType, status: 406, body: badService},
		{name: "latest alone", path: "/v1/clusters", version: "latest", accept: jsonType, status: 406, body: badService},
		{name: "another service without JSON accepted", path: "/v1/clusters", version: "compute 1.1", status: 406,
			body: routingError(406, "", "")},
		{name: "a bad version", path: "/v1/clusters", version: "container-infra 1.x", accept: jsonType, status: 406, body: badValue},
		{name: "three numbers", path: "/v1/clusters", version: "container-infra 1.1.1", accept: jsonType, status: 406, body: badValue},
		{name: "digits of another script", path: "/v1/clusters", version: "container-infra 1.\u0663", accept: jsonType, status: 406, body: badValue},
		{name: "a UTF-8 no-break space, read as Latin-1", path: "/v1/clusters", version: "container-infra 1.2\u00a0", accept: jsonType,
			status: 406, body: badValue},
		{name: "another service with a bad version", path: "/v1/clusters", version: "compute 1.x", accept: jsonType, status: 406, body: badService},
		// 2. Methods not allowed and unknown paths.
		{name: "method not allowed", method: "PUT", path: "/v1/clusters", status: 405, allow: "GET, POST",
			body: routingError(405, "", "")},
		{name: "method not allowed with JSON accepted", method: "PUT", path: "/v1/clusters/x", accept: jsonType, status: 405,
			allow: "DELETE, GET, PATCH", body: routingError(405, "Method Not Allowed", "")},
		{name: "a collection cannot be deleted", method: "DELETE", path: "/v1/clustertemplates", status: 405, allow: "GET, POST",
			body: routingError(405, "", "")},
		{name: "an item is not posted to", method: "POST", path: "/v1/clustertemplates/x", status: 405,
			allow: "DELETE, GET, PATCH", body: routingError(405, "", "")},
		{name: "an action is posted", path: "/v1/clusters/x/actions/resize", version: "container-infra 1.7", status: 405, allow: "POST",
			body: routingError(405, "", "")},
		{name: "an action before its version", path: "/v1/clusters/x/actions/resize", version: "container-infra 1.6", accept: jsonType,
			status: 406, body: routingError(406, "Not Acceptable",
				"Version 1.6 was requested but the requested API resize is not supported for this version.")},
		{name: "node groups before 1.9, whatever the method", method: "POST", path: "/v1/clusters/x/nodegroups", version: "container-infra 1.8",
			accept: jsonType, status: 406, body: routingError(406, "Not Acceptable",
				"Version 1.8 was requested but the requested API get_one is not supported for this version.")},
		{name: "node groups before 1.9 with another method", method: "PUT", path: "/v1/clusters/x/nodegroups", version: "container-infra 1.8",
			accept: jsonType, status: 406, body: routingError(406, "Not Acceptable",
				"Version 1.8 was requested but the requested API get_one is not supported for this version.")},
		{name: "the versions document is read only", method: "DELETE", path: "/", accept: jsonType, status: 405, allow: "GET",
			body: routingError(405, "Method Not Allowed", "")},
		{name: "HEAD of the versions document", method: "HEAD", path: "/", status: 405, allow: "GET"},
		{name: "unknown path", path: "/v1/nowhere", status: 404, body: routingError(404, "", "")},
		{name: "unknown path with JSON accepted", path: "/v1/clusters/a/b/c", accept: jsonType, status: 404,
			body: routingError(404, "Not Found", "")},
		{name: "unknown unversioned path", path: "/nowhere", accept: jsonType, status: 404, body: routingError(404, "Not Found", "")},
		{name: "unknown path with another method", method: "PUT", path: "/v1/nowhere", accept: jsonType, status: 404,
			body: routingError(404, "Not Found", "")},
		{name: "OPTIONS", method: "OPTIONS", path: "/v1/clustertemplates", status: 200, allow: "GET, POST"},
		{name: "OPTIONS of an unknown path", method: "OPTIONS", path: "/v1/nowhere", status: 200},
		{name: "OPTIONS with a bad version", method: "OPTIONS", path: "/v1/clusters", version: "compute 1.1", status: 200},
		// 3. limit as Python's int() reads it.
		{name: "limit not a number", path: "/v1/clustertemplates?limit=abc", status: 400,
			body: badLimit("abc", "invalid literal for int() with base 10: 'abc'")},
		{name: "limit empty", path: "/v1/clusters?limit=", status: 400, body: badLimit("", "invalid literal for int() with base 10: ''")},
		{name: "limit with a quote", path: "/v1/quotas?limit=a'b", status: 400,
			body: badLimit("a'b", `invalid literal for int() with base 10: "a'b"`)},
		{name: "limit a fraction", path: "/v1/clusters/detail?limit=1.5", status: 400,
			body: badLimit("1.5", "invalid literal for int() with base 10: '1.5'")},
		{name: "limit twice", path: "/v1/clustertemplates?limit=abc&limit=2", status: 400,
			body: badLimit("['abc', '2']", "int() argument must be a string, a bytes-like object or a real number, not 'list'")},
		{name: "limit with spaces", path: "/v1/clusters?limit=%202%20", status: 200, body: `{"clusters": []}`},
		{name: "limit with an underscore", path: "/v1/clusters?limit=1_0", status: 200, body: `{"clusters": []}`},
		{name: "limit beyond int64", path: "/v1/clusters?limit=99999999999999999999", status: 200, body: `{"clusters": []}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			r := do(t, srv, call{method: method, path: tt.path,
				header: map[string]string{"OpenStack-API-Version": tt.version, "Accept": tt.accept}})
			require.Equal(t, tt.status, r.status, r.raw)
			assert.Equal(t, tt.allow, r.header.Get("Allow"))
			if tt.body == "" {
				assert.Empty(t, r.raw)
				return
			}
			assert.JSONEq(t, tt.body, r.raw)
		})
	}
}

// An OpenStack-API-Version header Magnum cannot split in two: empty, or
// given twice (the lines reach it joined).
func TestConformanceVersionHeaderLines(t *testing.T) {
	srv := newServer(t, newService(t))
	for name, lines := range map[string][]string{"empty": {""}, "twice": {"container-infra 1.1", "container-infra 1.2"}} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest("GET", srv.URL+"/v1/clusters", nil)
			require.NoError(t, err)
			req.Header["Openstack-Api-Version"] = lines
			req.Header.Set("Accept", "application/json")
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusNotAcceptable, resp.StatusCode, string(data))
			assert.Contains(t, string(data), `"detail":"Invalid service type for OpenStack-API-Version header"`)
		})
	}
}

// OPTIONS answers before authentication, as Magnum's CORS middleware
// turns every answer to it into a 200.
func TestConformanceOptionsWithoutIdentity(t *testing.T) {
	srv := newServer(t, newService(t), withAuth(noIdentity))
	r := do(t, srv, call{method: "OPTIONS", path: "/v1/clusters/x/nodegroups", version: "1.9"})
	require.Equal(t, http.StatusOK, r.status, r.raw)
	assert.Equal(t, "GET, POST", r.header.Get("Allow"))
	assert.Empty(t, r.raw)
	assert.Equal(t, http.StatusUnauthorized, do(t, srv, call{method: "GET", path: "/v1/clusters"}).status)
}

// Where magnumd once differed from Magnum 15 (issue 15) in validating
// bodies: the server_type enum, an image name several images have, and
// the messages of JSON patches that cannot be applied.
func TestConformanceValidationMessages(t *testing.T) {
	cat := sim.DefaultCatalog()
	cat.Images = append(cat.Images,
		sim.CatalogImage{ID: "55555555-5555-4555-8555-555555555555", Name: "dup", OSDistro: "fedora-coreos"},
		sim.CatalogImage{ID: "66666666-6666-4666-8666-666666666666", Name: "dup", OSDistro: "fedora-coreos"})
	f := newFixture(t, magnum.WithSimulatedCloud(sim.WithCatalog(cat)))
	template, cluster := f.running("", map[string]any{"labels": map[string]any{"a": "1"}})
	ambiguous := "Multiple images exist with same name dup. Please use the resource id instead."
	patchOf := func(ops string) string {
		return "Couldn't apply patch '" + ops + "'. Reason: "
	}
	tests := []struct {
		name, method, path, version, body string
		status                            int
		detail                            string
	}{
		// 4. server_type is an enum, as coe.
		{name: "server_type outside vm, bm", method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{"server_type": "xx"}),
			status: 400, detail: "Invalid input for field/attribute server_type. Value: 'xx'. Value should be one of: vm, bm"},
		{name: "server_type empty", method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{"server_type": ""}),
			status: 400, detail: "Invalid input for field/attribute server_type. Value: ''. Value should be one of: vm, bm"},
		{name: "server_type a number", method: "POST", path: "/v1/baymodels", body: templateBody(map[string]any{"server_type": 5}),
			status: 400, detail: "Invalid input for field/attribute server_type. Value: '5'. Value should be one of: vm, bm"},
		{name: "server_type null", method: "POST", path: "/v1/clustertemplates", body: `{"image_id": "fedora-coreos-40", "coe": "kubernetes", "server_type": null}`,
			status: 400, detail: "Server type None is not supported, expecting a vm/bm/unspecified server type."},
		{name: "server_type patched outside vm, bm", method: "PATCH", path: "/v1/clustertemplates/" + template,
			body:   `[{"op": "replace", "path": "/server_type", "value": "container"}]`,
			status: 400, detail: "Invalid input for field/attribute server_type. Value: 'container'. Value should be one of: vm, bm"},
		{name: "coe empty", method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{"coe": ""}),
			status: 400, detail: "Invalid input for field/attribute coe. Value: ''. Value should be one of: kubernetes, swarm, mesos, dcos, swarm-mode"},
		// Deliberate differences (docs/compatibility.md): Magnum answers 500
		// "Field value xx is invalid" to the first, "Requested COE type Unset
		// is not supported." to the second, and Python's parser error as the
		// reason of the third.
		{name: "coe patched outside the enum", method: "PATCH", path: "/v1/clustertemplates/" + template,
			body:   `[{"op": "replace", "path": "/coe", "value": "xx"}]`,
			status: 400, detail: "Invalid input for field/attribute coe. Value: 'xx'. Value should be one of: kubernetes, swarm, mesos, dcos, swarm-mode"},
		{name: "coe missing", method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{"coe": nil}),
			status: 400, detail: "Invalid input for field/attribute coe. Value: 'None'. Mandatory field missing."},
		{name: "labels patched to a malformed literal", method: "PATCH", path: "/v1/clustertemplates/" + template,
			body: `[{"op": "replace", "path": "/labels", "value": "{bad"}]`, status: 400,
			detail: patchOf(`[{'path': '/labels', 'op': 'replace', 'value': '{bad'}]`) +
				"malformed literal: expected a quoted string (at offset 1)"},
		// 5. An image name several images have: 400 at create, 409 at update, with the clear message.
		{name: "template with an ambiguous image", method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{"image_id": "dup"}),
			status: 400, detail: ambiguous},
		{name: "baymodel with an ambiguous image", method: "POST", path: "/v1/baymodels", body: templateBody(map[string]any{"image_id": "dup"}),
			status: 400, detail: ambiguous},
		{name: "node group with an ambiguous image", method: "POST", path: "/v1/clusters/" + cluster + "/nodegroups", version: "1.9",
			body: `{"name": "ng-dup", "image_id": "dup"}`, status: 400, detail: ambiguous},
		{name: "template patched to an ambiguous image", method: "PATCH", path: "/v1/clustertemplates/" + f.template("", nil),
			body: `[{"op": "replace", "path": "/image_id", "value": "dup"}]`, status: 409, detail: ambiguous},
		// 6. Patch errors quote each operation as path, op, value.
		{name: "patch that cannot apply", method: "PATCH", path: "/v1/clustertemplates/" + template,
			body: `[{"value": "n2", "op": "replace", "path": "/name"}, {"path": "/labels/q", "op": "remove"}]`, status: 400,
			detail: patchOf(`[{'path': '/name', 'op': 'replace', 'value': 'n2'}, {'path': '/labels/q', 'op': 'remove'}]`) +
				"can't remove a non-existent object 'q'"},
		{name: "patch values as Python shows them", method: "PATCH", path: "/v1/clustertemplates/" + template,
			body: `[{"op": "replace", "path": "/name", "value": "it's"}, {"op": "replace", "path": "/public", "value": true},
				{"op": "replace", "path": "/docker_volume_size", "value": 5}, {"op": "remove", "path": "/labels/q"}]`, status: 400,
			detail: patchOf(`[{'path': '/name', 'op': 'replace', 'value': "it's"}, {'path': '/public', 'op': 'replace', 'value': True}, `+
				`{'path': '/docker_volume_size', 'op': 'replace', 'value': 5}, {'path': '/labels/q', 'op': 'remove'}]`) +
				"can't remove a non-existent object 'q'"},
		{name: "patch with labels parsed before applying", method: "PATCH", path: "/v1/clusters/" + cluster,
			body: `[{"op": "replace", "path": "/labels", "value": "{'b': '2'}"}, {"op": "remove", "path": "/labels/q"}]`, status: 400,
			detail: patchOf(`[{'path': '/labels', 'op': 'replace', 'value': {'b': '2'}}, {'path': '/labels/q', 'op': 'remove'}]`) +
				"can't remove a non-existent object 'q'"},
		{name: "patch through a missing member", method: "PATCH", path: "/v1/clustertemplates/" + template,
			body: `[{"op": "replace", "path": "/labels/zz/yy", "value": "x"}]`, status: 400,
			detail: patchOf(`[{'path': '/labels/zz/yy', 'op': 'replace', 'value': 'x'}]`) + "member 'zz' not found in {'kube_tag': 'v1.30.1'}"},
		{name: "patch adding at the root", method: "PATCH", path: "/v1/clustertemplates/" + template,
			body: `[{"op": "add", "path": "/nosuch", "value": "x"}]`, status: 400,
			detail: "Adding a new attribute /nosuch to the root of the resource is not allowed."},
		{name: "patch adding a set attribute", method: "PATCH", path: "/v1/clustertemplates/" + template,
			body: `[{"op": "remove", "path": "/labels/q"}, {"op": "add", "path": "/name", "value": "x"}]`, status: 400,
			detail: "The attribute /name has existed, please use 'replace' operation instead."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, f.srv, call{method: tt.method, path: tt.path, version: tt.version, body: tt.body})
			require.Equal(t, tt.status, r.status, r.raw)
			assert.Equal(t, tt.detail, errorOf(t, r)["detail"])
		})
	}
}
