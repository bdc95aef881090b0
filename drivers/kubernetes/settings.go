package kubernetes

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
)

// Ports of the Kubernetes API.
const (
	securePort   = 6443
	insecurePort = 8080
)

// settings are the values a cluster's stacks are computed from.
type settings struct {
	labels  clusterstack.Values
	network string
	podCIDR string
	dnsIP   string
	tls     bool
}

var (
	// labelKey and labelValue are Kubernetes' syntax for node labels.
	labelKey   = regexp.MustCompile(`^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	labelValue = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$`)
	effects    = map[string]bool{"NoSchedule": true, "PreferNoSchedule": true, "NoExecute": true}
)

// resolve computes the settings of a cluster, or of one of its node
// groups when ng is not nil (its labels then win over the cluster's).
func resolve(c drivers.Cluster, ng *drivers.NodeGroup) (settings, error) {
	layers := []map[string]string{c.Template.Labels, c.Labels}
	if ng != nil {
		layers = append(layers, ng.Labels)
	}
	labels, err := Labels.Resolve(layers...)
	if err != nil {
		return settings{}, err
	}
	s := settings{labels: labels, network: c.Template.NetworkDriver, tls: !c.Template.TLSDisabled}
	if s.network == "" {
		s.network = NetworkDrivers[0]
	}
	s.podCIDR = labels.String("flannel_network_cidr")
	if s.network == "calico" {
		s.podCIDR = labels.String("calico_ipv4pool")
	}
	if s.dnsIP, err = dnsServiceIP(labels.String("service_cluster_ip_range"), s.podCIDR); err != nil {
		return settings{}, err
	}
	if c.Template.VolumeDriver == "cinder" && !labels.Bool("cloud_provider_enabled") {
		//lint:ignore ST1005 Magnum's message, verbatim
		return settings{}, fmt.Errorf(`%w: "cinder" volume driver needs "cloud_provider_enabled" label to be true or unset.`, drivers.ErrInvalid)
	}
	if lo, hi := labels.String("min_node_count"), labels.String("max_node_count"); lo != "" && hi != "" && labels.Int("min_node_count") > labels.Int("max_node_count") {
		return settings{}, fmt.Errorf("%w: label min_node_count %s is above max_node_count %s", drivers.ErrInvalid, lo, hi)
	}
	return s, nil
}

// dnsServiceIP returns the tenth address of the service network, which the
// cluster DNS service takes, after checking that the service and pod
// networks do not overlap.
func dnsServiceIP(services, pods string) (string, error) {
	sp, err := netip.ParsePrefix(services)
	if err != nil || !sp.Addr().Is4() || sp.Bits() > 28 {
		return "", fmt.Errorf("%w: service_cluster_ip_range %q must be an IPv4 network of at least 16 addresses", drivers.ErrInvalid, services)
	}
	if pp, err := netip.ParsePrefix(pods); err == nil && pp.Overlaps(sp) {
		return "", fmt.Errorf("%w: the pod network %s overlaps service_cluster_ip_range %s", drivers.ErrInvalid, pods, services)
	}
	a := sp.Masked().Addr().As4()
	a[3] += 10
	return netip.AddrFrom4(a).String(), nil
}

// apiPort is the port users reach the API on: 6443, or Magnum's insecure
// 8080 when the template disables TLS.
func (s settings) apiPort(t drivers.Template) int {
	switch {
	case !s.tls:
		return insecurePort
	case t.APIServerPort > 0:
		return t.APIServerPort
	}
	return securePort
}

// nodeLabels renders a node group's node labels as the kubelet's
// --node-labels list.
func nodeLabels(ng drivers.NodeGroup) (string, error) {
	keys := make([]string, 0, len(ng.NodeLabels))
	for k, v := range ng.NodeLabels {
		if !labelKey.MatchString(k) || !labelValue.MatchString(v) {
			return "", fmt.Errorf("%w: node group %s: node label %s=%q is not a valid Kubernetes label", drivers.ErrInvalid, ng.Name, k, v)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + "=" + ng.NodeLabels[k]
	}
	return strings.Join(out, ","), nil
}

// nodeTaints renders a node group's taints as key=value:Effect entries.
func nodeTaints(ng drivers.NodeGroup) (string, error) {
	out := make([]string, 0, len(ng.NodeTaints))
	for _, t := range ng.NodeTaints {
		if !labelKey.MatchString(t.Key) || !labelValue.MatchString(t.Value) || !effects[t.Effect] {
			return "", fmt.Errorf("%w: node group %s: taint %s=%s:%s is not a valid Kubernetes taint", drivers.ErrInvalid, ng.Name, t.Key, t.Value, t.Effect)
		}
		out = append(out, t.Key+"="+t.Value+":"+t.Effect)
	}
	return strings.Join(out, ","), nil
}

// nodeCounts returns the autoscaler's bounds for the default workers.
func nodeCounts(labels clusterstack.Values, worker drivers.NodeGroup) (lo, hi string) {
	lo, hi = labels.String("min_node_count"), labels.String("max_node_count")
	if lo == "" {
		lo = strconv.Itoa(worker.MinNodeCount)
	}
	if hi == "" {
		if worker.MaxNodeCount != nil {
			hi = strconv.Itoa(*worker.MaxNodeCount)
		} else {
			hi = strconv.Itoa(worker.NodeCount + 1)
		}
	}
	return lo, hi
}
