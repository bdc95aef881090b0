package clusterstack

import (
	"embed"
	"encoding/base64"
	"fmt"
	"maps"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
)

// NodeEnv are the per-node values NodeTemplate substitutes into the boot
// configs boot-master and boot-worker.
var NodeEnv = []string{"NODE_NAME", "WAIT_CURL", "PRIMARY_ADDRESS", "MASTERS", "API_PUBLIC_ADDRESS", "API_ADDRESS", "CA_CERT", "DOCKER_VOLUME"}

// Ports are the ports a ClusterTemplate stack opens.
type Ports struct {
	// API is the COE's API port on the masters, behind the load balancer.
	API int
	// Extra is a second public port of the masters (0 for none), also
	// behind the load balancer.
	Extra int
	// WorkerMin and WorkerMax bound the public ports of the workers.
	WorkerMin, WorkerMax int
}

// InternalCIDR returns the addresses the security groups trust as the
// cluster's nodes: the private subnet the stack creates, the label
// fixed_subnet_cidr of an existing network, or anything when the CIDR of
// an existing network is not known.
func InternalCIDR(c drivers.Cluster, layers ...map[string]string) string {
	explicit := ""
	for _, l := range layers {
		if v := l["fixed_subnet_cidr"]; v != "" {
			explicit = v
		}
	}
	switch {
	case explicit != "":
		return explicit
	case FixedNetwork(c) != "":
		return "0.0.0.0/0"
	}
	return DefaultSubnetCIDR
}

// BasicParams returns the parameters of a ClusterTemplate stack; caCert is
// the base64 of the cluster CA's PEM. The stack is the cluster's when
// worker is the default worker group, else the node-group stack of worker.
func BasicParams(c drivers.Cluster, labels Values, master, worker drivers.NodeGroup, p Ports, caCert string) map[string]any {
	params := Common(c, labels, worker.IsDefault)
	maps.Copy(params, map[string]any{
		"is_cluster_stack":            worker.IsDefault,
		"internal_cidr":               InternalCIDR(c, c.Template.Labels, c.Labels, worker.Labels),
		"api_port":                    p.API,
		"extra_port":                  p.Extra,
		"worker_port_min":             p.WorkerMin,
		"worker_port_max":             p.WorkerMax,
		"master_flavor":               Flavor(c, master),
		"master_image":                Image(c, master),
		"number_of_masters":           master.NodeCount,
		"number_of_secondary_masters": master.NodeCount - 1,
		"master_docker_volume_size":   DockerVolumeSize(c, master),
		"node_flavor":                 Flavor(c, worker),
		"node_image":                  Image(c, worker),
		"number_of_nodes":             worker.NodeCount,
		"docker_volume_size":          DockerVolumeSize(c, worker),
		"docker_volume_type":          labels.String("docker_volume_type"),
		"availability_zone":           labels.String("availability_zone"),
		"ca_cert":                     caCert,
	})
	return params
}

// BasicOutputs reads a ClusterTemplate stack: the raw API address and the
// addresses and counts of the default master and worker groups.
func BasicOutputs(c drivers.Cluster, s drivers.StackState) (apiAddress string, groups map[string]drivers.NodeGroupOutputs, err error) {
	master, worker, err := Defaults(c)
	if err != nil {
		return "", nil, err
	}
	f := c.FloatingIPEnabled
	var m, w drivers.NodeGroupOutputs
	m.NodeAddresses = append(Addresses(s.Outputs, "masters", "masters_private", f),
		Addresses(s.Outputs, "secondary_masters", "secondary_masters_private", f)...)
	w.NodeAddresses = Addresses(s.Outputs, "nodes", "nodes_private", f)
	if m.NodeCount, err = Count(s.Parameters, "number_of_masters"); err != nil {
		return "", nil, err
	}
	if w.NodeCount, err = Count(s.Parameters, "number_of_nodes"); err != nil {
		return "", nil, err
	}
	return String(s.Outputs["api_address"]), map[string]drivers.NodeGroupOutputs{master.UUID: m, worker.UUID: w}, nil
}

// BasicGroupOutputs reads the node-group stack of an extra group: the
// addresses and count of its workers.
func BasicGroupOutputs(c drivers.Cluster, ng drivers.NodeGroup, s drivers.StackState) (map[string]drivers.NodeGroupOutputs, error) {
	g := drivers.NodeGroupOutputs{NodeAddresses: Addresses(s.Outputs, "nodes", "nodes_private", c.FloatingIPEnabled)}
	var err error
	if g.NodeCount, err = Count(s.Parameters, "number_of_nodes"); err != nil {
		return nil, err
	}
	return map[string]drivers.NodeGroupOutputs{ng.UUID: g}, nil
}

