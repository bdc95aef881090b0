package heat

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"
)

// CreateStack starts creating the stack and returns its ID.
//
// A create is never sent twice blindly. When an attempt fails ambiguously
// (a 5xx, a dropped connection, a timeout) the Client looks the stack up
// by name: if Heat has it, its ID is returned; if not, the create is sent
// again after a backoff. Heat refuses a second stack of the same name, so
// a create that landed while its answer was lost is found, never
// duplicated. A 409 on the first attempt means the name was already
// taken: ErrConflict.
func (c *Client) CreateStack(ctx context.Context, spec StackSpec) (string, error) {
	body, err := createBody(spec)
	if err != nil {
		return "", err
	}
	var id string
	err = c.sendOnce(ctx, "create stack", func(ctx context.Context) error {
		created, err := stacks.Create(ctx, c.sc, body).Extract()
		if err == nil {
			id = created.ID
		}
		return err
	}, func(ctx context.Context) (bool, error) {
		st, err := c.find(ctx, spec.Name)
		switch {
		case errors.Is(err, ErrNotFound):
			return false, nil
		case err != nil:
			return false, err
		}
		id = st.ID
		return true, nil
	})
	if err != nil {
		return "", err
	}
	c.names.put(id, spec.Name)
	return id, nil
}

// UpdateStack sends a PATCH update: Heat keeps the stack's template,
// files, environment and parameters, and applies those the update names.
//
// An update is never sent twice blindly either: Heat would start it over,
// cancelling the nested stacks of the first one, which can fail the
// stack. When an attempt fails ambiguously, the Client sends it again
// only if the stack's update time has not moved since before the first
// attempt. (Heat keeps that time in whole seconds: an update that another
// client started in the same second would pass for this one.)
func (c *Client) UpdateStack(ctx context.Context, id string, update StackUpdate) error {
	body, err := patchBody(update)
	if err != nil {
		return err
	}
	before, err := c.current(ctx, id)
	if err != nil {
		return err
	}
	ref := stackRef{name: before.Name, id: before.ID}
	return c.sendOnce(ctx, "update stack", func(ctx context.Context) error {
		return stacks.UpdatePatch(ctx, c.sc, ref.name, ref.id, body).ExtractErr()
	}, func(ctx context.Context) (bool, error) {
		now, err := c.get(ctx, ref)
		if err != nil {
			return false, err
		}
		return now.UpdatedTime.After(before.UpdatedTime), nil
	})
}

// DeleteStack starts deleting the stack. A stack Heat does not know gives
// ErrNotFound; one busy with another action may give ErrConflict. When an
// attempt fails ambiguously, the delete is sent again only if the stack
// is neither gone nor being deleted.
func (c *Client) DeleteStack(ctx context.Context, id string) error {
	ref, err := c.resolve(ctx, id)
	if err != nil {
		return err
	}
	return c.sendOnce(ctx, "delete stack", func(ctx context.Context) error {
		return stacks.Delete(ctx, c.sc, ref.name, ref.id).ExtractErr()
	}, func(ctx context.Context) (bool, error) {
		now, err := c.get(ctx, ref)
		switch {
		case errors.Is(err, ErrNotFound):
			return true, nil
		case err != nil:
			return false, err
		}
		s := Status(now.Status)
		return s == DeleteInProgress || s == DeleteComplete, nil
	})
}

// GetStack returns the stack with its outputs and parameters. Heat keeps
// a deleted stack for a while: addressed by ID it may still answer, with
// status DELETE_COMPLETE, before it answers ErrNotFound.
func (c *Client) GetStack(ctx context.Context, id string) (*Stack, error) {
	st, err := c.current(ctx, id)
	if err != nil {
		return nil, err
	}
	return retrievedStack(st), nil
}

// ListStacks returns one page of the project's top-level stacks, without
// outputs and parameters, newest first. opts.Tags keeps the stacks that
// carry all the tags. The returned marker is the last stack's ID when the
// page is full (opts.Limit > 0), to pass as opts.Marker for the next page;
// it is empty on the last page.
func (c *Client) ListStacks(ctx context.Context, opts ListOptions) ([]Stack, string, error) {
	if opts.Limit < 0 {
		return nil, "", &Error{Kind: ErrInvalid, Message: fmt.Sprintf("negative limit %d", opts.Limit)}
	}
	if opts.Marker != "" {
		if err := checkKey(opts.Marker); err != nil {
			return nil, "", err
		}
	}
	for _, t := range opts.Tags {
		if t == "" || strings.Contains(t, ",") {
			return nil, "", &Error{Kind: ErrInvalid, Message: fmt.Sprintf("invalid tag %q", t)}
		}
	}
	query := stacks.ListOpts{
		Tags:    strings.Join(opts.Tags, ","),
		Limit:   opts.Limit,
		Marker:  opts.Marker,
		SortKey: stacks.SortCreatedAt,
		SortDir: stacks.SortDesc,
		// Heat ignores global_tenant=false, and refuses true to non-admins.
		AllTenants: c.cfg.allProjects,
	}
	var listed []stacks.ListedStack
	err := c.idempotent(ctx, "list stacks", func(ctx context.Context) error {
		page, err := stacks.List(c.sc, query).AllPages(ctx)
		if err != nil {
			return err
		}
		listed, err = stacks.ExtractStacks(page)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]Stack, len(listed))
	for i, ls := range listed {
		c.names.put(ls.ID, ls.Name)
		out[i] = listedStack(ls)
	}
	next := ""
	if opts.Limit > 0 && len(out) == opts.Limit {
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// retrievedStack converts Heat's full view of a stack.
func retrievedStack(st *stacks.RetrievedStack) *Stack {
	s := &Stack{
		ID:           st.ID,
		Name:         st.Name,
		Status:       Status(st.Status),
		StatusReason: st.StatusReason,
		Parameters:   st.Parameters,
		Tags:         st.Tags,
		CreatedAt:    st.CreationTime,
		UpdatedAt:    st.UpdatedTime,
	}
	if len(st.Outputs) > 0 {
		s.Outputs = make(map[string]any, len(st.Outputs))
		for _, o := range st.Outputs {
			if key, ok := o["output_key"].(string); ok {
				s.Outputs[key] = o["output_value"]
			}
		}
	}
	return s
}

// listedStack converts Heat's summary of a stack in a list.
func listedStack(ls stacks.ListedStack) Stack {
	return Stack{
		ID:           ls.ID,
		Name:         ls.Name,
		Status:       Status(ls.Status),
		StatusReason: ls.StatusReason,
		Tags:         ls.Tags,
		CreatedAt:    ls.CreationTime,
		UpdatedAt:    ls.UpdatedTime,
	}
}
