package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// Cloud resources create their objects in the simulated cloud. Each one
// is described by a cloudType: how to create, update, show and delete
// its object; the kind built from it handles the rest.

// service names the OpenStack service of a type, for error classes.
type service int

const (
	nova service = iota
	neutron
	cinder
	octavia
)

type cloudType struct {
	name, class string
	service     service
	props       schema
	attrs       []string
	// create makes the object and returns its ID.
	create func(ctx context.Context, o *op, c *sim.Cloud) (string, error)
	// update applies changed properties in place; nil replaces on any
	// change of an updatable property that needs the cloud.
	update func(ctx context.Context, o *op, c *sim.Cloud) error
	// show returns the object's attributes.
	show   func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error)
	delete func(ctx context.Context, c *sim.Cloud, id string) error
	check  func(s *stack, r *resource, props map[string]any) error
	// replaceOn reports changes that replace the object although the
	// properties allow updates.
	replaceOn func(changed []string, props map[string]any) bool
}

func registerCloud(ts ...*cloudType) {
	for _, t := range ts {
		register(t.kind())
	}
}

func (t *cloudType) kind() *kind {
	return &kind{
		name: t.name, class: t.class, props: t.props, attrs: t.attrs, check: t.check, replaceOn: t.replaceOn,
		service: t.serviceName(),
		create:  func(ctx context.Context, o *op) error { return t.doCreate(ctx, o) },
		update:  func(ctx context.Context, o *op) error { return t.doUpdate(ctx, o) },
		delete:  func(ctx context.Context, o *op) error { return t.doDelete(ctx, o) },
		attr:    func(r *resource, name string, path []any) (any, error) { return t.attribute(r, name, path) },
	}
}

// unavailable is Heat's message for a type whose service is missing.
func unavailable(k *kind) string {
	return "HEAT-E99001 Service " + k.service + " is not available for resource type " + k.name +
		", reason: no cloud is configured for this engine."
}

func (t *cloudType) doCreate(ctx context.Context, o *op) error {
	c := o.e.cloud
	if c == nil {
		return fail("ResourceTypeUnavailable", unavailable(o.r.kind))
	}
	if o.r.rec.PhysicalID != "" {
		_ = t.delete(o.e.cloudCtx(ctx, o.s), c, o.r.rec.PhysicalID)
	}
	id, err := t.create(sim.WithClientToken(o.e.cloudCtx(ctx, o.s), o.clientToken()), o, c)
	if err != nil {
		return t.failure(err)
	}
	o.setPhysical(id)
	return nil
}

func (t *cloudType) doUpdate(ctx context.Context, o *op) error {
	if t.update == nil || o.e.cloud == nil {
		return nil
	}
	if err := t.update(o.e.cloudCtx(ctx, o.s), o, o.e.cloud); err != nil {
		return t.failure(err)
	}
	return nil
}

func (t *cloudType) doDelete(ctx context.Context, o *op) error {
	c := o.e.cloud
	if c == nil || o.r.rec.PhysicalID == "" {
		return nil
	}
	err := t.delete(o.e.cloudCtx(ctx, o.s), c, o.r.rec.PhysicalID)
	if err != nil && !errors.Is(err, cloud.ErrNotFound) {
		return t.failure(err)
	}
	return nil
}

func (t *cloudType) attribute(r *resource, name string, path []any) (any, error) {
	c := r.s.e.cloud
	if c == nil || r.rec.PhysicalID == "" {
		return nil, nil
	}
	attrs, err := t.show(r.s.e.cloudCtx(r.s.e.ctx, r.s), c, r.rec.PhysicalID)
	if err != nil {
		return nil, nil
	}
	if name == "show" {
		return hot.SelectPath(attrs, path), nil
	}
	return hot.SelectPath(attrs[name], path), nil
}

func (t *cloudType) serviceName() string {
	return [...]string{"nova", "neutron", "cinder", "octavia"}[t.service]
}

// failure turns a cloud error into the failure Heat reports, with the
// exception class the service's client raises.
func (t *cloudType) failure(err error) error {
	var qe *sim.QuotaError
	switch {
	case errors.As(err, &qe):
		return fail([...]string{"Forbidden", "OverQuotaClient", "OverLimit", "Forbidden"}[t.service], err.Error())
	case errors.Is(err, sim.ErrNoValidHost), errors.Is(err, sim.ErrInjected) && t.service == nova:
		return fail("ResourceInError", fmt.Sprintf("Went to status ERROR due to \"Message: %s, Code: 500\"", err.Error()))
	case errors.Is(err, cloud.ErrNotFound):
		return fail([...]string{"BadRequest", "NotFound", "NotFound", "NotFound"}[t.service], err.Error())
	case errors.Is(err, sim.ErrConflict):
		return fail("Conflict", err.Error())
	case errors.Is(err, sim.ErrInvalid):
		return fail("BadRequest", err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return fail("Error", err.Error())
}

// nameOr returns the name property, or the physical name Heat gives.
func nameOr(o *op, key string) string {
	if n := o.str(key); n != "" {
		return n
	}
	return o.physicalName()
}

// strList reads a list property of strings.
func strList(v any) []string {
	var out []string
	for _, e := range asList(v) {
		if e != nil {
			out = append(out, hot.PyStr(e))
		}
	}
	return out
}

func strMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		out[k] = hot.PyStr(e)
	}
	return out
}

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }

func strOf(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// intOf reads an integer that may have come back from JSON as a float64.
func intOf(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0
}

func anyStrings(s []string) []any {
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}

// isNotFound reports whether err says the object does not exist.
func isNotFound(err error) bool { return errors.Is(err, cloud.ErrNotFound) }
