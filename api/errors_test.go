package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorBodies(t *testing.T) {
	srv := newServer(t, newService(t))
	tests := []struct {
		name   string
		c      call
		status int
		body   string
	}{{
		name: "missing resource", c: call{method: "GET", path: "/v1/clusters/nope"}, status: 404,
		body: `{"errors":[{"request_id":"","code":"client","status":404,"title":"Cluster nope could not be found","detail":"Cluster nope could not be found.","links":[]}]}`,
	}, {
		name: "unversioned paths are v1", c: call{method: "GET", path: "/clustertemplates/nope"}, status: 404,
		body: `{"errors":[{"request_id":"","code":"client","status":404,"title":"ClusterTemplate nope could not be found","detail":"ClusterTemplate nope could not be found.","links":[]}]}`,
	}, {
		name: "detail of one resource", c: call{method: "GET", path: "/v1/clusters/x/detail"}, status: 404,
		body: `{"errors":[{"request_id":"","code":"client","status":404,"title":"The %(name)s resource %(id)s could not be found","detail":"The %(name)s resource %(id)s could not be found.","links":[]}]}`,
	}, {
		name: "unknown URL", c: call{method: "GET", path: "/v1/nowhere"}, status: 404,
		body: `{"errors":[{"request_id":"","code":"","status":404,"title":"","detail":"","links":[]}]}`,
	}, {
		name: "unknown URL with JSON accepted", c: call{method: "GET", path: "/v1/clusters/a/b/c", header: map[string]string{"Accept": "application/json"}}, status: 404,
		body: `{"errors":[{"request_id":"","code":"","status":404,"title":"Not Found","detail":"","links":[]}]}`,
	}, {
		name: "wrong method", c: call{method: "PUT", path: "/v1/clusters"}, status: 405,
		body: `{"errors":[{"request_id":"","code":"","status":405,"title":"","detail":"","links":[]}]}`,
	}, {
		name: "body not JSON", c: call{method: "POST", path: "/v1/clusters", body: `{"name":`}, status: 400,
		body: `{"errors":[{"request_id":"","code":"client","status":400,"title":"Request is not in valid JSON format","detail":"Request is not in valid JSON format","links":[]}]}`,
	}, {
		name: "policy", c: call{method: "GET", path: "/v1/mservices"}, status: 403,
		body: `{"errors":[{"request_id":"","code":"client","status":403,"title":"Policy doesn't allow magnum-service:get_all to be performed","detail":"Policy doesn't allow magnum-service:get_all to be performed.","links":[]}]}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, tt.c)
			require.Equal(t, tt.status, r.status, r.raw)
			assert.JSONEq(t, tt.body, r.raw)
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			assert.Regexp(t, `^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, r.header.Get("X-OpenStack-Request-Id"))
		})
	}
}

func TestNoContentResponses(t *testing.T) {
	srv := newServer(t, newService(t))
	r := do(t, srv, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(nil)})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	r = do(t, srv, call{method: "DELETE", path: "/v1/clustertemplates/" + r.body["uuid"].(string)})
	assert.Equal(t, http.StatusNoContent, r.status)
	assert.Empty(t, r.raw)
	assert.Empty(t, r.header.Get("Content-Type"))
}

