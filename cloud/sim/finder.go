package sim

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// newID returns a fresh object ID.
func newID() string { return uuid.NewString() }

// finder looks objects of one kind up by ID or name, as a given project.
type finder[T any] struct {
	what    string // "Network", "Security group": the start of messages
	name    func(*T) string
	project func(*T) string
	// shared reports whether project p sees an object it does not own;
	// nil means never.
	shared func(obj *T, p string) bool
}

// visible reports whether project p sees obj.
func (f finder[T]) visible(obj *T, p string) bool {
	return f.project(obj) == p || (f.shared != nil && f.shared(obj, p))
}

// describer returns a describeFunc for the object id of the map pick
// selects, as seen by scope.
func (f finder[T]) describer(pick func(*state) map[string]*T, id, scope string) describeFunc {
	return func(st *state) (string, string, error) {
		obj, err := f.get(pick(st), id, scope)
		if err != nil {
			return "", "", err
		}
		return f.name(obj), f.project(obj), nil
	}
}

// find resolves ref (an ID, else a name) among m's objects as seen by
// project ("" sees everything). An object that exists but is hidden from
// the project gives an error wrapping cloud.ErrForbidden; several visible
// objects with the name give cloud.ErrAmbiguous.
func (f finder[T]) find(m map[string]*T, ref, project string) (*T, error) {
	if ref == "" {
		return nil, invalid("%s name or ID is required", strings.ToLower(f.what))
	}
	if obj, ok := m[ref]; ok {
		if project != "" && !f.visible(obj, project) {
			return nil, forbidden("%s %s is not available to project %s.", f.what, ref, project)
		}
		return obj, nil
	}
	var match *T
	hidden, n := false, 0
	for _, obj := range m {
		if f.name(obj) != ref {
			continue
		}
		if project != "" && !f.visible(obj, project) {
			hidden = true
			continue
		}
		match = obj
		n++
	}
	switch {
	case n == 1:
		return match, nil
	case n > 1:
		return nil, ambiguous("Multiple %s matches found for name '%s', use an ID to be more specific.",
			strings.ToLower(f.what), ref)
	case hidden:
		return nil, forbidden("%s %s is not available to project %s.", f.what, ref, project)
	default:
		return nil, notFound("%s %s could not be found.", f.what, ref)
	}
}

// get returns the object with ID id, visible to project.
func (f finder[T]) get(m map[string]*T, id, project string) (*T, error) {
	obj, ok := m[id]
	if !ok || (project != "" && !f.visible(obj, project)) {
		return nil, notFound("%s %s could not be found.", f.what, id)
	}
	return obj, nil
}

// list returns the objects of a project ("" for all) sorted by ID.
func list[T, V any](ctx context.Context, c *Cloud, pick func(*state) map[string]*T, projectID string,
	project func(*T) string, view func(*state, *T) V) ([]V, error) {
	var out []V
	err := c.view(ctx, func(st *state) error {
		m := pick(st)
		ids := make([]string, 0, len(m))
		for id, obj := range m {
			if projectID == "" || project(obj) == projectID {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			out = append(out, view(st, m[id]))
		}
		return nil
	})
	return out, err
}

// getView returns the view of the object id, as the context's project
// sees it.
func getView[T, V any](ctx context.Context, c *Cloud, f finder[T], pick func(*state) map[string]*T, id string,
	view func(*state, *T) V) (V, error) {
	var out V
	err := c.view(ctx, func(st *state) error {
		obj, err := f.get(pick(st), id, c.scope(ctx))
		if err == nil {
			out = view(st, obj)
		}
		return err
	})
	return out, err
}

// copyOf is the view of objects without slices or maps: a plain copy.
func copyOf[T any](_ *state, obj *T) T { return *obj }
