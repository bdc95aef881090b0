package clusterstack

import (
	"fmt"

	"github.com/gomagnum/gomagnum/drivers"
)

// Node-group roles of the default groups.
const (
	RoleMaster = "master"
	RoleWorker = "worker"
)

// DefaultGroup returns the cluster's default node group of a role.
func DefaultGroup(c drivers.Cluster, role string) (drivers.NodeGroup, error) {
	for _, ng := range c.NodeGroups {
		if ng.IsDefault && ng.Role == role {
			return ng, nil
		}
	}
	return drivers.NodeGroup{}, fmt.Errorf("%w: cluster %s has no default %s node group", drivers.ErrInvalid, c.UUID, role)
}

// Defaults returns the cluster's default master and worker node groups.
func Defaults(c drivers.Cluster) (master, worker drivers.NodeGroup, err error) {
	if master, err = DefaultGroup(c, RoleMaster); err != nil {
		return master, worker, err
	}
	worker, err = DefaultGroup(c, RoleWorker)
	return master, worker, err
}

// WorkerCount returns the number of workers a cluster should have: the
// nodes of every group but the masters', the extra groups' included.
func WorkerCount(c drivers.Cluster) int {
	n := 0
	for _, ng := range c.NodeGroups {
		if ng.Role != RoleMaster {
			n += ng.NodeCount
		}
	}
	return n
}

// Group returns the node group with the given UUID.
func Group(c drivers.Cluster, uuid string) (drivers.NodeGroup, error) {
	for _, ng := range c.NodeGroups {
		if ng.UUID == uuid {
			return ng, nil
		}
	}
	return drivers.NodeGroup{}, fmt.Errorf("%w: cluster %s has no node group %q", drivers.ErrInvalid, c.UUID, uuid)
}

// Flavor returns the flavor of a node group: its own, else the cluster's,
// else the template's (master flavors for master groups), else DefaultFlavor.
func Flavor(c drivers.Cluster, ng drivers.NodeGroup) string {
	if ng.Role == RoleMaster {
		return first(ng.FlavorID, c.MasterFlavorID, c.Template.MasterFlavorID, DefaultFlavor)
	}
	return first(ng.FlavorID, c.FlavorID, c.Template.FlavorID, DefaultFlavor)
}

// DefaultFlavor is the flavor of nodes whose group, cluster and template
// name none, as in Magnum's templates.
const DefaultFlavor = "m1.small"

// Image returns the image of a node group: its own, else the template's.
func Image(c drivers.Cluster, ng drivers.NodeGroup) string {
	return first(ng.ImageID, c.Template.ImageID)
}

// DockerVolumeSize returns the container volume size of a node group in
// GB: its own, else the cluster's, else the template's; 0 means none.
func DockerVolumeSize(c drivers.Cluster, ng drivers.NodeGroup) int {
	for _, v := range []int{ng.DockerVolumeSize, c.DockerVolumeSize, c.Template.DockerVolumeSize} {
		if v > 0 {
			return v
		}
	}
	return 0
}

func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
