package driverproto

import (
	"context"
	"math"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health/grpc_health_v1"
)

// ProtocolVersion is the plugin protocol version this module speaks. A
// wire-breaking change gets a new version served next to this one in
// PluginSets, so that hosts and plugins of both generations still meet.
const ProtocolVersion = 1

// ProtocolMinor counts the compatible additions made to protocol version 1;
// plugins report theirs in InfoResponse.protocol_minor.
// 1 added the Calls stream, 2 the proxy of Credentials.
const ProtocolMinor = 2

// PluginName is the name the driver service is dispensed under.
const PluginName = "driver"

// Handshake is shared by the host and every plugin. The cookie only tells a
// driver plugin that a gomagnum host started it; it is no security measure.
var Handshake = goplugin.HandshakeConfig{
	MagicCookieKey:   "GOMAGNUM_DRIVER_PLUGIN",
	MagicCookieValue: "5b0e8f3c2d7a41e69a1c0b4f8e2d6a7c93f1e0d4b2a8c6e1f7d3b9a5c0e4f2a1",
}

// Environment variables the host sets for the plugins it starts.
const (
	// EnvBuiltin names the built-in driver a re-executed host binary
	// serves.
	EnvBuiltin = "GOMAGNUM_BUILTIN_DRIVER"
	// EnvHostPID is the host's process ID; a plugin whose parent is no
	// longer that process exits.
	EnvHostPID = "GOMAGNUM_DRIVER_HOST_PID"
	// EnvLogLevel is the lowest level ("debug", "info", "warn", "error")
	// the host keeps of a plugin's log.
	EnvLogLevel = "GOMAGNUM_DRIVER_LOG_LEVEL"
)

// GRPCPlugin is the go-plugin glue of the Driver service: on the plugin side
// it registers Impl, on the host side it dispenses a *Conn.
type GRPCPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	// Impl is the implementation served; nil on the host side.
	Impl DriverServer
}

// GRPCServer registers the driver service.
func (p *GRPCPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	RegisterDriverServer(s, p.Impl)
	return nil
}

// GRPCClient returns a *Conn over the plugin's connection.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return NewConn(cc), nil
}

// NewConn returns the host's end of a plugin connection. Its Driver calls
// travel over Calls streams, or as unary RPCs to a plugin without Calls.
func NewConn(cc grpc.ClientConnInterface) *Conn {
	calls := newCallConn(cc)
	return &Conn{DriverClient: NewDriverClient(calls), calls: calls, health: grpc_health_v1.NewHealthClient(cc)}
}

// Conn is the host's end of one plugin connection.
type Conn struct {
	DriverClient
	calls  *callConn
	health grpc_health_v1.HealthClient
}

// Ping asks go-plugin's health service whether the plugin serves. Unlike
// go-plugin's own Ping it honours the context, so a hung plugin is noticed.
func (c *Conn) Ping(ctx context.Context) error {
	_, err := c.health.Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: goplugin.GRPCServiceName})
	return err
}

// windowSize is the HTTP/2 flow-control window of both ends. Setting it
// turns off gRPC's bandwidth-delay estimation, whose PING frames would
// follow every message; over a local socket the window never limits.
const windowSize = 16 << 20

// DialOptions are the gRPC options of the host's end: the windows and
// the driver codec.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithInitialWindowSize(windowSize), grpc.WithInitialConnWindowSize(windowSize),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(driverCodec)),
	}
}

// ServerOptions are the gRPC options of the plugin's end: the same windows
// and codec, and messages as large as templates with their files get.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.InitialWindowSize(windowSize), grpc.InitialConnWindowSize(windowSize),
		grpc.MaxRecvMsgSize(math.MaxInt32), grpc.MaxSendMsgSize(math.MaxInt32),
		grpc.ForceServerCodecV2(driverCodec),
	}
}

// PluginSets returns the plugin sets by protocol version, for
// ServeConfig.VersionedPlugins and ClientConfig.VersionedPlugins; server is
// nil on the host side.
func PluginSets(server DriverServer) map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		ProtocolVersion: {PluginName: &GRPCPlugin{Impl: server}},
	}
}
