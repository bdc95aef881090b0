package drivers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"

	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	goplugin "github.com/hashicorp/go-plugin"
)

// EnvReattach is the environment variable through which a host finds the
// plugins serving in debug mode: a JSON object mapping driver names to
// Reattach values, as the plugin prints it when started with -debug.
const EnvReattach = "GOMAGNUM_DRIVER_REATTACH"

// Reattach says where a plugin serving in debug mode (under a debugger,
// started by hand) listens.
type Reattach struct {
	Protocol        string `json:"protocol"`
	ProtocolVersion int    `json:"protocol_version"`
	// Network is "unix" or "tcp".
	Network string `json:"network"`
	Addr    string `json:"addr"`
	PID     int    `json:"pid"`
}

// Attach connects to a plugin serving in debug mode. The host neither
// restarts nor kills it: the process belongs to whoever started it.
func (h *Host) Attach(ctx context.Context, name string, r Reattach) (*Plugin, error) {
	cfg, err := r.config()
	if err != nil {
		return nil, fmt.Errorf("attach driver plugin %q: %w", name, err)
	}
	return h.start(ctx, name, launchSpec{reattach: cfg})
}

func (r Reattach) config() (*goplugin.ReattachConfig, error) {
	if !slices.Contains(hostVersions(), r.ProtocolVersion) {
		return nil, &ProtocolVersionError{Plugin: r.ProtocolVersion, Host: hostVersions()}
	}
	if r.Protocol != string(goplugin.ProtocolGRPC) {
		return nil, fmt.Errorf("%w: protocol %q, want %q", ErrInvalid, r.Protocol, goplugin.ProtocolGRPC)
	}
	var addr net.Addr
	switch r.Network {
	case "unix":
		addr = &net.UnixAddr{Name: r.Addr, Net: "unix"}
	case "tcp":
		a, err := net.ResolveTCPAddr("tcp", r.Addr)
		if err != nil {
			return nil, fmt.Errorf("%w: address %q: %w", ErrInvalid, r.Addr, err)
		}
		addr = a
	default:
		return nil, fmt.Errorf("%w: network %q, want unix or tcp", ErrInvalid, r.Network)
	}
	return &goplugin.ReattachConfig{
		Protocol:        goplugin.ProtocolGRPC,
		ProtocolVersion: r.ProtocolVersion,
		Addr:            addr,
		Pid:             r.PID,
		Test:            true,
	}, nil
}

// AttachFromEnv attaches every plugin listed in EnvReattach, in name
// order; none when it is unset. It returns the plugins attached and, joined,
// the errors of the others.
func (h *Host) AttachFromEnv(ctx context.Context) ([]*Plugin, error) {
	v := os.Getenv(EnvReattach)
	if v == "" {
		return nil, nil
	}
	var all map[string]Reattach
	if err := json.Unmarshal([]byte(v), &all); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, EnvReattach, err)
	}
	var plugins []*Plugin
	var errs []error
	for _, n := range slices.Sorted(maps.Keys(all)) {
		p, err := h.Attach(ctx, n, all[n])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		plugins = append(plugins, p)
	}
	return plugins, errors.Join(errs...)
}

// pluginSet is the host's plugin set for a negotiated version.
func pluginSet(version int) goplugin.PluginSet { return pb.PluginSets(nil)[version] }
