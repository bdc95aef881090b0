package sim

// Kind names a kind of simulated object. Kinds select delays and faults
// and prefix the keys under which objects persist.
type Kind string

// The kinds of objects the simulated cloud holds.
const (
	KindServer            Kind = "server"
	KindServerGroup       Kind = "server_group"
	KindNetwork           Kind = "network"
	KindSubnet            Kind = "subnet"
	KindRouter            Kind = "router"
	KindRouterInterface   Kind = "router_interface"
	KindPort              Kind = "port"
	KindFloatingIP        Kind = "floating_ip"
	KindSecurityGroup     Kind = "security_group"
	KindSecurityGroupRule Kind = "security_group_rule"
	KindVolume            Kind = "volume"
	KindVolumeAttachment  Kind = "volume_attachment"
	KindLoadBalancer      Kind = "load_balancer"
	KindListener          Kind = "listener"
	KindPool              Kind = "pool"
	KindMember            Kind = "member"
	KindHealthMonitor     Kind = "health_monitor"
	KindTrustee           Kind = "trustee"
)

// kinds lists every Kind, to validate faults and delays.
var kinds = []Kind{
	KindServer, KindServerGroup, KindNetwork, KindSubnet, KindRouter, KindRouterInterface,
	KindPort, KindFloatingIP, KindSecurityGroup, KindSecurityGroupRule, KindVolume,
	KindVolumeAttachment, KindLoadBalancer, KindListener, KindPool, KindMember,
	KindHealthMonitor, KindTrustee,
}

// Op is an operation a delay or a fault applies to.
type Op string

// Operations.
const (
	OpCreate Op = "create"
	OpDelete Op = "delete"
)
