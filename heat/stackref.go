package heat

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"
)

// nameCacheSize bounds the number of stack names a Client remembers.
const nameCacheSize = 4096

var (
	// stackNamePattern is Heat's rule for stack names.
	stackNamePattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$`)
	// stackKeyPattern accepts a stack name or ID (a UUID) as one URL path
	// segment.
	stackKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$`)
)

// checkName refuses a name Heat would refuse, before it is put in a URL.
func checkName(name string) error {
	if !stackNamePattern.MatchString(name) {
		return &Error{Kind: ErrInvalid, Message: fmt.Sprintf(
			"invalid stack name %q: it must start with a letter and hold at most 255 letters, digits, '_', '-' or '.'", name)}
	}
	return nil
}

// checkKey refuses a stack ID or name that cannot address a stack.
func checkKey(key string) error {
	if !stackKeyPattern.MatchString(key) {
		return &Error{Kind: ErrInvalid, Message: fmt.Sprintf("invalid stack id %q", key)}
	}
	return nil
}

// stackRef is the address Heat wants: /stacks/{name}/{id}.
type stackRef struct{ name, id string }

// nameCache maps stack IDs to names. Both are immutable for a stack's
// life, so entries never go stale; the cache only drops them when full or
// when Heat no longer knows the stack.
type nameCache struct {
	mu    sync.Mutex
	max   int
	names map[string]string
}

func newNameCache(limit int) *nameCache {
	return &nameCache{max: limit, names: make(map[string]string)}
}

func (n *nameCache) get(id string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	name, ok := n.names[id]
	return name, ok
}

// put records a stack's name, evicting an arbitrary entry when full.
func (n *nameCache) put(id, name string) {
	if id == "" || name == "" {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.names[id]; !ok && len(n.names) >= n.max {
		for old := range n.names {
			delete(n.names, old)
			break
		}
	}
	n.names[id] = name
}

func (n *nameCache) forget(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.names, id)
}

// resolve returns the name and ID of the stack key (an ID or a name),
// from the cache or from Heat.
func (c *Client) resolve(ctx context.Context, key string) (stackRef, error) {
	if err := checkKey(key); err != nil {
		return stackRef{}, err
	}
	if name, ok := c.names.get(key); ok {
		return stackRef{name: name, id: key}, nil
	}
	st, err := c.find(ctx, key)
	if err != nil {
		return stackRef{}, err
	}
	return stackRef{name: st.Name, id: st.ID}, nil
}

// current fetches the stack key (an ID or a name) as it is now, by its
// full address when its name is known.
func (c *Client) current(ctx context.Context, key string) (*stacks.RetrievedStack, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if name, ok := c.names.get(key); ok {
		return c.get(ctx, stackRef{name: name, id: key})
	}
	return c.find(ctx, key)
}

// find fetches a stack by ID or name alone. Heat redirects the GET to
// /stacks/{name}/{id}, which net/http follows; the name is then cached.
func (c *Client) find(ctx context.Context, key string) (*stacks.RetrievedStack, error) {
	var st *stacks.RetrievedStack
	err := c.idempotent(ctx, "find stack", func(ctx context.Context) error {
		var err error
		st, err = stacks.Find(ctx, c.sc, key).Extract()
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			c.names.forget(key)
		}
		return nil, err
	}
	c.names.put(st.ID, st.Name)
	return st, nil
}

// get fetches a stack by its full address.
func (c *Client) get(ctx context.Context, ref stackRef) (*stacks.RetrievedStack, error) {
	var st *stacks.RetrievedStack
	err := c.idempotent(ctx, "get stack", func(ctx context.Context) error {
		var err error
		st, err = stacks.Get(ctx, c.sc, ref.name, ref.id).Extract()
		return err
	})
	if errors.Is(err, ErrNotFound) {
		c.names.forget(ref.id)
	}
	return st, err
}
