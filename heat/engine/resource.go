package engine

import (
	"time"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// Resource actions and states, as Heat spells them.
const (
	actInit     = "INIT"
	actCreate   = "CREATE"
	actUpdate   = "UPDATE"
	actDelete   = "DELETE"
	actRollback = "ROLLBACK"

	stInProgress = "IN_PROGRESS"
	stComplete   = "COMPLETE"
	stFailed     = "FAILED"
)

// resourceRecord is a resource's record. Props and Metadata, which change
// only when an action completes, are stored apart from the state when
// they are large (persist.go).
type resourceRecord struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	UUID       string         `json:"uuid"`
	Action     string         `json:"action"`
	Status     string         `json:"status"`
	Reason     string         `json:"reason,omitempty"`
	PhysicalID string         `json:"physical_id,omitempty"`
	Data       map[string]any `json:"data,omitempty"`
	// Props are the resolved properties last applied.
	Props    map[string]any `json:"-"`
	Metadata any            `json:"-"`
	NestedID string         `json:"nested_id,omitempty"`
	// Template is the template file of a template resource.
	Template string    `json:"template,omitempty"`
	Updated  time.Time `json:"updated"`
}

// resource is one resource of a stack. Its fields are guarded by the
// stack's lock.
type resource struct {
	s    *stack
	rec  resourceRecord
	def  *hot.Definition
	kind *kind
	// entry is the registry key that made this a template resource.
	entry string
	// stored is how Props and Metadata are stored (persist.go); nil when
	// they are not.
	stored *appliedRef
}

func (r *resource) state() string { return r.rec.Action + "_" + r.rec.Status }

func (r *resource) status() heat.Status { return heat.Status(r.state()) }

// created reports whether attributes can be read: Heat answers get_attr
// for resources past INIT and not being deleted.
func (r *resource) created() bool {
	return r.rec.Action != actInit && r.rec.Action != actDelete
}

func (r *resource) setState(action, status, reason string) {
	r.rec.Action, r.rec.Status, r.rec.Reason = action, status, reason
	r.rec.Updated = r.s.e.now()
}

// hotResource adapts a resource to hot.Resource; the stack lock is held
// while functions are evaluated.
type hotResource struct{ r *resource }

func (h hotResource) RefID() (any, error) {
	r := h.r
	if r.kind.ref != nil {
		return r.kind.ref(r), nil
	}
	if r.rec.PhysicalID == "" {
		return r.rec.Name, nil
	}
	return r.rec.PhysicalID, nil
}

func (h hotResource) Attribute(name string, path []any) (any, error) {
	r := h.r
	if !r.created() {
		return nil, nil
	}
	if r.kind.attr != nil {
		return r.kind.attr(r, name, path)
	}
	return hot.SelectPath(r.rec.Data[name], path), nil
}

func (h hotResource) Attributes() (any, error) {
	r := h.r
	if !r.created() || r.rec.Status == stFailed {
		return nil, nil
	}
	out := map[string]any{}
	for _, a := range r.kind.attrNames(r) {
		v, err := h.Attribute(a, nil)
		if err != nil {
			return nil, err
		}
		out[a] = v
	}
	return out, nil
}

func (h hotResource) HasAttribute(name string) bool {
	return h.r.kind.hasAttr(h.r, name)
}
