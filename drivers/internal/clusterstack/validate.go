package clusterstack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
)

// NetworkDriver checks a template's network_driver against the drivers a
// COE supports; empty means the default. The message is Magnum's.
func NetworkDriver(driver string, supported []string) error {
	if driver == "" || slices.Contains(supported, driver) {
		return nil
	}
	//lint:ignore ST1005 Magnum's message, verbatim
	return fmt.Errorf("%w: Network driver type %s is not supported, expecting a %s network driver.",
		drivers.ErrInvalid, driver, strings.Join(append(slices.Clone(supported), "unspecified"), "/"))
}

// VolumeDriver checks a template's volume_driver against the drivers a COE
// supports; empty means none. The message is Magnum's.
func VolumeDriver(driver string, supported []string) error {
	if driver == "" || slices.Contains(supported, driver) {
		return nil
	}
	//lint:ignore ST1005 Magnum's message, verbatim
	return fmt.Errorf("%w: Volume driver type %s is not supported, expecting a %s volume driver.",
		drivers.ErrInvalid, driver, strings.Join(append(slices.Clone(supported), "unspecified"), "/"))
}

// ServerType checks a template's server_type; the built-in drivers serve
// virtual machines only.
func ServerType(serverType string) error {
	if serverType == "" || serverType == "vm" {
		return nil
	}
	//lint:ignore ST1005 Magnum's message, verbatim
	return fmt.Errorf("%w: Server type %s is not supported, expecting a vm/unspecified server type.",
		drivers.ErrInvalid, serverType)
}

// Template runs the checks every built-in driver makes on a template.
func Template(t drivers.Template, coe string, networkDrivers, volumeDrivers []string) error {
	if t.COE != "" && t.COE != coe {
		return fmt.Errorf("%w: template is for COE %q, this driver serves %q", drivers.ErrInvalid, t.COE, coe)
	}
	if err := ServerType(t.ServerType); err != nil {
		return err
	}
	if err := NetworkDriver(t.NetworkDriver, networkDrivers); err != nil {
		return err
	}
	if err := VolumeDriver(t.VolumeDriver, volumeDrivers); err != nil {
		return err
	}
	if t.DockerVolumeSize < 0 {
		return fmt.Errorf("%w: docker_volume_size must be at least 0", drivers.ErrInvalid)
	}
	return nil
}

// Cluster runs the checks every built-in driver makes on a cluster: the
// default node groups exist with sane counts, several masters need a load
// balancer (Magnum's rule), an existing network comes with its subnet.
func Cluster(c drivers.Cluster) error {
	master, _, err := Defaults(c)
	if err != nil {
		return err
	}
	if master.NodeCount < 1 {
		return fmt.Errorf("%w: master_count must be at least 1", drivers.ErrInvalid)
	}
	if master.NodeCount > 1 && !c.MasterLBEnabled {
		return fmt.Errorf("%w: master_count must be 1 when master_lb_enabled is False", drivers.ErrInvalid)
	}
	for _, ng := range c.NodeGroups {
		if err := counts(ng); err != nil {
			return err
		}
	}
	if c.UUID == "" {
		return fmt.Errorf("%w: cluster has no UUID", drivers.ErrInvalid)
	}
	if FixedNetwork(c) != "" && FixedSubnet(c) == "" {
		return fmt.Errorf("%w: fixed_subnet is required when fixed_network is given", drivers.ErrInvalid)
	}
	if c.DockerVolumeSize < 0 {
		return fmt.Errorf("%w: docker_volume_size must be at least 0", drivers.ErrInvalid)
	}
	return nil
}

func counts(ng drivers.NodeGroup) error {
	switch {
	case ng.NodeCount < 0:
		return fmt.Errorf("%w: node group %s: node_count must be at least 0", drivers.ErrInvalid, ng.Name)
	case ng.MinNodeCount < 0:
		return fmt.Errorf("%w: node group %s: min_node_count must be at least 0", drivers.ErrInvalid, ng.Name)
	case ng.MaxNodeCount != nil && *ng.MaxNodeCount < ng.MinNodeCount:
		return fmt.Errorf("%w: node group %s: max_node_count %d is below min_node_count %d",
			drivers.ErrInvalid, ng.Name, *ng.MaxNodeCount, ng.MinNodeCount)
	case ng.DockerVolumeSize < 0:
		return fmt.Errorf("%w: node group %s: docker_volume_size must be at least 0", drivers.ErrInvalid, ng.Name)
	}
	return nil
}

// Resize checks a resize of a node group and returns the group. Master
// groups cannot be resized (Magnum's MasterNGResizeNotSupported), and the
// count must lie between the group's minimum and maximum.
func Resize(c drivers.Cluster, r drivers.Resize) (drivers.NodeGroup, error) {
	ng, err := Group(c, r.NodeGroup)
	if err != nil {
		return ng, err
	}
	if ng.Role == RoleMaster {
		//lint:ignore ST1005 Magnum's message, verbatim
		return ng, fmt.Errorf("%w: Resizing a master nodegroup is not supported.", drivers.ErrNotSupported)
	}
	if r.NodeCount < ng.MinNodeCount {
		return ng, fmt.Errorf("%w: Resizing %s to %d nodes goes below its min_node_count %d",
			drivers.ErrInvalid, ng.Name, r.NodeCount, ng.MinNodeCount)
	}
	if ng.MaxNodeCount != nil && r.NodeCount > *ng.MaxNodeCount {
		return ng, fmt.Errorf("%w: Resizing %s to %d nodes goes above its max_node_count %d",
			drivers.ErrInvalid, ng.Name, r.NodeCount, *ng.MaxNodeCount)
	}
	for _, n := range r.NodesToRemove {
		if strings.TrimSpace(n) == "" || strings.Contains(n, ",") {
			return ng, fmt.Errorf("%w: nodes_to_remove holds a bad name %q", drivers.ErrInvalid, n)
		}
	}
	return ng, nil
}
