package engine

import (
	"context"
	"errors"
	"net"
	"net/netip"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// cloudCtx returns a context acting for the stack's project in the
// simulated cloud.
func (e *Engine) cloudCtx(ctx context.Context, _ *stack) context.Context {
	if e.cloudProject == "" {
		return ctx
	}
	return cloud.WithProject(ctx, e.cloudProject)
}

// waitBooted waits until a simulated server's guest finished booting. A
// server the cloud does not know never signals, as with Heat: the wait
// lasts until ctx ends.
func (e *Engine) waitBooted(ctx context.Context, serverID string) error {
	if e.cloud != nil {
		err := e.cloud.WaitBooted(ctx, serverID)
		if !errors.Is(err, cloud.ErrNotFound) {
			return err
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

// checkCustom validates a value against a custom constraint: syntactic
// ones here, cloud look-ups in the simulated cloud (accepted when there
// is none).
func (e *Engine) checkCustom(name string, value any) error {
	s, _ := value.(string)
	if check, ok := syntaxConstraints[name]; ok {
		return check(s)
	}
	lookup, ok := cloudConstraints[name]
	if !ok {
		return hot.ErrUnknownConstraint
	}
	if e.cloud == nil {
		return nil
	}
	return lookup(e, s)
}

// constraintError is a custom constraint's message, worded as Heat's.
type constraintError string

func (e constraintError) Error() string { return string(e) }

var syntaxConstraints = map[string]func(string) error{
	"ip_addr": func(s string) error {
		if _, err := netip.ParseAddr(s); err != nil {
			return constraintError("Invalid IP address")
		}
		return nil
	},
	"net_cidr": func(s string) error {
		if _, err := netip.ParsePrefix(s); err != nil {
			return constraintError("Invalid net cidr " + s + " ")
		}
		return nil
	},
	"mac_addr": func(s string) error {
		if _, err := net.ParseMAC(s); err != nil {
			return constraintError("Invalid MAC address.")
		}
		return nil
	},
	"test_constr": func(string) error { return nil },
}

var cloudConstraints = map[string]func(e *Engine, ref string) error{
	"nova.flavor": func(e *Engine, ref string) error {
		_, err := e.cloud.Flavor(e.ctx, ref)
		return err
	},
	"glance.image": func(e *Engine, ref string) error {
		_, err := e.cloud.Image(e.ctx, ref)
		return err
	},
	"nova.keypair": func(e *Engine, ref string) error {
		if ref == "" {
			return nil // as Heat: an empty key name means no keypair
		}
		_, err := e.cloud.Keypair(e.ctx, "", ref)
		return err
	},
	"neutron.network": func(e *Engine, ref string) error {
		_, err := e.cloud.Network(e.ctx, ref)
		return err
	},
	"neutron.subnet": func(e *Engine, ref string) error {
		_, err := e.cloud.Subnet(e.ctx, ref)
		return err
	},
	"nova.server": func(e *Engine, ref string) error {
		_, err := e.cloud.Server(e.ctx, ref)
		return err
	},
	"neutron.port": func(e *Engine, ref string) error {
		_, err := e.cloud.Port(e.ctx, ref)
		return err
	},
	"neutron.router": func(e *Engine, ref string) error {
		_, err := e.cloud.Router(e.ctx, ref)
		return err
	},
	"cinder.vtype": func(e *Engine, ref string) error {
		if _, err := e.cloud.VolumeType(e.ctx, ref); errors.Is(err, cloud.ErrNotFound) {
			return constraintError("The VolumeType (" + ref + ") could not be found.")
		}
		return nil
	},
	"cinder.volume": func(e *Engine, ref string) error {
		_, err := e.cloud.Volume(e.ctx, ref)
		return err
	},
}
