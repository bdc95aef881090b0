package kubernetes

import (
	"context"
	"net"
	"strconv"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
)

// MapOutputs reads a node-group stack: the cluster stack sets the API
// address (https://ip:6443, or http://ip:8080 without TLS), the Kubernetes
// version and both default groups; a node-group stack sets its group.
// Addresses are the floating IPs when the cluster has them, else the
// private ones; node counts come from the stack's parameters.
func (d *Driver) MapOutputs(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	out := drivers.Outputs{NodeGroups: map[string]drivers.NodeGroupOutputs{}}
	workers, err := groupOutputs(s, c.FloatingIPEnabled, "number_of_minions", "kube_minions")
	if err != nil {
		return drivers.Outputs{}, err
	}
	if !ng.IsDefault {
		out.NodeGroups[ng.UUID] = workers
		return out, nil
	}
	master, worker, err := clusterstack.Defaults(c)
	if err != nil {
		return drivers.Outputs{}, err
	}
	masters, err := groupOutputs(s, c.FloatingIPEnabled, "number_of_masters", "kube_masters", "kube_secondary_masters")
	if err != nil {
		return drivers.Outputs{}, err
	}
	out.NodeGroups[master.UUID] = masters
	out.NodeGroups[worker.UUID] = workers
	if ip := clusterstack.String(s.Outputs["api_address"]); ip != "" {
		out.APIAddress = apiURL(c.Template, ip)
	}
	out.COEVersion = s.Parameters["kube_tag"]
	return out, nil
}

// groupOutputs reads the addresses of a group from its outputs (each with
// a _private twin) and its count from a parameter.
func groupOutputs(s drivers.StackState, floating bool, countParam string, outputs ...string) (drivers.NodeGroupOutputs, error) {
	var g drivers.NodeGroupOutputs
	for _, o := range outputs {
		g.NodeAddresses = append(g.NodeAddresses, clusterstack.Addresses(s.Outputs, o, o+"_private", floating)...)
	}
	n, err := clusterstack.Count(s.Parameters, countParam)
	if err != nil {
		return g, err
	}
	g.NodeCount = n
	return g, nil
}

// apiURL formats the API address users reach.
func apiURL(t drivers.Template, ip string) string {
	s := settings{tls: !t.TLSDisabled}
	scheme := "https"
	if !s.tls {
		scheme = "http"
	}
	return scheme + "://" + net.JoinHostPort(ip, strconv.Itoa(s.apiPort(t)))
}