func TestBodyDecoding(t *testing.T) {
	srv := newServer(t, newService(t))
	tests := []struct {
		name, path, body, detail string
	}{
		{"unknown attribute", "/v1/clusters", `{"cluster_template_id": "t", "foo": 1}`,
			"Unknown attribute for argument cluster: foo"},
		{"unknown attributes", "/v1/clusters", `{"cluster_template_id": "t", "foo": 1, "bar": 2}`,
			"Unknown attributes for argument cluster: bar, foo"},
		{"read-only attribute", "/v1/clusters", `{"cluster_template_id": "t", "stack_id": "x"}`,
			"Invalid input for field/attribute stack_id. Value: 'x'. Cannot set read only field."},
		{"read-only attribute set to null", "/v1/clustertemplates", `{"image_id": "i", "coe": "kubernetes", "project_id": null}`,
			"Invalid input for field/attribute project_id. Value: 'None'. Cannot set read only field."},
		{"mandatory attribute missing", "/v1/clusters", `{"name": "c"}`,
			"Invalid input for field/attribute cluster_template_id. Value: 'None'. Mandatory field missing."},
		{"mandatory attribute null", "/v1/clustertemplates", `{"coe": "kubernetes", "image_id": null}`,
			"Invalid input for field/attribute image_id. Value: 'None'. Mandatory field missing."},
		{"integer expected", "/v1/clustertemplates", `{"coe": "kubernetes", "image_id": "i", "docker_volume_size": "notanint"}`,
			"Invalid input for field/attribute docker_volume_size. Value: 'notanint'. Wrong type. Expected 'int', got '<class 'str'>'"},
		{"fractional integer", "/v1/clusters", `{"cluster_template_id": "t", "node_count": 1.5}`,
			"Invalid input for field/attribute node_count. Value: '1.5'. Wrong type. Expected 'int', got '<class 'float'>'"},
		{"minimum", "/v1/clustertemplates", `{"coe": "kubernetes", "image_id": "i", "docker_volume_size": 0}`,
			"Invalid input for field/attribute docker_volume_size. Value: '0'. Value should be greater or equal to 1"},
		{"maximum", "/v1/clustertemplates", `{"coe": "kubernetes", "image_id": "i", "apiserver_port": 70000}`,
			"Invalid input for field/attribute apiserver_port. Value: '70000'. Value should be lower or equal to 65535"},
		{"string expected", "/v1/clusters", `{"cluster_template_id": 5}`,
			"Invalid input for field/attribute cluster_template_id. Value: '5'. Wrong type. Expected 'str', got '<class 'int'>'"},
		{"minimum length", "/v1/clusters", `{"cluster_template_id": "t", "name": ""}`,
			"Invalid input for field/attribute name. Value: ''. Value should have a minimum character requirement of 1"},
		{"pattern", "/v1/clusters", `{"cluster_template_id": "t", "name": "-x"}`,
			"Invalid input for field/attribute name. Value: '-x'. Value should match the pattern ^[a-zA-Z][a-zA-Z0-9_.-]*$"},
		{"boolean", "/v1/clustertemplates", `{"coe": "kubernetes", "image_id": "i", "public": "maybe"}`,
			"Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"},
		{"labels must be a map", "/v1/clusters", `{"cluster_template_id": "t", "labels": ["a"]}`,
			"Invalid input for field/attribute labels. Value: '['a']'. Wrong type. Expected 'dict', got '<class 'list'>'"},
		{"label values are scalars", "/v1/clusters", `{"cluster_template_id": "t", "labels": {"a": {"b": 1}}}`,
			"Invalid input for field/attribute labels. Value: '{'a': {'b': 1}}'. Wrong type. Expected '(str, int, bool, float)', got '<class 'dict'>'"},
		{"body is not an object", "/v1/clusters", `[1]`,
			"Invalid input for field/attribute cluster. Value: '[1]'. Value should be a JSON object"},
		{"empty body", "/v1/clusters", ``, `Missing argument: "cluster"`},
		{"trailing data", "/v1/clusters", `{} {}`, "Request is not in valid JSON format"},
		{"patch is a list", "/v1/clustertemplates/x", `{"op": "add"}`,
			"Invalid input for field/attribute patch. Value: '{'op': 'add'}'. Value not a valid list: {'op': 'add'}"},
		{"patch attributes", "/v1/clustertemplates/x", `[{"op": "add", "path": "/name", "value": "n", "from": "/x"}]`,
			"Unknown attribute for argument patch: from"},
		{"patch path mandatory", "/v1/clustertemplates/x", `[{"op": "add"}]`,
			"Invalid input for field/attribute path. Value: 'None'. Mandatory field missing."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := "POST"
			if strings.HasPrefix(tt.body, "[{") || strings.Contains(tt.name, "patch") {
				method = "PATCH"
			}
			r := do(t, srv, call{method: method, path: tt.path, body: tt.body})
			require.Equal(t, http.StatusBadRequest, r.status, r.raw)
			e := errorOf(t, r)
			assert.Equal(t, tt.detail, e["detail"])
			assert.Equal(t, "client", e["code"])
			assert.EqualValues(t, 400, e["status"])
		})
	}
}

func TestBooleansAndLabels(t *testing.T) {
	srv := newServer(t, newService(t))
	r := do(t, srv, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(map[string]any{
		"registry_enabled": "Yes", "master_lb_enabled": "on", "floating_ip_enabled": "f", "tls_disabled": 1,
		"labels": map[string]any{"s": "x", "i": 3, "b": true, "f": 1.5, "big": 1e21, "whole": 2.0},
	})})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	assert.Equal(t, true, r.body["registry_enabled"])
	assert.Equal(t, true, r.body["master_lb_enabled"])
	assert.Equal(t, false, r.body["floating_ip_enabled"])
	assert.Equal(t, true, r.body["tls_disabled"])
	assert.Equal(t, map[string]any{"s": "x", "i": "3", "b": "True", "f": "1.5", "big": "1e+21", "whole": "2"}, r.body["labels"])
}
