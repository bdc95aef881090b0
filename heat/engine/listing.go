package engine

import (
	"context"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/heat"
)

// ListStacks returns the live top-level stacks, newest first, filtered
// by tags and paged by marker and limit.
func (e *Engine) ListStacks(ctx context.Context, opts heat.ListOptions) ([]heat.Stack, string, error) {
	stacks, err := e.topLevel()
	if err != nil {
		return nil, "", err
	}
	var all []heat.Stack
	for _, s := range stacks {
		s.mu.Lock()
		if !s.deleted() && hasTags(s.rec.Tags, opts.Tags) {
			all = append(all, s.view(false))
		}
		s.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b heat.Stack) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if err := e.flush(ctx); err != nil {
		return nil, "", err
	}
	return page(all, opts)
}

// topLevel returns the top-level stacks whose name is taken: those not
// deleted, found through the names rather than among every nested stack.
func (e *Engine) topLevel() ([]*stack, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return nil, errClosed
	}
	out := make([]*stack, 0, len(e.names))
	for _, id := range e.names {
		if s := e.stacks[id]; s != nil {
			out = append(out, s)
		}
	}
	return out, nil
}

func hasTags(have, want []string) bool {
	for _, t := range want {
		if !slices.Contains(have, t) {
			return false
		}
	}
	return true
}

func page(all []heat.Stack, opts heat.ListOptions) ([]heat.Stack, string, error) {
	if opts.Marker != "" {
		i := slices.IndexFunc(all, func(s heat.Stack) bool { return s.ID == opts.Marker })
		if i < 0 {
			return nil, "", heat.NewError(heat.ErrNotFound, "The Stack ("+opts.Marker+") could not be found.")
		}
		all = all[i+1:]
	}
	if opts.Limit <= 0 || len(all) <= opts.Limit {
		return all, "", nil
	}
	return all[:opts.Limit], all[opts.Limit-1].ID, nil
}

// Resources lists the resources of a stack and of its nested stacks down
// to depth levels.
func (e *Engine) Resources(ctx context.Context, id string, depth int) ([]heat.Resource, error) {
	s, release, err := e.acquire(ctx, id)
	if err != nil {
		return nil, err
	}
	defer release()
	var out []heat.Resource
	e.collect(s, "", 0, depth, &out)
	return out, nil
}

// collect appends the resources of s, then those of its nested stacks.
func (e *Engine) collect(s *stack, parent string, level, depth int, out *[]heat.Resource) {
	s.mu.Lock()
	var children []*stack
	var parents []string
	for _, name := range sortedKeys(s.resources) {
		r := s.resources[name]
		*out = append(*out, heat.Resource{
			Name: r.rec.Name, Type: r.rec.Type, Status: r.status(), StatusReason: r.rec.Reason,
			PhysicalID: r.rec.PhysicalID, Parent: parent, StackID: s.rec.ID, StackName: s.rec.Name,
			Depth: level, UpdatedAt: r.rec.Updated,
		})
		if r.rec.NestedID != "" && level < depth {
			if c := e.stackByID(r.rec.NestedID); c != nil {
				children, parents = append(children, c), append(parents, r.rec.Name)
			}
		}
	}
	s.mu.Unlock()
	for i, c := range children {
		e.collect(c, parents[i], level+1, depth, out)
	}
}

func (e *Engine) stackByID(id string) *stack {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.stacks[id]
}

// FailedResources lists the failed resources of a stack and of all its
// nested stacks, deepest first.
func (e *Engine) FailedResources(ctx context.Context, id string) ([]heat.Resource, error) {
	all, err := e.Resources(ctx, id, maxNestedDepth+1)
	if err != nil {
		return nil, err
	}
	var failed []heat.Resource
	for _, r := range all {
		if r.Status.IsFailed() {
			failed = append(failed, r)
		}
	}
	slices.SortStableFunc(failed, func(a, b heat.Resource) int { return b.Depth - a.Depth })
	return failed, nil
}
