package magnum

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/gomagnum/gomagnum/internal/backoff"
	"github.com/gomagnum/gomagnum/internal/store"
)

var sortKeyPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// query turns list options into a store query over a resource whose
// sortable fields are given, enforcing Magnum's rules.
func (s *Service) query(o ListOptions, where store.Cond, sortable map[string]bool) (store.Query, error) {
	q := store.Query{Where: where, SortKey: o.SortKey, Limit: o.Limit, Marker: o.Marker}
	switch {
	case o.Limit < 0:
		return q, invalidf("Limit must be positive")
	case o.Limit == 0 || o.Limit > s.cfg.maxLimit:
		q.Limit = s.cfg.maxLimit
	}
	switch o.SortDir {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		return q, invalidf("Invalid sort direction: %s. Acceptable values are 'asc' or 'desc'", o.SortDir)
	}
	if o.SortKey != "" && (!sortable[o.SortKey] || !sortKeyPattern.MatchString(o.SortKey)) {
		return q, invalidf("The sort_key value \"%s\" is an invalid field for sorting", o.SortKey)
	}
	if o.Marker != "" && !isUUID(o.Marker) {
		return q, invalidf("Invalid input for field/attribute marker. Value: '%s'. unable to convert to uuid. "+
			"Error: Expected a uuid but received %s.", o.Marker, o.Marker)
	}
	return q, nil
}

// sortableFields lists the JSON fields of a resource one may sort on.
func sortableFields(doc any, extra ...string) map[string]bool {
	m := map[string]bool{"id": true}
	for _, f := range jsonFields(doc) {
		m[f] = true
	}
	for _, f := range extra {
		m[f] = true
	}
	return m
}

// storeErr maps a store error to the service's kinds, naming what was
// not found.
func storeErr(err error, notFound func() error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return notFound()
	case errors.Is(err, store.ErrConflict):
		return conflictf("The object was changed concurrently; retry the request.")
	}
	return err
}

// A read-modify-write that lost a race with a concurrent writer runs again
// for up to conflictPatience before the caller gets the conflict; the
// waits between attempts double from conflictBackoff up to
// conflictMaxBackoff, jittered as backoff.Jittered does. The bound is in time, not in attempts:
// on a busy machine a transaction takes longer and so loses more races.
const (
	conflictPatience   = 10 * time.Second
	conflictBackoff    = time.Millisecond
	conflictMaxBackoff = 100 * time.Millisecond
)

// retryConflicts runs update, a read-modify-write transaction, again
// while it fails with store.ErrConflict.
func retryConflicts(ctx context.Context, update func() error) error {
	deadline := time.Now().Add(conflictPatience)
	for retry := 1; ; retry++ {
		err := update()
		if !errors.Is(err, store.ErrConflict) || time.Now().After(deadline) {
			return err
		}
		if backoff.Sleep(ctx, backoff.Jittered(conflictBackoff, conflictMaxBackoff, retry)) != nil {
			return err
		}
	}
}

func isStoreNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
