package api

import "net/http"

// versionEntry describes API v1 in the version documents.
type versionEntry struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	MinVersion string `json:"min_version"`
	MaxVersion string `json:"max_version"`
	Links      []link `json:"links"`
}

func v1Entry(host string) versionEntry {
	return versionEntry{ID: "v1", Status: "CURRENT", MinVersion: MinVersion.String(), MaxVersion: MaxVersion.String(),
		Links: []link{{Href: host + "/v1/", Rel: "self"}}}
}

// getRoot serves GET /: the API versions, without version headers. Other
// methods are not allowed, HEAD included, as in Magnum.
func (h *Handler) getRoot(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodOptions:
		writeOptions(w, http.MethodGet)
		return
	default:
		w.Header().Set("Allow", http.MethodGet)
		writeRoutingError(w, r, http.StatusMethodNotAllowed, "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"name":        "OpenStack Magnum API",
		"description": "Magnum is an OpenStack project which aims to provide container cluster management.",
		"versions":    []versionEntry{v1Entry(hostURL(r))},
	})
}

// v1Collections are the collections the v1 document links to.
var v1Collections = []string{"baymodels", "bays", "clustertemplates", "clusters", "quotas", "certificates",
	"mservices", "stats", "federations"}

// getV1 serves GET /v1: the media types and the collections of v1. It
// also carries a "versions" list like the root document's, which
// gophercloud's apiversions.Get reads from /v1/.
func (h *Handler) getV1(w http.ResponseWriter, r *http.Request) {
	host := hostURL(r)
	doc := map[string]any{
		"id":          "v1",
		"media_types": []map[string]string{{"base": "application/json", "type": "application/vnd.openstack.magnum.v1+json"}},
		"links": []link{{Href: host + "/v1/", Rel: "self"},
			{Href: "http://docs.openstack.org/developer/magnum/dev/api-spec-v1.html", Rel: "describedby", Type: "text/html"}},
		"nodegroups": []link{{Href: host + "/v1/clusters/{cluster_id}/nodegroups", Rel: "self"},
			{Href: host + "/clusters/{cluster_id}/nodegroups", Rel: "bookmark"}},
		"versions": []versionEntry{v1Entry(host)},
	}
	for _, c := range v1Collections {
		doc[c] = []link{{Href: host + "/v1/" + c + "/", Rel: "self"}, {Href: host + "/" + c + "/", Rel: "bookmark"}}
	}
	writeJSON(w, http.StatusOK, doc)
}
