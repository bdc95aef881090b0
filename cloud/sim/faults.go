package sim

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"sync"
	"time"
)

// Effect is what an injected Fault does.
type Effect int

// Effects of injected faults.
const (
	// EffectError makes the operation fail with Fault.Message (or a
	// generic text); the error wraps ErrInjected. Any kind, create or
	// delete.
	EffectError Effect = iota + 1
	// EffectNoValidHost makes a server create fail as Nova's scheduler
	// does: "No valid host was found. There are not enough hosts
	// available." The error wraps ErrNoValidHost.
	EffectNoValidHost
	// EffectImageNotFound makes a server or volume create fail with
	// "Image <ref> could not be found.", wrapping cloud.ErrNotFound.
	EffectImageNotFound
	// EffectBootFailure lets the server become ACTIVE, but its guest fails
	// to boot: WaitBooted returns an error wrapping ErrBootFailed.
	EffectBootFailure
	// EffectNoSignal lets the server become ACTIVE, but its guest never
	// reports: WaitBooted blocks until its context ends, so a
	// WaitCondition on it times out.
	EffectNoSignal
)

var effectNames = map[Effect]string{
	EffectError: "error", EffectNoValidHost: "no-valid-host", EffectImageNotFound: "image-not-found",
	EffectBootFailure: "boot-failure", EffectNoSignal: "no-signal",
}

func (e Effect) String() string {
	if s, ok := effectNames[e]; ok {
		return s
	}
	return fmt.Sprintf("Effect(%d)", int(e))
}

// Fault is a failure to inject. It matches an operation on an object by
// kind, operation, name pattern and project; it fires Times times (0:
// every time) and then expires.
type Fault struct {
	Kind Kind
	// Op is OpCreate when empty. OpDelete works with EffectError only.
	Op Op
	// Name is a path.Match pattern ("*-master-*") on the object's name;
	// empty matches every name. Kinds without a name match on: a floating
	// IP's description, a security group rule's description, a router
	// interface's subnet or port reference, a volume attachment's volume
	// ID, a trustee's user name ("<cluster uuid>_<project id>").
	// Deletes match on the same names, except for rules and router
	// interfaces, which match on their ID (the interface's port ID).
	Name string
	// ProjectID restricts the fault to one project; empty matches all.
	ProjectID string
	Effect    Effect
	// Message replaces the default text of EffectError and
	// EffectBootFailure.
	Message string
	// Times bounds how often the fault fires; 0 means without end.
	Times int
}

// validate checks that the fault can fire.
func (f Fault) validate() error {
	if !slices.Contains(kinds, f.Kind) {
		return invalid("fault: unknown kind %q", f.Kind)
	}
	if f.Op != "" && f.Op != OpCreate && f.Op != OpDelete {
		return invalid("fault: unknown op %q", f.Op)
	}
	if _, err := path.Match(f.Name, ""); err != nil {
		return invalid("fault: bad name pattern %q: %v", f.Name, err)
	}
	if f.Times < 0 {
		return invalid("fault: times %d is negative", f.Times)
	}
	switch f.Effect {
	case EffectError:
		return nil
	case EffectImageNotFound:
		if f.Kind != KindServer && f.Kind != KindVolume {
			return invalid("fault: %s applies to servers and volumes, not %s", f.Effect, f.Kind)
		}
	case EffectNoValidHost, EffectBootFailure, EffectNoSignal:
		if f.Kind != KindServer {
			return invalid("fault: %s applies to servers, not %s", f.Effect, f.Kind)
		}
	default:
		return invalid("fault: unknown effect %d", int(f.Effect))
	}
	if f.Op == OpDelete {
		return invalid("fault: %s cannot apply to a delete", f.Effect)
	}
	return nil
}

func (f Fault) op() Op {
	if f.Op == "" {
		return OpCreate
	}
	return f.Op
}

