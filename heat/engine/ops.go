package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// op is one action on one resource, handed to the kind's handler. The
// handler runs without the stack lock and holds a concurrency slot until
// it calls release (directly or through sleep and waitFor).
type op struct {
	e      *Engine
	s      *stack
	r      *resource
	action string
	// props are the resolved properties to apply; old the previous ones.
	props, old map[string]any
	// changed lists the properties that differ on an update.
	changed []string

	releaseOnce sync.Once
	slotHeld    bool
}

// acquire takes a concurrency slot.
func (o *op) acquire(ctx context.Context) error {
	select {
	case o.e.slots <- struct{}{}:
		o.slotHeld = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives the slot back; later calls do nothing.
func (o *op) release() {
	if !o.slotHeld {
		return
	}
	o.releaseOnce.Do(func() { <-o.e.slots })
}

// sleep waits d (without holding a slot) or until ctx ends.
func (o *op) sleep(ctx context.Context, d time.Duration) error {
	o.release()
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// delay waits the configured delay of the resource's type.
func (o *op) delay(ctx context.Context) error {
	return o.sleep(ctx, o.e.delays[o.r.kind.name])
}

// str, num, boolean and list read resolved properties.
func (o *op) str(key string) string {
	s, _ := o.props[key].(string)
	return s
}

func (o *op) num(key string) float64 {
	switch x := o.props[key].(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

func (o *op) boolean(key string) bool { b, _ := o.props[key].(bool); return b }

func (o *op) list(key string) []any { l, _ := o.props[key].([]any); return l }

// setPhysical records the ID of an object made outside the resource's
// record (in the cloud, a nested stack) and persists it at once, with
// the data set before it, so a restart knows the object exists.
func (o *op) setPhysical(id string) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	o.r.rec.PhysicalID = id
	o.e.saveResource(o.s, o.r, false)
}

// clientToken identifies this create of the resource to the cloud (see
// sim.WithClientToken): a digest of the stack, the serial of the action
// running on it and the resource's name. The create resumed after a
// restart has the same token, and gets the object it made before the
// restart rather than a second one; the create of a later action (a
// replacement, a retry after a failure, a rollback) has another, and
// makes a new object. The resource's UUID would not do: a resource that
// had not stored its state gets a new one when it is loaded.
func (o *op) clientToken() string {
	o.s.mu.Lock()
	key := o.s.rec.ID + "/" + strconv.Itoa(o.s.rec.Serial) + "/" + o.r.rec.Name
	o.s.mu.Unlock()
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// nestedSerial is the action serial of a nested stack the operation
// begins an action on: its own stack's, which is the top-level action's.
// A nested action begun again because the top-level one resumed after a
// restart keeps its serial, and its creates their tokens.
func (o *op) nestedSerial() int {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	return o.s.rec.Serial
}

// setLocalID records the ID of an object that lives in the engine only
// (a config, a handle, a generated value). Like data, it is persisted
// with the resource's next write: a restart before then makes the
// object again.
func (o *op) setLocalID(id string) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	o.r.rec.PhysicalID = id
}

// setData stores per-resource state (a generated value, an object ID).
// It is persisted with the resource's next write: its physical ID, or
// the end of the action. Until then a restart runs the action again.
func (o *op) setData(key string, v any) {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	if o.r.rec.Data == nil {
		o.r.rec.Data = map[string]any{}
	}
	o.r.rec.Data[key] = v
}

// data reads per-resource state.
func (o *op) data(key string) any {
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	return o.r.rec.Data[key]
}

// physicalName is Heat's physical_resource_name: stack-resource-shortid.
func (o *op) physicalName() string {
	return strings.TrimRight(o.s.rec.Name, "*") + "-" + o.r.rec.Name + "-" + shortID()
}

// failure is a resource failure with the Python-style class Heat prints.
type failure struct {
	class string
	msg   string
}

func (f *failure) Error() string { return f.msg }

// fail returns an error printed as "<class>: resources.<name>: <msg>".
func fail(class, msg string) error { return &failure{class: class, msg: msg} }

// nestedFailure carries the status reason of a failed nested stack.
type nestedFailure struct{ reason string }

func (n *nestedFailure) Error() string { return n.reason }

// failureReason formats a resource's failure the way Heat's
// ResourceFailure does, so the stack reason reads
// "Resource CREATE failed: <class>: resources.<name>: <message>".
func failureReason(r *resource, action string, err error) string {
	var nf *nestedFailure
	if errors.As(err, &nf) {
		return nestedReason(r, action, nf.reason)
	}
	class, msg := errorClass(err), err.Error()
	var he *hot.Error
	if errors.As(err, &he) && he.Type == hot.TypeStackValidationFailed {
		msg = he.Error()
	}
	return class + ": " + hot.FormatPath([]string{"resources", r.rec.Name}) + ": " + msg
}

func errorClass(err error) string {
	var f *failure
	if errors.As(err, &f) {
		return f.class
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Timeout"
	}
	if errors.Is(err, context.Canceled) {
		return "CancelOperation"
	}
	return hot.ErrorClass(err)
}

// nestedReason re-paths the reason of a failed nested stack under the
// parent resource, as Heat's ResourceFailure._from_status_reason does.
func nestedReason(r *resource, action, reason string) string {
	prefix := "Resource " + action + " failed: "
	base := []string{"resources", r.rec.Name}
	if !strings.Contains(reason, prefix) {
		return hot.FormatPath(base) + ": " + reason
	}
	parts := strings.Split(reason, ":")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) < 4 {
		return hot.FormatPath(base) + ": " + reason
	}
	path := append(base, strings.Split(parts[2], ".")...)
	return parts[1] + ": " + hot.FormatPath(path) + ": " + strings.Join(parts[3:], ": ")
}
