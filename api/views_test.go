package api_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/magnum"
)

// timestampPattern is Python's isoformat of a UTC time: microseconds when
// there are any, and the offset.
const timestampPattern = `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$`

func TestTemplateViews(t *testing.T) {
	f := newFixture(t)
	r := f.do(201, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(nil)})
	uuid := r.body["uuid"].(string)
	assert.Equal(t, f.srv.URL+"/v1/clustertemplates/"+uuid, r.header.Get("Location"))
	want := []string{"apiserver_port", "cluster_distro", "coe", "created_at", "dns_nameserver", "docker_storage_driver",
		"docker_volume_size", "external_network_id", "fixed_network", "fixed_subnet", "flavor_id", "floating_ip_enabled",
		"hidden", "http_proxy", "https_proxy", "image_id", "insecure_registry", "keypair_id", "labels", "links",
		"master_flavor_id", "master_lb_enabled", "name", "network_driver", "no_proxy", "project_id", "public",
		"registry_enabled", "server_type", "tags", "tls_disabled", "updated_at", "user_id", "uuid", "volume_driver"}
	assert.Equal(t, want, keys(r.body))
	assert.Nil(t, r.body["apiserver_port"], "unset fields are null")
	assert.Nil(t, r.body["updated_at"])
	assert.Regexp(t, timestampPattern, r.body["created_at"])
	assert.Equal(t, []any{
		map[string]any{"href": f.srv.URL + "/v1/clustertemplates/" + uuid, "rel": "self"},
		map[string]any{"href": f.srv.URL + "/clustertemplates/" + uuid, "rel": "bookmark"},
	}, r.body["links"])

	for _, path := range []string{"/v1/clustertemplates", "/v1/clustertemplates/detail"} {
		list := f.do(200, call{method: "GET", path: path}).body["clustertemplates"].([]any)
		require.Len(t, list, 1)
		assert.Equal(t, want, keys(list[0].(map[string]any)), "lists show templates whole")
	}
	patched := f.do(200, call{method: "PATCH", path: "/v1/clustertemplates/" + uuid,
		body: `[{"op": "add", "path": "/apiserver_port", "value": 6443}]`}).body
	assert.EqualValues(t, 6443, patched["apiserver_port"])
	assert.Regexp(t, timestampPattern, patched["updated_at"])
}

func TestClusterViews(t *testing.T) {
	f := newFixture(t)
	_, cluster := f.running("", nil)
	detail := []string{"api_address", "cluster_template_id", "coe_version", "container_version", "create_timeout",
		"created_at", "discovery_url", "docker_volume_size", "fixed_network", "fixed_subnet", "flavor_id",
		"floating_ip_enabled", "health_status", "health_status_reason", "keypair", "labels", "labels_added",
		"labels_overridden", "labels_skipped", "links", "master_addresses", "master_count", "master_flavor_id",
		"master_lb_enabled", "merge_labels", "name", "node_addresses", "node_count", "project_id", "stack_id", "status",
		"status_reason", "updated_at", "user_id", "uuid"}

	one := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster}).body
	assert.Equal(t, detail, keys(one))
	assert.Regexp(t, timestampPattern, one["created_at"])
	assert.Regexp(t, timestampPattern, one["updated_at"])
	list := f.do(200, call{method: "GET", path: "/v1/clusters/detail"}).body["clusters"].([]any)
	assert.Equal(t, detail, keys(list[0].(map[string]any)))

	t.Run("cluster_id replaces stack_id at 1.13", func(t *testing.T) {
		at112 := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster, version: "1.12"}).body
		at113 := f.do(200, call{method: "GET", path: "/v1/clusters/" + cluster, version: "1.13"}).body
		require.NotEmpty(t, at112["stack_id"])
		assert.NotContains(t, at113, "stack_id")
		assert.Equal(t, at112["stack_id"], at113["cluster_id"])
		brief := f.do(200, call{method: "GET", path: "/v1/clusters", version: "latest"}).body["clusters"].([]any)[0].(map[string]any)
		assert.Equal(t, at112["stack_id"], brief["cluster_id"])
		assert.NotContains(t, brief, "stack_id")
	})

	t.Run("next links", func(t *testing.T) {
		second := f.cluster("", map[string]any{"cluster_template_id": one["cluster_template_id"], "name": "c2"})
		r := f.do(200, call{method: "GET", path: "/v1/clusters/detail?limit=1&sort_dir=desc&sort_key=name"})
		items := r.body["clusters"].([]any)
		require.Len(t, items, 1)
		assert.Equal(t, second, items[0].(map[string]any)["uuid"])
		assert.Equal(t, f.srv.URL+"/v1/clusters/detail?sort_key=name&sort_dir=desc&limit=1&marker="+second, r.body["next"])
		f.wait("", second)
	})

	t.Run("list parameters", func(t *testing.T) {
		for q, detail := range map[string]string{
			"limit=0":         "Limit must be positive",
			"limit=x":         "Invalid input for field/attribute limit. Value: 'x'. unable to convert to int. Error: invalid literal for int() with base 10: 'x'",
			"sort_dir=up":     "Invalid sort direction: up. Acceptable values are 'asc' or 'desc'",
			"sort_key=bogus":  `The sort_key value "bogus" is an invalid field for sorting`,
			"marker=not-uuid": "Invalid input for field/attribute marker. Value: 'not-uuid'. unable to convert to uuid. Error: Expected a uuid but received not-uuid.",
		} {
			r := f.do(400, call{method: "GET", path: "/v1/clusters?" + q})
			assert.Equal(t, detail, errorOf(t, r)["detail"], q)
		}
	})

	t.Run("isolation", func(t *testing.T) {
		f.do(404, call{method: "GET", path: "/v1/clusters/" + cluster, token: "alt"})
		assert.Empty(t, f.do(200, call{method: "GET", path: "/v1/clusters", token: "alt"}).body["clusters"])
		assert.Len(t, f.do(200, call{method: "GET", path: "/v1/clusters", token: "admin"}).body["clusters"], 2,
			"admins see every project's clusters")
	})
}

