package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	hdrVersion = "OpenStack-API-Version"
	hdrMin     = "OpenStack-API-Minimum-Version"
	hdrMax     = "OpenStack-API-Maximum-Version"
)

func TestMicroversionNegotiation(t *testing.T) {
	srv := newServer(t, newService(t))
	tests := []struct {
		name   string
		header string
		want   string // the version the response reports
	}{
		{"absent means 1.1, not latest", "", "container-infra 1.1"},
		{"latest", "container-infra latest", "container-infra 1.14"},
		{"latest in any case", "container-infra LATEST", "container-infra 1.14"},
		{"an exact version", "container-infra 1.9", "container-infra 1.9"},
		{"the maximum", "container-infra 1.14", "container-infra 1.14"},
		{"leading zeros are numbers", "container-infra 1.05", "container-infra 1.5"},
		{"numbers as Python's int() reads them", "container-infra +1.1_0", "container-infra 1.10"},
		{"surrounding white space", " container-infra\t1.2 ", "container-infra 1.2"},
		{"latest ignores the service type, as Magnum does", "compute latest", "container-infra 1.14"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, call{method: "GET", path: "/v1/clustertemplates", header: map[string]string{hdrVersion: tt.header}})
			require.Equal(t, http.StatusOK, r.status, r.raw)
			assert.Equal(t, tt.want, r.header.Get(hdrVersion))
			assert.Equal(t, "container-infra 1.1", r.header.Get(hdrMin))
			assert.Equal(t, "container-infra 1.14", r.header.Get(hdrMax))
			assert.Equal(t, hdrVersion, r.header.Get("Vary"))
		})
	}
}

