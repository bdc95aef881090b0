package remote

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// WaitCluster waits until a cluster's current operation ends (or it
// reaches one of until), as magnum.Service.WaitCluster does, reading the
// cluster every poll interval.
func (c *Client) WaitCluster(ctx context.Context, ident string, until ...magnum.Status) (*magnum.Cluster, error) {
	return magnum.WaitFor(c.WatchCluster(ctx, ident), until...)
}

// WatchCluster delivers a cluster's state (a ClusterSnapshot), then each
// change of it and of its node groups the client observes, reading them
// every poll interval, until ctx ends (the last element is then ctx's
// error), the loop stops, or the cluster is gone (ClusterDeleted).
func (c *Client) WatchCluster(ctx context.Context, ident string) iter.Seq2[magnum.Change, error] {
	return func(yield func(magnum.Change, error) bool) {
		o := &observer{seen: map[string]string{}}
		var last *magnum.Cluster
		for {
			cl, err := c.GetCluster(ctx, ident)
			if err != nil {
				if last != nil && errors.Is(err, magnum.ErrNotFound) {
					gone := *last
					gone.Status = magnum.DeleteComplete
					yield(o.change(magnum.ClusterDeleted, &gone, nil), nil)
					return
				}
				yield(magnum.Change{}, ctxErr(ctx, err))
				return
			}
			kind := magnum.ClusterChanged
			if last == nil {
				kind = magnum.ClusterSnapshot
			}
			last = cl
			if o.changed(cl.UUID, cl) && !yield(o.change(kind, cl, nil), nil) {
				return
			}
			if !c.observeNodeGroups(ctx, o, cl.UUID, yield) || !c.sleep(ctx, yield) {
				return
			}
		}
	}
}

// observeNodeGroups delivers the changes of a cluster's node groups
// (status, node count...) since they were last listed; it reports
// whether to go on.
func (c *Client) observeNodeGroups(ctx context.Context, o *observer, clusterUUID string, yield func(magnum.Change, error) bool) bool {
	ngs, err := c.ListNodeGroups(ctx, clusterUUID, magnum.NodeGroupListOptions{})
	if errors.Is(err, magnum.ErrNotFound) {
		return true // the cluster is going: the next read says so
	}
	if err != nil {
		yield(magnum.Change{}, ctxErr(ctx, err))
		return false
	}
	for i := range ngs {
		ng := &ngs[i]
		ng.ClusterID = clusterUUID
		if o.changed(ng.UUID, ng) && !yield(o.change(magnum.NodeGroupChanged, nil, ng), nil) {
			return false
		}
	}
	return true
}

// Watch delivers the changes of the clusters f selects the client
// observes from now on, reading the list of clusters every poll
// interval, until ctx ends or the loop stops. A watch of one cluster
// (f.ClusterUUID) is WatchCluster's; others report cluster changes and
// deletions, not node groups'.
func (c *Client) Watch(ctx context.Context, f magnum.WatchFilter) iter.Seq2[magnum.Change, error] {
	if f.ClusterUUID != "" {
		return c.WatchCluster(ctx, f.ClusterUUID)
	}
	return func(yield func(magnum.Change, error) bool) {
		o := &observer{seen: map[string]string{}}
		var known map[string]*magnum.Cluster
		for {
			list, err := c.ListClusters(ctx, magnum.ListOptions{})
			if err != nil {
				yield(magnum.Change{}, ctxErr(ctx, err))
				return
			}
			now := make(map[string]*magnum.Cluster, len(list))
			for i := range list {
				cl := &list[i]
				if f.ProjectID != "" && !f.AllProjects && cl.ProjectID != f.ProjectID {
					continue
				}
				now[cl.UUID] = cl
				if o.changed(cl.UUID, cl) && known != nil && !yield(o.change(magnum.ClusterChanged, cl, nil), nil) {
					return
				}
			}
			for id, cl := range known {
				if _, ok := now[id]; !ok {
					delete(o.seen, id)
					gone := *cl
					gone.Status = magnum.DeleteComplete
					if !yield(o.change(magnum.ClusterDeleted, &gone, nil), nil) {
						return
					}
				}
			}
			known = now
			if !c.sleep(ctx, yield) {
				return
			}
		}
	}
}

// observer remembers what a watch delivered.
type observer struct {
	seq  int64
	seen map[string]string
}

// changed reports whether v differs from the last state seen of id (its
// update time aside), and remembers it.
func (o *observer) changed(id string, v any) bool {
	var state []byte
	switch x := v.(type) {
	case *magnum.Cluster:
		cp := *x
		cp.UpdatedAt = time.Time{}
		state, _ = json.Marshal(cp)
	case *magnum.NodeGroup:
		cp := *x
		cp.UpdatedAt = time.Time{}
		state, _ = json.Marshal(cp)
	}
	if o.seen[id] == string(state) {
		return false
	}
	o.seen[id] = string(state)
	return true
}

// change numbers a change the client observed.
func (o *observer) change(kind magnum.ChangeKind, cl *magnum.Cluster, ng *magnum.NodeGroup) magnum.Change {
	o.seq++
	ch := magnum.Change{Seq: o.seq, Kind: kind, Cluster: cl, NodeGroup: ng, Time: time.Now().UTC()}
	if cl != nil {
		ch.ClusterUUID = cl.UUID
	} else {
		ch.ClusterUUID = ng.ClusterID
	}
	return ch
}

// sleep waits a poll interval; it reports false, having delivered ctx's
// error, if ctx ends first.
func (c *Client) sleep(ctx context.Context, yield func(magnum.Change, error) bool) bool {
	t := time.NewTimer(c.poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		yield(magnum.Change{}, ctx.Err())
		return false
	case <-t.C:
		return true
	}
}

// ctxErr is the error a watch ends with: ctx's once it ended.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
