package sim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// coeAPI answers one request to a simulated COE API from the cluster's
// nodes. It is called only while a master is ready.
type coeAPI func(w http.ResponseWriter, r *http.Request, nodes []COENode)

// apiOf returns the API a simulated cluster answers on a port, nil for a
// port no COE serves: the ports of Magnum's drivers.
func apiOf(port string) coeAPI {
	switch port {
	case "6443":
		return kubernetesAPI
	case "2375", "2376":
		return dockerAPI
	case "5050":
		return mesosAPI
	}
	return nil
}

// serveAPI answers a request that came through a tunnel: with TLS only to
// a verified client certificate, and only while one of the servers behind
// the address is ready (else the API is down: 503).
func (p *COEProxy) serveAPI(w http.ResponseWriter, r *http.Request) {
	t, _ := r.Context().Value(tunnelKey{}).(target)
	if r.TLS != nil && len(r.TLS.VerifiedChains) == 0 {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure",
			"message": "Unauthorized", "reason": "Unauthorized", "code": http.StatusUnauthorized})
		return
	}
	nodes, err := p.cloud.COENodes(r.Context(), t.host)
	if err != nil || !anyMasterReady(nodes) {
		http.Error(w, "the API server does not answer", http.StatusServiceUnavailable)
		return
	}
	apiOf(t.port)(w, r, nodes)
}

func anyMasterReady(nodes []COENode) bool {
	for _, n := range nodes {
		if n.Master && n.Ready {
			return true
		}
	}
	return false
}

// kubernetesAPI answers /healthz (and /livez, /readyz) and the node list
// of the Kubernetes API, every server of the cluster being a node, as
// kubelets register them; a node that is not ready shows as a kubelet that
// stopped posting its status does.
func kubernetesAPI(w http.ResponseWriter, r *http.Request, nodes []COENode) {
	switch r.URL.Path {
	case "/healthz", "/livez", "/readyz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	case "/api/v1/nodes":
		items := make([]map[string]any, 0, len(nodes))
		for _, n := range nodes {
			items = append(items, kubeNode(n))
		}
		writeJSON(w, http.StatusOK, map[string]any{"kind": "NodeList", "apiVersion": "v1", "metadata": map[string]any{}, "items": items})
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure",
			"message": "the server could not find the requested resource", "reason": "NotFound", "code": http.StatusNotFound})
	}
}

func kubeNode(n COENode) map[string]any {
	ready := map[string]any{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}
	if !n.Ready {
		ready = map[string]any{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status."}
	}
	labels := map[string]string{"kubernetes.io/hostname": n.Name}
	if n.Master {
		labels["node-role.kubernetes.io/master"] = ""
	}
	return map[string]any{
		"metadata": map[string]any{"name": n.Name, "labels": labels},
		"status": map[string]any{
			"conditions": []any{ready},
			"addresses":  []any{map[string]string{"type": "InternalIP", "address": n.Address}, map[string]string{"type": "Hostname", "address": n.Name}},
		},
	}
}

// dockerVersion matches the version prefix of a Docker API path.
var dockerVersion = regexp.MustCompile(`^/v[0-9]+\.[0-9]+/`)

// dockerAPI answers /_ping, /info and /nodes of a swarm manager's Docker
// API: the masters are managers, the other servers workers.
func dockerAPI(w http.ResponseWriter, r *http.Request, nodes []COENode) {
	path := r.URL.Path
	if loc := dockerVersion.FindStringIndex(path); loc != nil {
		path = path[loc[1]-1:]
	}
	switch path {
	case "/_ping":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("OK"))
	case "/info":
		managers := 0
		for _, n := range nodes {
			if n.Master {
				managers++
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"Swarm": map[string]any{
			"LocalNodeState": "active", "ControlAvailable": true, "Nodes": len(nodes), "Managers": managers,
		}})
	case "/nodes":
		out := make([]map[string]any, 0, len(nodes))
		for _, n := range nodes {
			out = append(out, swarmNode(n))
		}
		writeJSON(w, http.StatusOK, out)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "page not found"})
	}
}

func swarmNode(n COENode) map[string]any {
	role, state := "worker", "down"
	if n.Master {
		role = "manager"
	}
	if n.Ready {
		state = "ready"
	}
	return map[string]any{
		"ID":          n.ServerID,
		"Description": map[string]any{"Hostname": n.Name},
		"Spec":        map[string]any{"Role": role, "Availability": "active"},
		"Status":      map[string]any{"State": state, "Addr": n.Address},
	}
}

// mesosAPI answers /health and /master/state of a Mesos master: the
// masters elect a ready one as leader, the other servers are agents.
func mesosAPI(w http.ResponseWriter, r *http.Request, nodes []COENode) {
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/health":
		w.WriteHeader(http.StatusOK)
	case "/master/state":
		leader := ""
		agents := []map[string]any{}
		for _, n := range nodes {
			switch {
			case n.Master && n.Ready && leader == "":
				leader = "master@" + n.Address + ":5050"
			case !n.Master:
				agents = append(agents, map[string]any{"id": n.ServerID + "-S0", "hostname": n.Name, "active": n.Ready})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"leader": leader, "slaves": agents})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
