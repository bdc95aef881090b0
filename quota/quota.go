// Package quota enforces per-project limits on the resources gomagnum
// creates. A limit is a project's own quota when one is set, otherwise the
// resource's default; a request is refused when what the project already
// uses plus what it asks for would exceed the limit.
//
// Enforcement is atomic when the Counter runs inside the same store
// transaction as the insert it guards, serialised per project: concurrent
// creates can then never exceed a quota.
package quota

import (
	"context"
	"errors"
	"fmt"
)

// Resource names a limited resource.
type Resource string

// Cluster is the only resource Magnum limits.
const Cluster Resource = "Cluster"

// DefaultClusters is Magnum's default limit of clusters per project.
const DefaultClusters = 20

// ErrExceeded is wrapped by the error Check returns when a limit is reached.
var ErrExceeded = errors.New("quota exceeded")

// Counter reads what a check needs, typically inside a store transaction.
type Counter interface {
	// HardLimit returns the project's own limit on the resource, and
	// whether one is set.
	HardLimit(ctx context.Context, project string, r Resource) (int, bool, error)
	// Used returns how much of the resource the project uses.
	Used(ctx context.Context, project string, r Resource) (int, error)
}

// Limits holds the default limit of each resource.
type Limits struct {
	defaults map[Resource]int
}

// NewLimits returns limits with Magnum's defaults, overridden by
// defaults.
func NewLimits(defaults map[Resource]int) Limits {
	l := Limits{defaults: map[Resource]int{Cluster: DefaultClusters}}
	for r, n := range defaults {
		l.defaults[r] = n
	}
	return l
}

// Default returns the default limit of a resource.
func (l Limits) Default(r Resource) int { return l.defaults[r] }

// Limit returns the limit that applies to a project.
func (l Limits) Limit(ctx context.Context, c Counter, project string, r Resource) (int, error) {
	n, ok, err := c.HardLimit(ctx, project, r)
	if err != nil || ok {
		return n, err
	}
	return l.Default(r), nil
}

// ExceededError is the error of a refused request.
type ExceededError struct {
	Resource Resource
	Limit    int
	Used     int
}

// Error words the refusal as Magnum does.
func (e *ExceededError) Error() string {
	if e.Resource == Cluster {
		return fmt.Sprintf("Resource limit exceeded: You have reached the maximum clusters per project, %d. "+
			"You may delete a cluster to make room for a new one.", e.Limit)
	}
	return fmt.Sprintf("Resource limit exceeded: You have reached the maximum of %d %s per project.", e.Limit, e.Resource)
}

// Unwrap returns ErrExceeded.
func (e *ExceededError) Unwrap() error { return ErrExceeded }

// Check refuses a request for n more of a resource that would take the
// project over its limit, with an *ExceededError.
func (l Limits) Check(ctx context.Context, c Counter, project string, r Resource, n int) error {
	limit, err := l.Limit(ctx, c, project, r)
	if err != nil {
		return fmt.Errorf("quota: %w", err)
	}
	used, err := c.Used(ctx, project, r)
	if err != nil {
		return fmt.Errorf("quota: %w", err)
	}
	if used+n > limit {
		return &ExceededError{Resource: r, Limit: limit, Used: used}
	}
	return nil
}
