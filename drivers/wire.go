package drivers

import (
	"context"
	"fmt"

	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The host's half of the wire format: requests are encoded, responses
// decoded. The plugin's half lives in drivers/plugin.

func templateToProto(t Template) *pb.Template {
	return &pb.Template{
		Uuid:                t.UUID,
		Name:                t.Name,
		Coe:                 t.COE,
		ServerType:          t.ServerType,
		ClusterDistro:       t.ClusterDistro,
		ImageId:             t.ImageID,
		FlavorId:            t.FlavorID,
		MasterFlavorId:      t.MasterFlavorID,
		KeypairId:           t.KeypairID,
		ExternalNetworkId:   t.ExternalNetworkID,
		FixedNetwork:        t.FixedNetwork,
		FixedSubnet:         t.FixedSubnet,
		NetworkDriver:       t.NetworkDriver,
		VolumeDriver:        t.VolumeDriver,
		DockerStorageDriver: t.DockerStorageDriver,
		DockerVolumeSize:    int64(t.DockerVolumeSize),
		DnsNameserver:       t.DNSNameserver,
		HttpProxy:           t.HTTPProxy,
		HttpsProxy:          t.HTTPSProxy,
		NoProxy:             t.NoProxy,
		InsecureRegistry:    t.InsecureRegistry,
		ApiserverPort:       int64(t.APIServerPort),
		TlsDisabled:         t.TLSDisabled,
		RegistryEnabled:     t.RegistryEnabled,
		MasterLbEnabled:     t.MasterLBEnabled,
		FloatingIpEnabled:   t.FloatingIPEnabled,
		Labels:              t.Labels,
	}
}

func clusterToProto(c Cluster) *pb.Cluster {
	ngs := make([]*pb.NodeGroup, len(c.NodeGroups))
	for i, ng := range c.NodeGroups {
		ngs[i] = nodeGroupToProto(ng)
	}
	return &pb.Cluster{
		Uuid:              c.UUID,
		Name:              c.Name,
		ProjectId:         c.ProjectID,
		UserId:            c.UserID,
		Template:          templateToProto(c.Template),
		StackId:           c.StackID,
		Keypair:           c.Keypair,
		FlavorId:          c.FlavorID,
		MasterFlavorId:    c.MasterFlavorID,
		FixedNetwork:      c.FixedNetwork,
		FixedSubnet:       c.FixedSubnet,
		DockerVolumeSize:  int64(c.DockerVolumeSize),
		DiscoveryUrl:      c.DiscoveryURL,
		MasterLbEnabled:   c.MasterLBEnabled,
		FloatingIpEnabled: c.FloatingIPEnabled,
		Labels:            c.Labels,
		CreateTimeout:     int64(c.CreateTimeout),
		ApiAddress:        c.APIAddress,
		CoeVersion:        c.COEVersion,
		NodeGroups:        ngs,
		Boot:              bootToProto(c.Boot),
	}
}

func nodeGroupToProto(ng NodeGroup) *pb.NodeGroup {
	taints := make([]*pb.Taint, len(ng.NodeTaints))
	for i, t := range ng.NodeTaints {
		taints[i] = &pb.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect}
	}
	out := &pb.NodeGroup{
		Uuid:             ng.UUID,
		Name:             ng.Name,
		Role:             ng.Role,
		IsDefault:        ng.IsDefault,
		FlavorId:         ng.FlavorID,
		ImageId:          ng.ImageID,
		NodeCount:        int64(ng.NodeCount),
		MinNodeCount:     int64(ng.MinNodeCount),
		DockerVolumeSize: int64(ng.DockerVolumeSize),
		Labels:           ng.Labels,
		StackId:          ng.StackID,
		NodeAddresses:    ng.NodeAddresses,
		NodeLabels:       ng.NodeLabels,
		NodeTaints:       taints,
	}
	if ng.MaxNodeCount != nil {
		m := int64(*ng.MaxNodeCount)
		out.MaxNodeCount = &m
	}
	return out
}

func bootToProto(b Boot) *pb.Boot {
	return &pb.Boot{
		MagnumUrl:         b.MagnumURL,
		AuthUrl:           b.AuthURL,
		TrusteeUserId:     b.TrusteeUserID,
		TrusteeUsername:   b.TrusteeUserName,
		TrusteePassword:   b.TrusteePassword,
		TrusteeDomainId:   b.TrusteeDomainID,
		TrustId:           b.TrustID,
		CaCert:            b.CACert,
		EtcdCaCert:        b.EtcdCACert,
		FrontProxyCaCert:  b.FrontProxyCACert,
		SshPublicKey:      b.SSHPublicKey,
		ExternalNetworkId: b.ExternalNetworkID,
	}
}