// BasicResize returns the parameters that resize the workers of a
// ClusterTemplate stack.
func BasicResize(c drivers.Cluster, r drivers.Resize) (map[string]any, error) {
	if _, err := Resize(c, r); err != nil {
		return nil, err
	}
	return map[string]any{"number_of_nodes": r.NodeCount, "nodes_to_remove": strings.Join(r.NodesToRemove, ",")}, nil
}

// ValidateBasic checks a cluster of a ClusterTemplate driver: its
// template, node groups and labels, and returns the resolved labels.
func ValidateBasic(c drivers.Cluster, coe string, labels LabelSet, networkDrivers, volumeDrivers []string) (Values, error) {
	if err := Template(c.Template, coe, networkDrivers, volumeDrivers); err != nil {
		return nil, err
	}
	if err := Cluster(c); err != nil {
		return nil, err
	}
	return labels.Resolve(c.Template.Labels, c.Labels)
}

// StackLabels checks a cluster of a ClusterTemplate driver about to get a
// stack, and returns the labels its nodes are built with: the cluster's,
// with those of the extra node group ng over them when ng is not nil. A
// cluster with TLS needs its CA certificate in its boot data.
func StackLabels(c drivers.Cluster, ng *drivers.NodeGroup, coe string, labels LabelSet, networkDrivers, volumeDrivers []string) (Values, error) {
	v, err := ValidateBasic(c, coe, labels, networkDrivers, volumeDrivers)
	if err != nil {
		return nil, err
	}
	if ng != nil {
		if v, err = labels.Resolve(c.Template.Labels, c.Labels, ng.Labels); err != nil {
			return nil, err
		}
	}
	if !c.Template.TLSDisabled && c.Boot.CACert == "" {
		return nil, fmt.Errorf("%w: cluster %s has no CA certificate in its boot data", drivers.ErrInvalid, c.UUID)
	}
	return v, nil
}

// BasicStack assembles a ClusterTemplate stack from the boot configs of
// the masters and the workers.
func BasicStack(c drivers.Cluster, labels Values, p Ports, bootMaster, bootWorker []byte) (drivers.Stack, error) {
	master, worker, err := Defaults(c)
	if err != nil {
		return drivers.Stack{}, err
	}
	return basicStack(c, labels, p, master, worker, bootMaster, bootWorker)
}

// BasicNodeGroupStack assembles the ClusterTemplate stack of an extra
// worker group ng: its workers only, on the network of the cluster's
// stack, finding the masters through the cluster's API address. The boot
// configs are the cluster's, so its workers join as the default group's do.
func BasicNodeGroupStack(c drivers.Cluster, ng drivers.NodeGroup, labels Values, p Ports, bootMaster, bootWorker []byte) (drivers.Stack, error) {
	if ng.Role == RoleMaster {
		return drivers.Stack{}, fmt.Errorf("%w: node groups of role master cannot be added to cluster %s", drivers.ErrNotSupported, c.UUID)
	}
	if err := counts(ng); err != nil {
		return drivers.Stack{}, err
	}
	master, err := DefaultGroup(c, RoleMaster)
	if err != nil {
		return drivers.Stack{}, err
	}
	host := APIHost(c.APIAddress)
	if host == "" {
		return drivers.Stack{}, fmt.Errorf("%w: cluster %s has no API address yet", drivers.ErrInvalid, c.UUID)
	}
	ng.IsDefault = false
	st, err := basicStack(c, labels, p, master, ng, bootMaster, bootWorker)
	if err != nil {
		return drivers.Stack{}, err
	}
	st.Parameters["existing_api_address"] = host
	return st, nil
}

// basicStack assembles a ClusterTemplate stack whose workers are worker.
func basicStack(c drivers.Cluster, labels Values, p Ports, master, worker drivers.NodeGroup, bootMaster, bootWorker []byte) (drivers.Stack, error) {
	files, err := Files(embed.FS{}, "", NodeTemplate, NetworkTemplate, APILBTemplate)
	if err != nil {
		return drivers.Stack{}, err
	}
	top, err := hotFS.ReadFile("hot/" + ClusterTemplate)
	if err != nil {
		return drivers.Stack{}, fmt.Errorf("read templates: %w", err)
	}
	files[BootMaster], files[BootWorker] = string(bootMaster), string(bootWorker)
	return drivers.Stack{
		Template:   top,
		Files:      files,
		Parameters: BasicParams(c, labels, master, worker, p, base64.StdEncoding.EncodeToString([]byte(c.Boot.CACert))),
	}, nil
}