func TestFederations(t *testing.T) {
	f := newFixture(t)
	_, host := f.running("", nil)
	r := f.do(400, call{method: "POST", path: "/v1/federations",
		body: `{"name": "fed", "hostcluster_id": "` + host + `", "properties": {}}`})
	assert.Equal(t, "No DNS zone specified. Please specify a `dns-zone`.", errorOf(t, r)["detail"])
	r = f.do(202, call{method: "POST", path: "/v1/federations",
		body: `{"name": "fed", "hostcluster_id": "` + host + `", "properties": {"dns-zone": "example.com."}}`})
	uuid := r.body["uuid"].(string)
	assert.Equal(t, []string{"uuid"}, keys(r.body))

	brief := f.do(200, call{method: "GET", path: "/v1/federations"}).body["federations"].([]any)
	require.Len(t, brief, 1)
	assert.Equal(t, []string{"hostcluster_id", "links", "member_ids", "name", "properties", "status", "uuid"},
		keys(brief[0].(map[string]any)))
	full := f.do(200, call{method: "GET", path: "/v1/federations/fed"}).body
	assert.Equal(t, []string{"created_at", "hostcluster_id", "links", "member_ids", "name", "properties", "status",
		"status_reason", "updated_at", "uuid"}, keys(full))
	assert.Equal(t, map[string]any{"dns-zone": "example.com."}, full["properties"])
	detail := f.do(200, call{method: "GET", path: "/v1/federations/detail"}).body["federations"].([]any)
	assert.Equal(t, keys(full), keys(detail[0].(map[string]any)))

	f.do(202, call{method: "PATCH", path: "/v1/federations/" + uuid,
		body: `[{"op": "add", "path": "/member_ids", "value": "` + host + `"}]`})
	assert.Equal(t, []any{host}, f.do(200, call{method: "GET", path: "/v1/federations/" + uuid}).body["member_ids"])
	f.do(409, call{method: "PATCH", path: "/v1/federations/" + uuid,
		body: `[{"op": "add", "path": "/member_ids", "value": "` + host + `"}]`})
	f.do(404, call{method: "GET", path: "/v1/federations/" + uuid, token: "alt"})
	f.do(204, call{method: "DELETE", path: "/v1/federations/" + uuid})
	f.do(404, call{method: "GET", path: "/v1/federations/" + uuid})
}