// faultSet holds the injected faults.
type faultSet struct {
	mu     sync.Mutex
	nextID int
	faults []*armedFault
}

type armedFault struct {
	id   int
	left int // firings left; -1 for without end
	Fault
}

func (s *faultSet) add(f Fault) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	left := f.Times
	if left == 0 {
		left = -1
	}
	s.faults = append(s.faults, &armedFault{id: s.nextID, left: left, Fault: f})
	return s.nextID
}

func (s *faultSet) remove(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = slices.DeleteFunc(s.faults, func(a *armedFault) bool { return a.id == id })
}

// fire returns the first fault matching the operation and uses it up, or
// nil. Faults fire in the order they were injected.
func (s *faultSet) fire(kind Kind, op Op, name, project string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range s.faults {
		if a.Kind != kind || a.op() != op || (a.ProjectID != "" && a.ProjectID != project) {
			continue
		}
		if ok, _ := path.Match(a.Name, name); a.Name != "" && !ok {
			continue
		}
		if a.left > 0 {
			a.left--
			if a.left == 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
		}
		f := a.Fault
		return &f
	}
	return nil
}

// InjectFault arms a fault and returns a function that disarms it.
func (c *Cloud) InjectFault(f Fault) (remove func(), err error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	id := c.faults.add(f)
	return func() { c.faults.remove(id) }, nil
}

// ClearFaults disarms every fault.
func (c *Cloud) ClearFaults() {
	c.faults.mu.Lock()
	defer c.faults.mu.Unlock()
	c.faults.faults = nil
}

// injectedError is the error of an EffectError fault.
func injectedError(f *Fault, kind Kind, op Op, name string) error {
	msg := f.Message
	if msg == "" {
		msg = fmt.Sprintf("Injected failure: %s %s %q failed.", op, kind, name)
	}
	return &simError{msg: msg, kinds: []error{ErrInjected}}
}

// Delays slow operations down, per kind and operation, to test timing.
// The zero value means no delay anywhere.
type Delays struct {
	// Create delays the create of each kind (for servers: the time from
	// the request to ACTIVE).
	Create map[Kind]time.Duration
	// Delete delays the delete of each kind.
	Delete map[Kind]time.Duration
	// Boot is the time a server's guest takes from ACTIVE to the end of
	// its boot (when WaitBooted returns).
	Boot time.Duration
}

func (d Delays) validate() error {
	for _, m := range []map[Kind]time.Duration{d.Create, d.Delete} {
		for k, v := range m {
			if !slices.Contains(kinds, k) {
				return invalid("delays: unknown kind %q", k)
			}
			if v < 0 {
				return invalid("delays: %s delay %v is negative", k, v)
			}
		}
	}
	if d.Boot < 0 {
		return invalid("delays: boot delay %v is negative", d.Boot)
	}
	return nil
}

// SetDelays replaces the delays; operations already waiting keep theirs.
func (c *Cloud) SetDelays(d Delays) error {
	if err := d.validate(); err != nil {
		return err
	}
	d = d.clone()
	c.delays.Store(&d)
	return nil
}

// clone copies the maps, so the caller may change its own afterwards.
func (d Delays) clone() Delays {
	d.Create, d.Delete = maps.Clone(d.Create), maps.Clone(d.Delete)
	return d
}

// before runs what precedes every create and delete: the operation's
// delay, then the faults. It returns the fault that fired with an effect
// the caller applies itself, or the error of an EffectError fault.
func (c *Cloud) before(ctx context.Context, kind Kind, op Op, name, project string) (*Fault, error) {
	d := c.delays.Load()
	m := d.Create
	if op == OpDelete {
		m = d.Delete
	}
	if err := sleep(ctx, c.clock, m[kind]); err != nil {
		return nil, err
	}
	f := c.faults.fire(kind, op, name, project)
	if f != nil && f.Effect == EffectError {
		return nil, injectedError(f, kind, op, name)
	}
	return f, nil
}