func TestMicroversionNotAcceptable(t *testing.T) {
	srv := newServer(t, newService(t))
	const json = "application/json"
	tests := []struct {
		name, path, method, version, accept string
		// wantHeaders: the response carries the version headers.
		wantHeaders bool
		wantBody    string
	}{{
		name: "unparseable: one token", path: "/v1/clusters", version: "container-infra",
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"","detail":"","links":[]}]}`,
	}, {
		name: "unparseable: other service", path: "/v1/clusters", version: "compute 1.1",
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"","detail":"","links":[]}]}`,
	}, {
		name: "unparseable: not int.int", path: "/v1/clusters", version: "container-infra 1.1.1",
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"","detail":"","links":[]}]}`,
	}, {
		name: "unparseable with JSON accepted", path: "/v1/clusters", version: "container-infra one.two", accept: json,
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"Not Acceptable","detail":"Invalid value for OpenStack-API-Version header","links":[]}]}`,
	}, {
		name: "minor out of range", path: "/v1/clusters", version: "container-infra 1.99", accept: json, wantHeaders: true,
		wantBody: `{"errors":[{"code":"magnum.microversion-unsupported","title":"Requested microversion is unsupported","max_version":"1.14","min_version":"1.1","links":[{"href":"http://docs.openstack.org/api-guide/compute/microversions.html","rel":"help"}],"description":"Version 1.99 was requested but the minor version is not supported by this service. The supported version range is: [container-infra 1.1, container-infra 1.14]."}]}`,
	}, {
		name: "minor out of range without JSON accepted", path: "/v1/clusters", version: "container-infra 1.0", wantHeaders: true,
		wantBody: `{"errors":[{"code":"magnum.microversion-unsupported","title":"Requested microversion is unsupported","max_version":"1.14","min_version":"1.1","links":[{"href":"http://docs.openstack.org/api-guide/compute/microversions.html","rel":"help"}]}]}`,
	}, {
		name: "major mismatch", path: "/v1", version: "container-infra 2.0", accept: json, wantHeaders: true,
		wantBody: `{"errors":[{"code":"magnum.microversion-unsupported","title":"Requested microversion is unsupported","max_version":"1.14","min_version":"1.1","links":[{"href":"http://docs.openstack.org/api-guide/compute/microversions.html","rel":"help"}],"description":"Mutually exclusive versions requested. Version 2.0 requested but not supported by this service.The supported version range is: [container-infra 1.1, container-infra 1.14]."}]}`,
	}, {
		name: "nodegroups before 1.9", path: "/v1/clusters/x/nodegroups/y", version: "container-infra 1.8", accept: json,
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"Not Acceptable","detail":"Version 1.8 was requested but the requested API get_one is not supported for this version.","links":[]}]}`,
	}, {
		name: "nodegroups before 1.9 without JSON", path: "/v1/clusters/x/nodegroups", version: "container-infra 1.8",
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"","detail":"","links":[]}]}`,
	}, {
		name: "resize before 1.7", path: "/v1/clusters/x/actions/resize", method: "POST", version: "container-infra 1.6", accept: json,
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"Not Acceptable","detail":"Version 1.6 was requested but the requested API resize is not supported for this version.","links":[]}]}`,
	}, {
		name: "upgrade before 1.7", path: "/v1/clusters/x/actions/upgrade", method: "POST", version: "container-infra 1.6", accept: json,
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"Not Acceptable","detail":"Version 1.6 was requested but the requested API upgrade is not supported for this version.","links":[]}]}`,
	}, {
		name: "bays from 1.11", path: "/v1/bays", version: "container-infra 1.11", accept: json,
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"Not Acceptable","detail":"Version 1.11 was requested but the requested API get_all is not supported for this version.","links":[]}]}`,
	}, {
		name: "baymodels from 1.11", path: "/v1/baymodels", method: "POST", version: "container-infra latest", accept: json,
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"Not Acceptable","detail":"Version 1.14 was requested but the requested API post is not supported for this version.","links":[]}]}`,
	}, {
		name: "credentials before 1.12", path: "/v1/credentials/x", method: "PATCH", version: "container-infra 1.11", accept: json,
		wantBody: `{"errors":[{"request_id":"","code":"","status":406,"title":"Not Acceptable","detail":"Version 1.11 was requested but the requested API patch is not supported for this version.","links":[]}]}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			r := do(t, srv, call{method: method, path: tt.path, body: "{}",
				header: map[string]string{hdrVersion: tt.version, "Accept": tt.accept}})
			require.Equal(t, http.StatusNotAcceptable, r.status, r.raw)
			assert.JSONEq(t, tt.wantBody, r.raw)
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			if tt.wantHeaders {
				assert.Equal(t, "container-infra 1.1", r.header.Get(hdrMin))
				assert.Equal(t, "container-infra 1.14", r.header.Get(hdrMax))
				assert.Equal(t, hdrVersion, r.header.Get("Vary"))
			} else {
				assert.Empty(t, r.header.Get(hdrVersion))
				assert.Empty(t, r.header.Get(hdrMin))
				assert.Empty(t, r.header.Get(hdrMax))
			}
		})
	}
}

func TestMicroversionGatedBehaviour(t *testing.T) {
	srv := newServer(t, newService(t))
	v := func(s string) map[string]string { return map[string]string{hdrVersion: "container-infra " + s} }

	r := do(t, srv, call{method: "POST", path: "/v1/clusters/x/actions/upgrade", body: `{"cluster_template": "t"}`, header: v("1.7")})
	require.Equal(t, http.StatusBadRequest, r.status, r.raw)
	assert.Equal(t, "Cluster upgrade is not supported in the provided microversion.", errorOf(t, r)["detail"])
	assert.Equal(t, "container-infra 1.7", r.header.Get(hdrVersion), "a controller error carries the headers")

	r = do(t, srv, call{method: "POST", path: "/v1/clusters/x/actions/resize", body: `{"node_count": 0}`, header: v("1.9")})
	require.Equal(t, http.StatusBadRequest, r.status, r.raw)
	assert.Equal(t, "Resizing a nodegroup to zero is not supported in the provided microversion.", errorOf(t, r)["detail"])

	r = do(t, srv, call{method: "POST", path: "/v1/clusters/x/actions/resize", body: `{"node_count": 0}`, header: v("1.10")})
	require.Equal(t, http.StatusNotFound, r.status, "past the version check: the cluster is missing: %s", r.raw)

	r = do(t, srv, call{method: "GET", path: "/v1/bays", header: v("1.10")})
	require.Equal(t, http.StatusOK, r.status, r.raw)
	assert.Equal(t, map[string]any{"bays": []any{}}, r.body)
}

func TestVersionDocuments(t *testing.T) {
	srv := newServer(t, newService(t))
	host := srv.URL

	r := do(t, srv, call{method: "GET", path: "/"})
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"name": "OpenStack Magnum API",
		"description": "Magnum is an OpenStack project which aims to provide container cluster management.",
		"versions": [{"id": "v1", "status": "CURRENT", "min_version": "1.1", "max_version": "1.14",
		              "links": [{"href": "`+host+`/v1/", "rel": "self"}]}]}`, r.raw)
	assert.Empty(t, r.header.Get(hdrVersion), "the root document has no version headers")
	assert.Empty(t, r.header.Get(hdrMax))

	for _, path := range []string{"/v1", "/v1/"} {
		r := do(t, srv, call{method: "GET", path: path})
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "container-infra 1.1", r.header.Get(hdrVersion))
		assert.Equal(t, "v1", r.body["id"])
		assert.Equal(t, []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.magnum.v1+json"}}, r.body["media_types"])
		assert.Equal(t, []any{
			map[string]any{"href": host + "/v1/", "rel": "self"},
			map[string]any{"href": "http://docs.openstack.org/developer/magnum/dev/api-spec-v1.html", "rel": "describedby", "type": "text/html"},
		}, r.body["links"])
		for _, c := range []string{"baymodels", "bays", "clustertemplates", "clusters", "quotas", "certificates", "mservices", "stats", "federations"} {
			assert.Equal(t, []any{
				map[string]any{"href": host + "/v1/" + c + "/", "rel": "self"},
				map[string]any{"href": host + "/" + c + "/", "rel": "bookmark"},
			}, r.body[c], c)
		}
		assert.Equal(t, []any{
			map[string]any{"href": host + "/v1/clusters/{cluster_id}/nodegroups", "rel": "self"},
			map[string]any{"href": host + "/clusters/{cluster_id}/nodegroups", "rel": "bookmark"},
		}, r.body["nodegroups"])
	}

	r = do(t, srv, call{method: "GET", path: "/healthcheck"})
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "OK", r.raw)
}

func TestPublicRoutesNeedNoIdentity(t *testing.T) {
	srv := newServer(t, newService(t), withAuth(noIdentity))
	for _, path := range []string{"/", "/v1", "/v1/", "/healthcheck"} {
		r := do(t, srv, call{method: "GET", path: path})
		assert.Equal(t, http.StatusOK, r.status, path)
	}
	r := do(t, srv, call{method: "GET", path: "/v1/clusters"})
	require.Equal(t, http.StatusUnauthorized, r.status)
	assert.JSONEq(t, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`, r.raw)
	assert.NotEmpty(t, r.header.Get("WWW-Authenticate"))
	r = do(t, srv, call{method: "GET", path: "/v1/nowhere"})
	assert.Equal(t, http.StatusUnauthorized, r.status, "authentication comes before routing, as keystonemiddleware is in front")
}
