package drivers

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
)

// Registry selects the driver of a cluster by its (server_type, os_distro,
// coe) tuple. It is safe for concurrent use.
//
// When several enabled drivers provide the same tuple, the one named first
// in the default list (WithDefault) wins; without a default the driver
// registered first wins, so built-in drivers registered before discovered
// plugins keep their tuples.
type Registry struct {
	disabled  map[string]bool
	preferred []string
	logger    *slog.Logger

	mu      sync.RWMutex
	entries []entry // in registration order
}

type entry struct {
	driver Driver
	info   Info
}

// RegistryOption configures a Registry.
type RegistryOption func(*Registry)

// WithDisabled names drivers that are never selected (Magnum's
// [drivers] disabled_drivers).
func WithDisabled(names ...string) RegistryOption {
	return func(r *Registry) {
		for _, n := range names {
			r.disabled[n] = true
		}
	}
}

// WithDefault names the drivers that win, in this order, when several
// enabled drivers provide the same tuple.
func WithDefault(names ...string) RegistryOption {
	return func(r *Registry) { r.preferred = append(r.preferred, names...) }
}

// WithRegistryLogger sets the logger that reports ties and disabled drivers.
func WithRegistryLogger(l *slog.Logger) RegistryOption {
	return func(r *Registry) { r.logger = l }
}

// NewRegistry returns an empty registry.
func NewRegistry(opts ...RegistryOption) *Registry {
	r := &Registry{disabled: map[string]bool{}, logger: slog.Default()}
	for _, o := range opts {
		o(r)
	}
	return r
}

// NoDriverError reports that no enabled driver serves a tuple. Its message
// is Magnum's; it wraps ErrNoDriver.
type NoDriverError struct {
	Tuple Tuple
}

// Error returns Magnum's message: "Cluster type (vm, fedora-coreos,
// kubernetes) not supported.".
func (e *NoDriverError) Error() string {
	return "Cluster type " + e.Tuple.String() + " not supported."
}

// Unwrap returns ErrNoDriver.
func (e *NoDriverError) Unwrap() error { return ErrNoDriver }

// Register asks d for its Info and adds it. A driver whose name is
// disabled is kept out of selection but still listed by Infos. A name
// registered twice or an Info without name or tuples is refused with
// ErrInvalid.
func (r *Registry) Register(ctx context.Context, d Driver) error {
	info, err := d.Info(ctx)
	if err != nil {
		return fmt.Errorf("register driver: %w", err)
	}
	if err := checkInfo(info); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.entries {
		if e.info.Name == info.Name {
			return fmt.Errorf("%w: driver %q is registered twice", ErrInvalid, info.Name)
		}
	}
	r.entries = append(r.entries, entry{driver: d, info: info})
	if r.disabled[info.Name] {
		r.logger.Info("driver is disabled", "driver", info.Name)
		return nil
	}
	for _, t := range info.Provides {
		if winner := r.selectLocked(t); winner.info.Name != info.Name {
			r.logger.Warn("another driver already provides this tuple", "tuple", t.String(),
				"driver", info.Name, "selected", winner.info.Name)
		}
	}
	return nil
}

func checkInfo(info Info) error {
	if info.Name == "" {
		return fmt.Errorf("%w: driver info has no name", ErrInvalid)
	}
	if len(info.Provides) == 0 {
		return fmt.Errorf("%w: driver %q provides no tuple", ErrInvalid, info.Name)
	}
	for _, t := range info.Provides {
		if t.ServerType == "" || t.OSDistro == "" || t.COE == "" {
			return fmt.Errorf("%w: driver %q provides an incomplete tuple %s", ErrInvalid, info.Name, t)
		}
	}
	return nil
}

// Select returns the driver for a tuple, or a *NoDriverError wrapping
// ErrNoDriver.
func (r *Registry) Select(t Tuple) (Driver, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if e := r.selectLocked(t); e.driver != nil {
		return e.driver, nil
	}
	return nil, &NoDriverError{Tuple: t}
}

// selectLocked returns the winning entry for t, or a zero entry.
func (r *Registry) selectLocked(t Tuple) entry {
	var best entry
	bestRank := len(r.preferred) + 1
	for _, e := range r.entries {
		if r.disabled[e.info.Name] || !slices.Contains(e.info.Provides, t) {
			continue
		}
		rank := slices.Index(r.preferred, e.info.Name)
		if rank < 0 {
			rank = len(r.preferred)
		}
		if rank < bestRank {
			best, bestRank = e, rank
		}
	}
	return best
}

// Enabled reports whether the driver of this name may be selected.
func (r *Registry) Enabled(name string) bool { return !r.disabled[name] }

// Infos lists the registered drivers in registration order, disabled ones
// included.
func (r *Registry) Infos() []Info {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Info, len(r.entries))
	for i, e := range r.entries {
		out[i] = e.info
	}
	return out
}
