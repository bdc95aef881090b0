package plugin

import (
	"fmt"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
)

// The plugin's half of the wire format: requests are decoded, responses
// encoded. The host's half lives in package drivers.

func templateFromProto(t *pb.Template) drivers.Template {
	return drivers.Template{
		UUID:                t.GetUuid(),
		Name:                t.GetName(),
		COE:                 t.GetCoe(),
		ServerType:          t.GetServerType(),
		ClusterDistro:       t.GetClusterDistro(),
		ImageID:             t.GetImageId(),
		FlavorID:            t.GetFlavorId(),
		MasterFlavorID:      t.GetMasterFlavorId(),
		KeypairID:           t.GetKeypairId(),
		ExternalNetworkID:   t.GetExternalNetworkId(),
		FixedNetwork:        t.GetFixedNetwork(),
		FixedSubnet:         t.GetFixedSubnet(),
		NetworkDriver:       t.GetNetworkDriver(),
		VolumeDriver:        t.GetVolumeDriver(),
		DockerStorageDriver: t.GetDockerStorageDriver(),
		DockerVolumeSize:    int(t.GetDockerVolumeSize()),
		DNSNameserver:       t.GetDnsNameserver(),
		HTTPProxy:           t.GetHttpProxy(),
		HTTPSProxy:          t.GetHttpsProxy(),
		NoProxy:             t.GetNoProxy(),
		InsecureRegistry:    t.GetInsecureRegistry(),
		APIServerPort:       int(t.GetApiserverPort()),
		TLSDisabled:         t.GetTlsDisabled(),
		RegistryEnabled:     t.GetRegistryEnabled(),
		MasterLBEnabled:     t.GetMasterLbEnabled(),
		FloatingIPEnabled:   t.GetFloatingIpEnabled(),
		Labels:              pb.NilMap(t.GetLabels()),
	}
}

func clusterFromProto(c *pb.Cluster) drivers.Cluster {
	var ngs []drivers.NodeGroup
	for _, ng := range c.GetNodeGroups() {
		ngs = append(ngs, nodeGroupFromProto(ng))
	}
	return drivers.Cluster{
		UUID:              c.GetUuid(),
		Name:              c.GetName(),
		ProjectID:         c.GetProjectId(),
		UserID:            c.GetUserId(),
		Template:          templateFromProto(c.GetTemplate()),
		StackID:           c.GetStackId(),
		Keypair:           c.GetKeypair(),
		FlavorID:          c.GetFlavorId(),
		MasterFlavorID:    c.GetMasterFlavorId(),
		FixedNetwork:      c.GetFixedNetwork(),
		FixedSubnet:       c.GetFixedSubnet(),
		DockerVolumeSize:  int(c.GetDockerVolumeSize()),
		DiscoveryURL:      c.GetDiscoveryUrl(),
		MasterLBEnabled:   c.GetMasterLbEnabled(),
		FloatingIPEnabled: c.GetFloatingIpEnabled(),
		Labels:            pb.NilMap(c.GetLabels()),
		CreateTimeout:     int(c.GetCreateTimeout()),
		APIAddress:        c.GetApiAddress(),
		COEVersion:        c.GetCoeVersion(),
		NodeGroups:        ngs,
		Boot:              bootFromProto(c.GetBoot()),
	}
}

func nodeGroupFromProto(ng *pb.NodeGroup) drivers.NodeGroup {
	var taints []drivers.Taint
	for _, t := range ng.GetNodeTaints() {
		taints = append(taints, drivers.Taint{Key: t.GetKey(), Value: t.GetValue(), Effect: t.GetEffect()})
	}
	out := drivers.NodeGroup{
		UUID:             ng.GetUuid(),
		Name:             ng.GetName(),
		Role:             ng.GetRole(),
		IsDefault:        ng.GetIsDefault(),
		FlavorID:         ng.GetFlavorId(),
		ImageID:          ng.GetImageId(),
		NodeCount:        int(ng.GetNodeCount()),
		MinNodeCount:     int(ng.GetMinNodeCount()),
		DockerVolumeSize: int(ng.GetDockerVolumeSize()),
		Labels:           pb.NilMap(ng.GetLabels()),
		StackID:          ng.GetStackId(),
		NodeAddresses:    pb.NilSlice(ng.GetNodeAddresses()),
		NodeLabels:       pb.NilMap(ng.GetNodeLabels()),
		NodeTaints:       taints,
	}
	if ng.MaxNodeCount != nil {
		m := int(ng.GetMaxNodeCount())
		out.MaxNodeCount = &m
	}
	return out
}

