package heat

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stackresources"
)

// allDepths asks Heat for every nesting level; Heat caps it at its
// max_nested_stack_depth (5 by default).
const allDepths = 100

// Resources lists the resources of the stack and of its nested stacks down
// to depth levels below it (0: the stack's own resources only). Each
// resource carries the stack that holds it, its nesting depth and, below
// the top level, the name of the resource in the parent stack.
func (c *Client) Resources(ctx context.Context, id string, depth int) ([]Resource, error) {
	if depth < 0 {
		return nil, &Error{Kind: ErrInvalid, Message: fmt.Sprintf("negative depth %d", depth)}
	}
	ref, err := c.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	var listed []stackresources.Resource
	err = c.idempotent(ctx, "list resources", func(ctx context.Context) error {
		page, err := stackresources.List(c.sc, ref.name, ref.id, stackresources.ListOpts{Depth: depth}).AllPages(ctx)
		if err != nil {
			return err
		}
		listed, err = stackresources.ExtractResources(page)
		return err
	})
	if err != nil {
		return nil, err
	}
	return resourceTree(ref.id, listed), nil
}

// FailedResources lists the failed resources of the stack at every
// nesting level, deepest first, so that the first one is usually the
// root cause (a failed server inside a resource group inside the stack)
// and the later ones are the parents its failure propagated to.
func (c *Client) FailedResources(ctx context.Context, id string) ([]Resource, error) {
	all, err := c.Resources(ctx, id, allDepths)
	if err != nil {
		return nil, err
	}
	failed := slices.DeleteFunc(all, func(r Resource) bool { return !r.Status.IsFailed() })
	slices.SortStableFunc(failed, func(a, b Resource) int { return b.Depth - a.Depth })
	return failed, nil
}

// resourceTree converts Heat's flat resource list into Resources with
// their holding stack and nesting depth. Heat links each resource to the
// stack holding it ("stack") and to the nested stack it owns ("nested");
// the nested links give each nested stack's parent stack.
func resourceTree(rootID string, listed []stackresources.Resource) []Resource {
	parentOf := make(map[string]string) // nested stack ID → ID of the stack holding its resource
	for _, r := range listed {
		if _, nested, ok := stackLink(r.Links, "nested"); ok {
			if _, holder, ok := stackLink(r.Links, "stack"); ok {
				parentOf[nested] = holder
			}
		}
	}
	depthOf := func(stackID string) int {
		d := 0
		for seen := 0; stackID != rootID && seen <= len(parentOf); seen++ {
			parent, ok := parentOf[stackID]
			if !ok {
				break
			}
			stackID = parent
			d++
		}
		return d
	}
	out := make([]Resource, len(listed))
	for i, r := range listed {
		name, stackID, _ := stackLink(r.Links, "stack")
		out[i] = Resource{
			Name:         r.Name,
			Type:         r.Type,
			Status:       Status(r.Status),
			StatusReason: r.StatusReason,
			PhysicalID:   r.PhysicalID,
			Parent:       r.ParentResource,
			StackID:      stackID,
			StackName:    name,
			Depth:        depthOf(stackID),
			UpdatedAt:    r.UpdatedTime,
		}
	}
	return out
}

// stackLink returns the stack name and ID of the first link with the
// given relation.
func stackLink(links []gophercloud.Link, rel string) (name, id string, ok bool) {
	for _, l := range links {
		if l.Rel == rel {
			return parseStackHref(l.Href)
		}
	}
	return "", "", false
}

// parseStackHref extracts name and ID from a stack's URL, which Heat's
// "stack" and "nested" links give as …/stacks/{name}/{id}.
func parseStackHref(href string) (name, id string, ok bool) {
	u, err := url.Parse(href)
	if err != nil {
		return "", "", false
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	n := len(segs)
	if n < 3 || segs[n-3] != "stacks" {
		return "", "", false
	}
	name, err1 := url.PathUnescape(segs[n-2])
	id, err2 := url.PathUnescape(segs[n-1])
	if err1 != nil || err2 != nil || name == "" || id == "" {
		return "", "", false
	}
	return name, id, true
}
