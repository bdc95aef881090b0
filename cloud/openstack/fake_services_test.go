package openstack_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The fake Glance v2, Nova v2.1, Neutron v2.0 and Octavia v2.

// ---- Glance

func (f *fakeCloud) glanceRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		versions(w, http.StatusMultipleChoices, baseURL(r), "v2.16", "v2.15", "v2.9")
	})
	mux.HandleFunc("GET /v2/images", f.listImages)
	mux.HandleFunc("GET /v2/images/{id}", f.getImage)
}

// imageVisible tells whether the session may see img: public and
// community images, the project's own, and every image for admins.
func (f *fakeCloud) imageVisible(r *http.Request, img object) bool {
	v := img["visibility"]
	return v == "public" || v == "community" || img["owner"] == f.session(r).project || f.isAdmin(r)
}

// listImages leaves out community and hidden images, as Glance's default
// listing does, and pages with limit_param_default = pageSize.
func (f *fakeCloud) listImages(w http.ResponseWriter, r *http.Request) {
	var listed []object
	for _, img := range f.fx.Images {
		if f.imageVisible(r, img) && img["visibility"] != "community" && img["os_hidden"] != true &&
			matches(img, r, "limit", "marker") {
			listed = append(listed, img)
		}
	}
	pg, more := page(listed, r, f.pageSize)
	body := object{"images": pg, "schema": "/v2/schemas/images", "first": r.URL.RequestURI()}
	if more {
		body["next"] = nextURL("", r, pg[len(pg)-1], f.pageSize) // Glance's links are relative
	}
	if pg == nil {
		body["images"] = []object{}
	}
	writeJSON(w, http.StatusOK, body)
}

func (f *fakeCloud) getImage(w http.ResponseWriter, r *http.Request) {
	img := find(f.fx.Images, "id", r.PathValue("id"))
	if img == nil || !f.imageVisible(r, img) {
		glanceError(w, http.StatusNotFound, "", "No image found with ID "+r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, img)
}

// ---- Nova

func (f *fakeCloud) novaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v2.1/flavors/detail", f.listFlavors)
	mux.HandleFunc("GET /v2.1/os-keypairs/{name}", f.getKeypair)
}

func (f *fakeCloud) listFlavors(w http.ResponseWriter, r *http.Request) {
	pg, more := page(f.fx.Flavors, r, f.pageSize)
	body := object{"flavors": pg}
	if more {
		body["flavors_links"] = []object{{"rel": "next", "href": nextURL(baseURL(r), r, pg[len(pg)-1], f.pageSize)}}
	}
	writeJSON(w, http.StatusOK, body)
}

// microversion returns the compute microversion a request asks for
// (2.1 when none).
func microversion(r *http.Request) (major, minor int) {
	v := r.Header.Get("X-OpenStack-Nova-API-Version")
	if h := r.Header.Get("OpenStack-API-Version"); strings.HasPrefix(h, "compute ") {
		v = strings.TrimPrefix(h, "compute ")
	}
	if v == "" {
		return 2, 1
	}
	a, b, _ := strings.Cut(v, ".")
	major, _ = strconv.Atoi(a)
	minor, _ = strconv.Atoi(b)
	return major, minor
}

// getKeypair shows a keypair of the token's user or, from microversion
// 2.10, of the user_id asked for; only admins may read other users'.
func (f *fakeCloud) getKeypair(w http.ResponseWriter, r *http.Request) {
	user := f.session(r).user
	if major, minor := microversion(r); r.URL.Query().Get("user_id") != "" && (major > 2 || major == 2 && minor >= 10) {
		user = r.URL.Query().Get("user_id")
	}
	if user != f.session(r).user && !f.isAdmin(r) {
		novaError(w, http.StatusForbidden, "", "Policy doesn't allow os_compute_api:os-keypairs:show to be performed.")
		return
	}
	name := r.PathValue("name")
	for _, kp := range f.fx.Keypairs {
		if kp["name"] == name && kp["user_id"] == user {
			writeJSON(w, http.StatusOK, object{"keypair": kp})
			return
		}
	}
	novaError(w, http.StatusNotFound, "", fmt.Sprintf("Keypair %s not found for user %s", name, user))
}

// ---- Neutron

