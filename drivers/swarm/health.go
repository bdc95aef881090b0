package swarm

import (
	"context"
	"fmt"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/coeapi"
)

// info is the part of GET /info the health check reads.
type info struct {
	Swarm struct {
		LocalNodeState   string `json:"LocalNodeState"`
		ControlAvailable bool   `json:"ControlAvailable"`
		Error            string `json:"Error"`
	} `json:"Swarm"`
}

// node is the part of an entry of GET /nodes the health check reads.
type node struct {
	ID          string `json:"ID"`
	Description struct {
		Hostname string `json:"Hostname"`
	} `json:"Description"`
	Status struct {
		State string `json:"State"`
	} `json:"Status"`
}

// Health asks the swarm's Docker API, with the client certificate of
// creds, for /info and /nodes: HEALTHY when the API answers from an
// active manager and every node is ready, UNHEALTHY otherwise or when the
// API cannot be reached or fails TLS, UNKNOWN when the cluster has no
// public address. The reason holds "api" and "<hostname>.Ready".
func (d *Driver) Health(ctx context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.Health, error) {
	labels, err := Labels.Resolve(c.Template.Labels, c.Labels)
	if err != nil {
		return drivers.Health{}, err
	}
	if !clusterstack.Accessible(c, labels) || c.APIAddress == "" {
		return coeapi.NotAccessible(c.Name), nil
	}
	base, err := httpBase(c)
	if err != nil {
		return drivers.Health{}, err
	}
	client, err := coeapi.ClusterClient(c.UUID, creds, !c.Template.TLSDisabled)
	if err != nil {
		return drivers.Health{}, err
	}
	client.Timeout = d.timeout
	var inf info
	if err := coeapi.GetJSON(ctx, client, base+"/info", &inf); err != nil {
		return coeapi.Failed(ctx, err)
	}
	var nodes []node
	if err := coeapi.GetJSON(ctx, client, base+"/nodes", &nodes); err != nil {
		return coeapi.Failed(ctx, err)
	}
	reason := map[string]string{"api": "ok"}
	if s := inf.Swarm; s.LocalNodeState != "active" || !s.ControlAvailable {
		reason["api"] = strings.TrimSpace(fmt.Sprintf("swarm state %q, manager %t %s", s.LocalNodeState, s.ControlAvailable, s.Error))
	}
	for _, n := range nodes {
		name := n.Description.Hostname
		if name == "" {
			name = n.ID
		}
		ready := "False"
		if n.Status.State == "ready" {
			ready = "True"
		}
		reason[name+".Ready"] = ready
	}
	return coeapi.Verdict(reason, func(k, v string) bool {
		if k == "api" {
			return v == "ok"
		}
		return v == "True"
	}), nil
}

// httpBase turns the tcp:// API address into the URL of the Docker API.
func httpBase(c drivers.Cluster) (string, error) {
	host, ok := strings.CutPrefix(c.APIAddress, "tcp://")
	if !ok || host == "" {
		return "", fmt.Errorf("%w: API address %q is not tcp://host:port", drivers.ErrInvalid, c.APIAddress)
	}
	scheme := "https://"
	if c.Template.TLSDisabled {
		scheme = "http://"
	}
	return scheme + strings.TrimSuffix(host, "/"), nil
}
