package magnum

import (
	"strconv"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
)

func itoa(n int) string { return strconv.Itoa(n) }

// stamp returns the current time as the store keeps it: UTC, to the
// microsecond.
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// driverTemplate is what a driver sees of a template.
func driverTemplate(t *ClusterTemplate) drivers.Template {
	return drivers.Template{
		UUID: t.UUID, Name: t.Name, COE: t.COE, ServerType: t.ServerType, ClusterDistro: t.ClusterDistro,
		ImageID: t.ImageID, FlavorID: t.FlavorID, MasterFlavorID: t.MasterFlavorID, KeypairID: t.KeypairID,
		ExternalNetworkID: t.ExternalNetworkID, FixedNetwork: t.FixedNetwork, FixedSubnet: t.FixedSubnet,
		NetworkDriver: t.NetworkDriver, VolumeDriver: t.VolumeDriver, DockerStorageDriver: t.DockerStorageDriver,
		DockerVolumeSize: t.DockerVolumeSize, DNSNameserver: t.DNSNameserver, HTTPProxy: t.HTTPProxy,
		HTTPSProxy: t.HTTPSProxy, NoProxy: t.NoProxy, InsecureRegistry: t.InsecureRegistry,
		APIServerPort: t.APIServerPort, TLSDisabled: t.TLSDisabled, RegistryEnabled: t.RegistryEnabled,
		MasterLBEnabled: t.MasterLBEnabled, FloatingIPEnabled: t.FloatingIPEnabled, Labels: t.Labels,
	}
}

// driverCluster is what a driver sees of a cluster.
func (s *Service) driverCluster(t *ClusterTemplate, d *clusterDoc, ngs []*NodeGroup) drivers.Cluster {
	c := drivers.Cluster{
		UUID: d.UUID, Name: d.Name, ProjectID: d.ProjectID, UserID: d.UserID, Template: driverTemplate(t),
		StackID: d.StackID, Keypair: d.Keypair, FlavorID: d.FlavorID, MasterFlavorID: d.MasterFlavorID,
		FixedNetwork: d.FixedNetwork, FixedSubnet: d.FixedSubnet, DockerVolumeSize: d.DockerVolumeSize,
		DiscoveryURL: d.DiscoveryURL, MasterLBEnabled: d.MasterLBEnabled, FloatingIPEnabled: d.FloatingIPEnabled,
		Labels: d.Labels, CreateTimeout: d.CreateTimeout, APIAddress: d.APIAddress, COEVersion: d.COEVersion,
	}
	for _, ng := range ngs {
		c.NodeGroups = append(c.NodeGroups, driverNodeGroup(ng))
	}
	return c
}

func driverNodeGroup(ng *NodeGroup) drivers.NodeGroup {
	return drivers.NodeGroup{
		UUID: ng.UUID, Name: ng.Name, Role: ng.Role, IsDefault: ng.IsDefault, FlavorID: ng.FlavorID, ImageID: ng.ImageID,
		NodeCount: ng.NodeCount, MinNodeCount: ng.MinNodeCount, MaxNodeCount: ng.MaxNodeCount,
		DockerVolumeSize: ng.DockerVolumeSize, Labels: ng.Labels, StackID: ng.StackID, NodeAddresses: ng.NodeAddresses,
		NodeLabels: ng.NodeLabels, NodeTaints: ng.NodeTaints,
	}
}