func bootFromProto(b *pb.Boot) drivers.Boot {
	return drivers.Boot{
		MagnumURL:         b.GetMagnumUrl(),
		AuthURL:           b.GetAuthUrl(),
		TrusteeUserID:     b.GetTrusteeUserId(),
		TrusteeUserName:   b.GetTrusteeUsername(),
		TrusteePassword:   b.GetTrusteePassword(),
		TrusteeDomainID:   b.GetTrusteeDomainId(),
		TrustID:           b.GetTrustId(),
		CACert:            b.GetCaCert(),
		EtcdCACert:        b.GetEtcdCaCert(),
		FrontProxyCACert:  b.GetFrontProxyCaCert(),
		SSHPublicKey:      b.GetSshPublicKey(),
		ExternalNetworkID: b.GetExternalNetworkId(),
	}
}

func resizeFromProto(r *pb.Resize) drivers.Resize {
	return drivers.Resize{
		NodeGroup:     r.GetNodeGroup(),
		NodeCount:     int(r.GetNodeCount()),
		NodesToRemove: pb.NilSlice(r.GetNodesToRemove()),
	}
}

func upgradeFromProto(u *pb.Upgrade) drivers.Upgrade {
	return drivers.Upgrade{
		Template:     templateFromProto(u.GetTemplate()),
		NodeGroup:    u.GetNodeGroup(),
		MaxBatchSize: int(u.GetMaxBatchSize()),
	}
}

func stackStateFromProto(s *pb.StackState) (drivers.StackState, error) {
	outputs, err := pb.DecodeValues(s.GetOutputs())
	if err != nil {
		return drivers.StackState{}, fmt.Errorf("%w: stack outputs: %w", drivers.ErrInvalid, err)
	}
	return drivers.StackState{
		Status:       heat.Status(s.GetStatus()),
		StatusReason: s.GetStatusReason(),
		Outputs:      outputs,
		Parameters:   pb.NilMap(s.GetParameters()),
	}, nil
}

func credentialsFromProto(c *pb.Credentials) drivers.Credentials {
	return drivers.Credentials{
		CACert:     c.GetCaCert(),
		ClientCert: c.GetClientCert(),
		ClientKey:  c.GetClientKey(),
		Proxy:      c.GetProxy(),
	}
}

func infoToProto(in drivers.Info) *pb.Info {
	provides := make([]*pb.Tuple, len(in.Provides))
	for i, t := range in.Provides {
		provides[i] = &pb.Tuple{ServerType: t.ServerType, OsDistro: t.OSDistro, Coe: t.COE}
	}
	return &pb.Info{
		Name:             in.Name,
		Version:          in.Version,
		Provides:         provides,
		ContainerVersion: in.ContainerVersion,
		Capabilities: &pb.Capabilities{
			Upgrade:    in.Capabilities.Upgrade,
			RotateCa:   in.Capabilities.RotateCA,
			NodeGroups: in.Capabilities.NodeGroups,
			Health:     in.Capabilities.Health,
		},
		NetworkDrivers: in.NetworkDrivers,
		VolumeDrivers:  in.VolumeDrivers,
	}
}

func stackToProto(s drivers.Stack) (*pb.Stack, error) {
	env, err := pb.EnvironmentFromHeat(s.Environment)
	if err != nil {
		return nil, err
	}
	params, err := pb.EncodeValues(s.Parameters)
	if err != nil {
		return nil, fmt.Errorf("stack parameters: %w", err)
	}
	return &pb.Stack{Template: s.Template, Files: pb.EncodeFiles(s.Files), Environment: env, Parameters: params}, nil
}

func outputsToProto(o drivers.Outputs) *pb.Outputs {
	out := &pb.Outputs{
		ApiAddress:       o.APIAddress,
		CoeVersion:       o.COEVersion,
		ContainerVersion: o.ContainerVersion,
	}
	if len(o.NodeGroups) > 0 {
		out.NodeGroups = make(map[string]*pb.NodeGroupOutputs, len(o.NodeGroups))
	}
	for id, ng := range o.NodeGroups {
		ngo := &pb.NodeGroupOutputs{NodeAddresses: ng.NodeAddresses}
		if ng.NodeCount != nil {
			n := int64(*ng.NodeCount)
			ngo.NodeCount = &n
		}
		out.NodeGroups[id] = ngo
	}
	return out
}

func healthToProto(h drivers.Health) *pb.HealthResponse {
	return &pb.HealthResponse{Status: string(h.Status), Reason: h.Reason}
}

func clientConfigToProto(c drivers.ClientConfig) *pb.ClientConfigResponse {
	return &pb.ClientConfigResponse{Files: c.Files, Env: c.Env}
}
