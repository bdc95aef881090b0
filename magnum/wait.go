package magnum

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
)

// ErrUnexpectedStatus: a wait saw the cluster's operation end in a status
// it was not waiting for, such as CREATE_FAILED.
var ErrUnexpectedStatus = errors.New("cluster operation ended in an unexpected status")

// WaitCluster waits, without polling, until a cluster's current
// operation ends, and returns the cluster as it ended. With until, it
// waits for one of those statuses instead, and fails with
// ErrUnexpectedStatus (returning the cluster too) if the operation ends
// in another one. A cluster that is deleted while waited for is returned
// with status DELETE_COMPLETE if the wait was for DELETE_COMPLETE or for
// any end; waiting for DELETE_COMPLETE on a cluster already gone returns
// nil and no error. It fails with ctx's error when ctx ends first.
func (s *Service) WaitCluster(ctx context.Context, ident string, until ...Status) (*Cluster, error) {
	return WaitFor(s.WatchCluster(ctx, ident), until...)
}

// WaitFor implements WaitCluster over the changes of one cluster, as
// WatchCluster delivers them (of any implementation of API).
func WaitFor(changes iter.Seq2[Change, error], until ...Status) (*Cluster, error) {
	var last *Cluster
	for ch, err := range changes {
		if err != nil {
			if last == nil && errors.Is(err, ErrNotFound) && slices.Contains(until, DeleteComplete) {
				return nil, nil
			}
			return last, err
		}
		if ch.Cluster == nil {
			continue
		}
		last = ch.Cluster
		if done, err := reached(ch, until); done {
			return last, err
		}
	}
	return last, fmt.Errorf("waiting for cluster: the watch ended: %w", ErrUnavailable)
}

// reached reports whether a wait for until is over at ch, and with which
// error.
func reached(ch Change, until []Status) (bool, error) {
	c := ch.Cluster
	if ch.Kind == ClusterDeleted {
		if len(until) == 0 || slices.Contains(until, DeleteComplete) {
			c.Status = DeleteComplete
			return true, nil
		}
		return true, notFoundf("Cluster %s could not be found.", c.UUID)
	}
	switch {
	case slices.Contains(until, c.Status):
		return true, nil
	case c.Status.IsInProgress():
		return false, nil
	case len(until) == 0:
		return true, nil
	}
	return true, fmt.Errorf("cluster %s is %s (%s), not %v: %w", c.UUID, c.Status, c.StatusReason, until, ErrUnexpectedStatus)
}