func (f *fakeCloud) neutronRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		versions(w, http.StatusOK, baseURL(r), "v2.0")
	})
	f.neutronCollection(mux, "networks", "network", "NetworkNotFound", "Network", &f.fx.Networks)
	f.neutronCollection(mux, "subnets", "subnet", "SubnetNotFound", "Subnet", &f.fx.Subnets)
	f.neutronCollection(mux, "floatingips", "floatingip", "FloatingIPNotFound", "Floating IP", &f.fx.FloatingIPs)
	mux.HandleFunc("DELETE /v2.0/floatingips/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if find(f.fx.FloatingIPs, "id", id) == nil {
			neutronError(w, http.StatusNotFound, "FloatingIPNotFound", "Floating IP "+id+" could not be found.")
			return
		}
		f.fx.FloatingIPs = slices.DeleteFunc(f.fx.FloatingIPs, func(o object) bool { return o["id"] == id })
		w.WriteHeader(http.StatusNoContent)
	})
}

// neutronCollection serves the list (filtered on any attribute, all in
// one page as Neutron does without a limit) and show of a resource.
func (f *fakeCloud) neutronCollection(mux *http.ServeMux, plural, singular, notFound, label string, objs *[]object) {
	mux.HandleFunc("GET /v2.0/"+plural, func(w http.ResponseWriter, r *http.Request) {
		out := []object{}
		for _, o := range *objs {
			if matches(o, r, "fields") {
				out = append(out, o)
			}
		}
		writeJSON(w, http.StatusOK, object{plural: out})
	})
	mux.HandleFunc("GET /v2.0/"+plural+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		o := find(*objs, "id", r.PathValue("id"))
		if o == nil {
			neutronError(w, http.StatusNotFound, notFound, label+" "+r.PathValue("id")+" could not be found.")
			return
		}
		writeJSON(w, http.StatusOK, object{singular: o})
	})
}

// ---- Octavia

func (f *fakeCloud) octaviaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		versions(w, http.StatusOK, baseURL(r), "v2.27", "v2.0")
	})
	mux.HandleFunc("GET /v2.0/lbaas/loadbalancers", f.listLoadBalancers)
	mux.HandleFunc("DELETE /v2.0/lbaas/loadbalancers/{id}", f.deleteLoadBalancer)
}

// listLoadBalancers is also the fake's clock: each list brings the load
// balancers being deleted one step closer to gone.
func (f *fakeCloud) listLoadBalancers(w http.ResponseWriter, r *http.Request) {
	if !r.URL.Query().Has("marker") {
		f.advanceDeletes()
	}
	pg, more := page(f.fx.LoadBalancers, r, f.pageSize)
	body := object{"loadbalancers": pg, "loadbalancers_links": []object{}}
	if pg == nil {
		body["loadbalancers"] = []object{}
	}
	if more {
		body["loadbalancers_links"] = []object{{"rel": "next", "href": nextURL(baseURL(r), r, pg[len(pg)-1], f.pageSize)}}
	}
	writeJSON(w, http.StatusOK, body)
}

func (f *fakeCloud) advanceDeletes() {
	for id, left := range f.lbPolls {
		switch {
		case left == 0:
			f.fx.LoadBalancers = slices.DeleteFunc(f.fx.LoadBalancers, func(o object) bool { return o["id"] == id })
			delete(f.lbPolls, id)
		case left > 0:
			f.lbPolls[id] = left - 1
		}
	}
}

// deleteLoadBalancer refuses a load balancer in a PENDING_* state (409)
// and one with children unless cascade=true (400), as Octavia does.
func (f *fakeCloud) deleteLoadBalancer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	lb := find(f.fx.LoadBalancers, "id", id)
	if lb == nil || lb["provisioning_status"] == "DELETED" {
		octaviaError(w, http.StatusNotFound, "", "Load Balancer "+id+" not found.")
		return
	}
	if st := lb["provisioning_status"].(string); strings.HasPrefix(st, "PENDING_") {
		octaviaError(w, http.StatusConflict, "", "Invalid state "+st+" of loadbalancer resource "+id)
		return
	}
	if children, _ := lb["listeners"].([]any); len(children) > 0 && r.URL.Query().Get("cascade") != "true" {
		octaviaError(w, http.StatusBadRequest, "", "Cannot delete Load Balancer "+id+" - it has children")
		return
	}
	lb["provisioning_status"], lb["operating_status"] = "PENDING_DELETE", "OFFLINE"
	f.lbPolls[id] = f.deleteLBAfter
	w.WriteHeader(http.StatusNoContent)
}

// loadBalancer returns the provisioning status of load balancer id, ""
// when it is gone.
func (f *fakeCloud) loadBalancerStatus(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if lb := find(f.fx.LoadBalancers, "id", id); lb != nil {
		return lb["provisioning_status"].(string)
	}
	return ""
}

// floatingIP reports whether floating IP id still exists.
func (f *fakeCloud) floatingIP(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return find(f.fx.FloatingIPs, "id", id) != nil
}
