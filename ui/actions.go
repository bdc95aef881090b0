package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/magnum"
)

// maxFormBytes bounds the body of a form.
const maxFormBytes = 64 << 10

// maxFormCount bounds the numbers a form may carry (node counts,
// timeouts); the service applies its own, lower limits.
const maxFormCount = 100000

// newClusterData is the create form, with the values sent if it was
// refused.
type newClusterData struct {
	Templates []magnum.ClusterTemplate
	Form      url.Values
}

// Get returns a field of the form, or its default.
func (d *newClusterData) Get(field, def string) string {
	if v, ok := d.Form[field]; ok && len(v) > 0 {
		return v[0]
	}
	return def
}

func (h *Handler) newClusterPage(w http.ResponseWriter, r *http.Request, s *session) {
	h.showNewCluster(w, r, s, http.StatusOK, "", url.Values{"template": {r.URL.Query().Get("template")}})
}

func (h *Handler) showNewCluster(w http.ResponseWriter, r *http.Request, s *session, status int, msg string, form url.Values) {
	ts, err := h.svc.ListClusterTemplates(r.Context(), magnum.ListOptions{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "new", &view{Title: "Create a cluster", Nav: "clusters", Caller: &s.caller, CSRF: s.csrf,
		Error: msg, Data: &newClusterData{Templates: ts, Form: form}})
}

// createCluster creates a cluster from the form and shows its page.
func (h *Handler) createCluster(w http.ResponseWriter, r *http.Request, s *session) {
	req, err := clusterCreateFrom(r.PostForm)
	if err == nil {
		var id string
		if id, err = h.svc.CreateCluster(r.Context(), req); err == nil {
			http.Redirect(w, r, Prefix+"clusters/"+url.PathEscape(id), http.StatusSeeOther)
			return
		}
	}
	status, msg := h.failure(r, err)
	h.showNewCluster(w, r, s, status, msg, r.PostForm)
}

// clusterCreateFrom reads the create form.
func clusterCreateFrom(f url.Values) (magnum.ClusterCreate, error) {
	req := magnum.ClusterCreate{Name: strings.TrimSpace(f.Get("name")), ClusterTemplateID: f.Get("template"),
		Keypair: strings.TrimSpace(f.Get("keypair")), FlavorID: f.Get("flavor_id"),
		MasterFlavorID: f.Get("master_flavor_id"), MergeLabels: f.Get("merge_labels") != ""}
	var err error
	for _, n := range []struct {
		field string
		dst   **int
	}{{"master_count", &req.MasterCount}, {"node_count", &req.NodeCount}, {"create_timeout", &req.CreateTimeout}} {
		if *n.dst, err = optionalCount(f, n.field); err != nil {
			return req, err
		}
	}
	if labels := strings.TrimSpace(f.Get("labels")); labels != "" {
		if req.Labels, err = parseLabels(labels); err != nil {
			return req, err
		}
	}
	return req, nil
}

// optionalCount reads a count that may be left empty.
func optionalCount(f url.Values, field string) (*int, error) {
	v := strings.TrimSpace(f.Get(field))
	if v == "" {
		return nil, nil
	}
	n, err := count(v, field)
	return &n, err
}

// count reads a form's whole number.
func count(v, field string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > maxFormCount {
		return 0, &magnum.Error{Kind: magnum.ErrInvalid,
			Message: fmt.Sprintf("Invalid input for field/attribute %s. Value: '%s'. Enter a whole number from 0 to %d.", field, v, maxFormCount)}
	}
	return n, nil
}

// resizeCluster changes a worker group's node count.
func (h *Handler) resizeCluster(w http.ResponseWriter, r *http.Request, s *session) {
	n, err := count(r.PostForm.Get("node_count"), "node_count")
	if err == nil {
		_, err = h.svc.ResizeCluster(r.Context(), r.PathValue("id"),
			magnum.Resize{NodeCount: n, NodeGroup: r.PostForm.Get("nodegroup")})
	}
	h.afterAction(w, r, s, err)
}

// upgradeCluster moves a cluster to another template.
func (h *Handler) upgradeCluster(w http.ResponseWriter, r *http.Request, s *session) {
	_, err := h.svc.UpgradeCluster(r.Context(), r.PathValue("id"),
		magnum.Upgrade{ClusterTemplate: r.PostForm.Get("template"), NodeGroup: r.PostForm.Get("nodegroup")})
	h.afterAction(w, r, s, err)
}

// deleteCluster starts a cluster's deletion.
func (h *Handler) deleteCluster(w http.ResponseWriter, r *http.Request, s *session) {
	err := h.svc.DeleteCluster(r.Context(), r.PathValue("id"))
	if err == nil {
		http.Redirect(w, r, Prefix+"clusters", http.StatusSeeOther)
		return
	}
	h.afterAction(w, r, s, err)
}

// afterAction shows the cluster's page: after a redirect when the action
// was accepted, with the service's message when it was refused.
func (h *Handler) afterAction(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if err == nil {
		http.Redirect(w, r, Prefix+"clusters/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
		return
	}
	status, msg := h.failure(r, err)
	h.showCluster(w, r, s, status, msg)
}

// maxLabels bounds the labels a form may set.
const maxLabels = 256

// parseLabels reads labels as the openstack CLI takes them:
// key=value,key=value.
func parseLabels(s string) (map[string]string, error) {
	pairs := strings.Split(s, ",")
	if len(pairs) > maxLabels {
		return nil, &magnum.Error{Kind: magnum.ErrInvalid, Message: fmt.Sprintf("At most %d labels may be given.", maxLabels)}
	}
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			return nil, &magnum.Error{Kind: magnum.ErrInvalid,
				Message: fmt.Sprintf("Labels must be key=value pairs separated by commas: %q is not one.", p)}
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, nil
}