func stackStateToProto(s StackState) (*pb.StackState, error) {
	outputs, err := pb.EncodeValues(s.Outputs)
	if err != nil {
		return nil, fmt.Errorf("%w: stack outputs: %w", ErrInvalid, err)
	}
	return &pb.StackState{
		Status:       string(s.Status),
		StatusReason: s.StatusReason,
		Outputs:      outputs,
		Parameters:   s.Parameters,
	}, nil
}

func credentialsToProto(c Credentials) *pb.Credentials {
	return &pb.Credentials{CaCert: c.CACert, ClientCert: c.ClientCert, ClientKey: c.ClientKey, Proxy: c.Proxy}
}

func infoFromProto(r *pb.InfoResponse) Info {
	in := r.GetInfo()
	provides := make([]Tuple, len(in.GetProvides()))
	for i, t := range in.GetProvides() {
		provides[i] = Tuple{ServerType: t.GetServerType(), OSDistro: t.GetOsDistro(), COE: t.GetCoe()}
	}
	caps := in.GetCapabilities()
	return Info{
		Name:             in.GetName(),
		Version:          in.GetVersion(),
		Provides:         provides,
		ContainerVersion: in.GetContainerVersion(),
		Capabilities: Capabilities{
			Upgrade:    caps.GetUpgrade(),
			RotateCA:   caps.GetRotateCa(),
			NodeGroups: caps.GetNodeGroups(),
			Health:     caps.GetHealth(),
		},
		NetworkDrivers: pb.NilSlice(in.GetNetworkDrivers()),
		VolumeDrivers:  pb.NilSlice(in.GetVolumeDrivers()),
	}
}

func stackFromProto(s *pb.Stack) (Stack, error) {
	env, err := s.GetEnvironment().ToHeat()
	if err != nil {
		return Stack{}, err
	}
	params, err := pb.DecodeValues(s.GetParameters())
	if err != nil {
		return Stack{}, fmt.Errorf("stack parameters: %w", err)
	}
	return Stack{
		Template:    s.GetTemplate(),
		Files:       pb.DecodeFiles(s.GetFiles()),
		Environment: env,
		Parameters:  params,
	}, nil
}

func outputsFromProto(o *pb.Outputs) Outputs {
	out := Outputs{
		APIAddress:       o.GetApiAddress(),
		COEVersion:       o.GetCoeVersion(),
		ContainerVersion: o.GetContainerVersion(),
	}
	if len(o.GetNodeGroups()) > 0 {
		out.NodeGroups = make(map[string]NodeGroupOutputs, len(o.GetNodeGroups()))
	}
	for id, ng := range o.GetNodeGroups() {
		ngo := NodeGroupOutputs{NodeAddresses: pb.NilSlice(ng.GetNodeAddresses())}
		if ng.NodeCount != nil {
			n := int(ng.GetNodeCount())
			ngo.NodeCount = &n
		}
		out.NodeGroups[id] = ngo
	}
	return out
}

func healthFromProto(h *pb.HealthResponse) Health {
	return Health{Status: HealthStatus(h.GetStatus()), Reason: pb.NilMap(h.GetReason())}
}

func clientConfigFromProto(c *pb.ClientConfigResponse) ClientConfig {
	return ClientConfig{Files: pb.NilMap(c.GetFiles()), Env: pb.NilMap(c.GetEnv())}
}

// remoteError is an error a driver returned through its plugin: the
// message is the driver's own and the class the sentinel it wrapped, so
// that errors.Is(err, ErrInvalid) holds on both sides of the wire.
type remoteError struct {
	class error
	msg   string
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.class }

// errorFromStatus turns the status of a failed call back into a driver
// error.
func errorFromStatus(err error) error {
	st := status.Convert(err)
	var class error
	switch st.Code() {
	case codes.InvalidArgument:
		class = ErrInvalid
	case codes.FailedPrecondition:
		class = ErrConflict
	case codes.Unimplemented:
		class = ErrNotSupported
	case codes.NotFound:
		class = ErrNoDriver
	case codes.Aborted:
		class = ErrUnavailable
	case codes.Canceled:
		class = context.Canceled
	case codes.DeadlineExceeded:
		class = context.DeadlineExceeded
	}
	return &remoteError{class: class, msg: st.Message()}
}
