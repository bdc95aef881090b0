package heat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"
)

// CreateStack starts creating the stack and returns its ID.
//
// A create is not idempotent, so it is never blindly retried. When an
// attempt fails ambiguously (a 5xx, a dropped connection, a timeout) the
// Client looks the stack up by name: if Heat has it, its ID is returned;
// if not, the create is sent again after a backoff. Because Heat refuses a
// second stack with the same name (409), a create that did land while its
// answer was lost is found rather than duplicated. A 409 on the first
// attempt means the name was already taken: ErrConflict.
func (c *Client) CreateStack(ctx context.Context, spec StackSpec) (string, error) {
	body, err := createBody(spec)
	if err != nil {
		return "", err
	}
	for n := 1; ; n++ {
		var created *stacks.CreatedStack
		err := c.attempt(ctx, func(ctx context.Context) error {
			var err error
			created, err = stacks.Create(ctx, c.sc, body).Extract()
			return err
		})
		switch {
		case err == nil:
			c.names.put(created.ID, spec.Name)
			return created.ID, nil
		case n > 1 && errors.Is(err, ErrConflict):
			// An earlier attempt reached Heat after all.
			id, lerr := c.created(ctx, spec.Name, err)
			if errors.Is(lerr, ErrNotFound) {
				return "", err
			}
			return id, lerr
		case !errors.Is(err, ErrUnavailable):
			return "", err
		}
		if id, lerr := c.created(ctx, spec.Name, err); lerr == nil || !errors.Is(lerr, ErrNotFound) {
			return id, lerr
		}
		if n >= c.retry.Attempts {
			return "", err
		}
		wait := c.retry.Backoff(n + 1)
		c.log.LogAttrs(ctx, slog.LevelWarn, "heat: create failed before Heat stored the stack; sending it again",
			slog.String("stack", spec.Name), slog.Int("attempt", n), slog.Duration("wait", wait), slog.Any("error", err))
		if err := sleep(ctx, wait); err != nil {
			return "", classify(ctx, err)
		}
	}
}

// created looks up by name a stack whose create may have reached Heat and
// returns its ID. A stack Heat does not have gives ErrNotFound; any other
// failure of the look-up is reported together with the create's error.
func (c *Client) created(ctx context.Context, name string, createErr error) (string, error) {
	st, err := c.find(ctx, name)
	switch {
	case err == nil:
		c.log.LogAttrs(ctx, slog.LevelInfo, "heat: create outcome was unclear; the stack exists",
			slog.String("stack", name), slog.String("id", st.ID))
		return st.ID, nil
	case errors.Is(err, ErrNotFound):
		return "", err
	default:
		return "", fmt.Errorf("%w (and looking the stack up failed: %w)", createErr, err)
	}
}

// UpdateStack sends a PATCH update: Heat keeps the stack's template,
// files, environment and parameters, and applies those the update names.
func (c *Client) UpdateStack(ctx context.Context, id string, update StackUpdate) error {
	body, err := patchBody(update)
	if err != nil {
		return err
	}
	ref, err := c.resolve(ctx, id)
	if err != nil {
		return err
	}
	return c.idempotent(ctx, "update stack", func(ctx context.Context) error {
		return stacks.UpdatePatch(ctx, c.sc, ref.name, ref.id, body).ExtractErr()
	})
}

// DeleteStack starts deleting the stack. A stack Heat does not know gives
// ErrNotFound; one busy with another action may give ErrConflict. When an
// attempt failed ambiguously and the retry finds the stack gone, the
// delete has done its job and DeleteStack returns nil.
func (c *Client) DeleteStack(ctx context.Context, id string) error {
	ref, err := c.resolve(ctx, id)
	if err != nil {
		return err
	}
	retried := false
	return c.idempotent(ctx, "delete stack", func(ctx context.Context) error {
		err := stacks.Delete(ctx, c.sc, ref.name, ref.id).ExtractErr()
		if retried && gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil
		}
		retried = true
		return err
	})
}

// GetStack returns the stack with its outputs and parameters. Heat keeps
// a deleted stack for a while: addressed by ID it may still answer, with
// status DELETE_COMPLETE, before it answers ErrNotFound.
func (c *Client) GetStack(ctx context.Context, id string) (*Stack, error) {
	if err := checkKey(id); err != nil {
		return nil, err
	}
	var st *stacks.RetrievedStack
	var err error
	if name, ok := c.names.get(id); ok {
		st, err = c.get(ctx, stackRef{name: name, id: id})
	} else {
		st, err = c.find(ctx, id)
	}
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
