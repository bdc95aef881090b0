package api_test

import (
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
