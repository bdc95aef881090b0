package magnum

import (
	"context"
	"strings"

	"github.com/gomagnum/gomagnum/internal/store"
)

// Stats counts the clusters of a project and their nodes, masters
// included. Non-admins get their own project's; admins any project's, or
// every project's when projectID is empty. typ, if set, must be "cluster".
func (s *Service) Stats(ctx context.Context, projectID, typ string) (*Stats, error) {
	if typ != "" && strings.ToLower(typ) != "cluster" {
		return nil, invalidf("Invalid stats type. Allowed values are 'cluster'")
	}
	c, err := s.authorize(ctx, "stats:get_all", Target{})
	if err != nil {
		return nil, err
	}
	if !c.IsAdmin() {
		if projectID != "" && projectID != c.ProjectID {
			return nil, newError(ErrForbidden, "Not authorized.")
		}
		projectID = c.ProjectID
	}
	var where store.Cond
	if projectID != "" {
		where = store.Eq("project_id", projectID)
	}
	var st Stats
	err = s.store.View(ctx, func(tx *store.Tx) error {
		n, err := tx.Count(ctx, store.Clusters, where)
		if err != nil {
			return err
		}
		nodes, err := tx.Sum(ctx, store.NodeGroups, "node_count", where)
		st = Stats{Clusters: n, Nodes: int(nodes)}
		return err
	})
	return &st, err
}

// CountClusters counts every project's clusters by status, for metrics. It
// needs no caller: it reveals nothing but counts.
func (s *Service) CountClusters(ctx context.Context) (map[Status]int, error) {
	var counts map[string]int
	err := s.store.View(ctx, func(tx *store.Tx) (err error) {
		counts, err = tx.CountBy(ctx, store.Clusters, "status")
		return err
	})
	out := make(map[Status]int, len(counts))
	for st, n := range counts {
		out[Status(st)] = n
	}
	return out, err
}