func TestBaysAndBaymodels(t *testing.T) {
	f := newFixture(t)
	r := f.do(400, call{method: "POST", path: "/v1/baymodels", version: "1.1", body: templateBody(map[string]any{"keypair_id": nil})})
	assert.Equal(t, "Invalid input for field/attribute keypair_id. Value: 'None'. Mandatory field missing.", errorOf(t, r)["detail"])
	r = f.do(400, call{method: "POST", path: "/v1/baymodels", version: "1.1", body: templateBody(map[string]any{"labels": map[string]any{"n": 1}})})
	assert.Contains(t, errorOf(t, r)["detail"], "Wrong type", "baymodel labels are strings")

	bm := f.do(201, call{method: "POST", path: "/v1/baymodels", version: "1.1", body: templateBody(nil)})
	model := bm.body["uuid"].(string)
	assert.NotContains(t, bm.body, "project_id")
	assert.NotContains(t, bm.body, "user_id")
	assert.Equal(t, f.srv.URL+"/v1/baymodels/"+model, bm.header.Get("Location"))
	assert.Len(t, f.do(200, call{method: "GET", path: "/v1/baymodels", version: "1.10"}).body["baymodels"], 1)

	r = f.do(400, call{method: "POST", path: "/v1/bays", version: "1.10", body: `{"baymodel_id": "nope"}`})
	assert.Equal(t, "ClusterTemplate nope could not be found.", errorOf(t, r)["detail"], "an unknown baymodel is always 400")
	f.do(400, call{method: "POST", path: "/v1/bays", version: "1.1", body: `{"baymodel_id": "` + model + `", "node_count": 0}`})

	sync := f.do(201, call{method: "POST", path: "/v1/bays", version: "1.1", body: `{"baymodel_id": "` + model + `", "name": "b1", "bay_create_timeout": 30}`})
	assert.Equal(t, "b1", sync.body["name"])
	assert.Equal(t, model, sync.body["baymodel_id"])
	assert.EqualValues(t, 30, sync.body["bay_create_timeout"])
	assert.Equal(t, f.srv.URL+"/v1/bays/"+sync.body["uuid"].(string), sync.header.Get("Location"))

	async := f.do(202, call{method: "POST", path: "/v1/bays", version: "1.2", body: `{"baymodel_id": "` + model + `", "name": "b2"}`})
	assert.Equal(t, []string{"uuid"}, keys(async.body))

	f.wait("", sync.body["uuid"].(string))
	f.wait("", async.body["uuid"].(string))
	list := f.do(200, call{method: "GET", path: "/v1/bays", version: "1.10"}).body["bays"].([]any)
	require.Len(t, list, 2)
	assert.Equal(t, []string{"bay_create_timeout", "baymodel_id", "docker_volume_size", "flavor_id", "floating_ip_enabled",
		"labels", "links", "master_count", "master_flavor_id", "name", "node_count", "stack_id", "status", "uuid"},
		keys(list[0].(map[string]any)))

	patched := f.do(http.StatusOK, call{method: "PATCH", path: "/v1/bays/b1", version: "1.1",
		body: `[{"op": "replace", "path": "/node_count", "value": 2}]`})
	assert.Equal(t, "b1", patched.body["name"], "1.1 answers the bay")
	f.wait("", sync.body["uuid"].(string))
	f.do(202, call{method: "PATCH", path: "/v1/bays/b1", version: "1.3",
		body: `[{"op": "replace", "path": "/node_count", "value": 1}]`})
	f.wait("", sync.body["uuid"].(string))
	f.do(204, call{method: "DELETE", path: "/v1/bays/b2", version: "1.10"})
}

func TestMaxLimitAndHealthcheck(t *testing.T) {
	disable := t.TempDir() + "/disable"
	svc := newService(t, magnum.WithMaxLimit(2))
	f := &fixture{t: t, srv: newServer(t, svc, api.WithMaxLimit(2), api.WithHealthcheckDisableFile(disable))}
	for range 3 {
		f.template("", nil)
	}
	r := f.do(200, call{method: "GET", path: "/v1/clustertemplates?limit=50"})
	items := r.body["clustertemplates"].([]any)
	require.Len(t, items, 2, "limits are capped to the maximum")
	assert.Equal(t, f.srv.URL+"/v1/clustertemplates?sort_key=id&sort_dir=asc&limit=2&marker="+
		items[1].(map[string]any)["uuid"].(string), r.body["next"])

	assert.Equal(t, "OK", f.do(200, call{method: "GET", path: "/healthcheck"}).raw)
	require.NoError(t, os.WriteFile(disable, nil, 0o600))
	assert.Equal(t, "DISABLED BY FILE", f.do(503, call{method: "GET", path: "/healthcheck"}).raw)
}
