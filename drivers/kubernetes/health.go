package kubernetes

import (
	"context"
	"fmt"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/coeapi"
)

// nodeList is the part of GET /api/v1/nodes the health check reads.
type nodeList struct {
	Items []struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Status struct {
			Conditions []struct {
				Type   string `json:"type"`
				Status string `json:"status"`
			} `json:"conditions"`
		} `json:"status"`
	} `json:"items"`
}

// Health asks the cluster's API server, with the client certificate of
// creds, for /healthz and for its nodes: HEALTHY when /healthz says ok and
// every node is Ready, UNHEALTHY otherwise or when the API cannot be
// reached or fails TLS, UNKNOWN when the cluster has no public address.
// With magnum-auto-healer in charge it returns ErrNotSupported: the
// controller reports the health itself.
// The reason holds "api" and "<node>.Ready" for each node.
func (d *Driver) Health(ctx context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.Health, error) {
	s, err := resolve(c, nil)
	if err != nil {
		return drivers.Health{}, err
	}
	if s.labels.Bool("auto_healing_enabled") && s.labels.String("auto_healing_controller") == "magnum-auto-healer" {
		// The auto-healer owns the cluster's health and reports it itself.
		return drivers.Health{}, fmt.Errorf("%w: the health of cluster %s is reported by magnum-auto-healer", drivers.ErrNotSupported, c.Name)
	}
	if !clusterstack.Accessible(c, s.labels) || c.APIAddress == "" {
		return coeapi.NotAccessible(c.Name), nil
	}
	client, err := coeapi.ClusterClient(c.UUID, creds, s.tls)
	if err != nil {
		return drivers.Health{}, err
	}
	client.Timeout = d.timeout
	base := strings.TrimSuffix(c.APIAddress, "/")
	healthz, err := coeapi.Get(ctx, client, base+"/healthz")
	if err != nil {
		return coeapi.Failed(ctx, err)
	}
	var nodes nodeList
	if err := coeapi.GetJSON(ctx, client, base+"/api/v1/nodes", &nodes); err != nil {
		return coeapi.Failed(ctx, err)
	}
	reason := map[string]string{"api": strings.TrimSpace(string(healthz))}
	for _, n := range nodes.Items {
		ready := "False"
		for _, cond := range n.Status.Conditions {
			if cond.Type == "Ready" {
				ready = cond.Status
			}
		}
		reason[n.Metadata.Name+".Ready"] = ready
	}
	return coeapi.Verdict(reason, func(k, v string) bool {
		if k == "api" {
			return v == "ok"
		}
		return v == "True"
	}), nil
}
