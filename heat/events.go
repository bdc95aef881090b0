package heat

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stackevents"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

// Event is one status change of a stack or of one of its resources, as
// Heat records it. The stack's own events carry the stack's name as
// ResourceName.
type Event struct {
	ID           string
	ResourceName string
	// PhysicalID is the ID of the resource's underlying object, if any.
	PhysicalID   string
	Status       Status
	StatusReason string
	Time         time.Time
}

// EventOptions pages and orders the events of a stack.
type EventOptions struct {
	// Limit is the page size; zero means Heat's default.
	Limit int
	// Marker is the ID of the last event of the previous page.
	Marker string
	// Newest lists the most recent events first; otherwise the oldest come
	// first, which suits tailing a stack with Marker.
	Newest bool
}

// Events returns one page of the events of the stack (not of its nested
// stacks) and the marker of the next page, empty on the last one.
func (c *Client) Events(ctx context.Context, id string, opts EventOptions) ([]Event, string, error) {
	if opts.Limit < 0 {
		return nil, "", &Error{Kind: ErrInvalid, Message: fmt.Sprintf("negative limit %d", opts.Limit)}
	}
	if opts.Marker != "" {
		if err := checkKey(opts.Marker); err != nil {
			return nil, "", err
		}
	}
	ref, err := c.resolve(ctx, id)
	if err != nil {
		return nil, "", err
	}
	query := stackevents.ListOpts{Limit: opts.Limit, Marker: opts.Marker, SortDir: stackevents.SortAsc}
	if opts.Newest {
		query.SortDir = stackevents.SortDesc
	}
	var listed []stackevents.Event
	err = c.idempotent(ctx, "list events", func(ctx context.Context) error {
		// One page only: the pager would otherwise follow markers to the end.
		return stackevents.List(c.sc, ref.name, ref.id, query).EachPage(ctx,
			func(_ context.Context, p pagination.Page) (bool, error) {
				var err error
				listed, err = stackevents.ExtractEvents(p)
				return false, err
			})
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]Event, len(listed))
	for i, e := range listed {
		out[i] = Event{
			ID:           e.ID,
			ResourceName: e.ResourceName,
			PhysicalID:   e.PhysicalResourceID,
			Status:       Status(e.ResourceStatus),
			StatusReason: e.ResourceStatusReason,
			Time:         e.Time,
		}
	}
	next := ""
	if opts.Limit > 0 && len(out) == opts.Limit {
		next = out[len(out)-1].ID
	}
	return out, next, nil
}
