package magnum

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/store"
)

// listingOrchestrator holds stacks in memory and counts its calls; only
// what the status sync uses is implemented.
type listingOrchestrator struct {
	heat.Orchestrator
	ids    []string
	stacks map[string]heat.Stack
	calls  atomic.Int64
}

func (o *listingOrchestrator) ListStacks(_ context.Context, opts heat.ListOptions) ([]heat.Stack, string, error) {
	o.calls.Add(1)
	i := sort.SearchStrings(o.ids, opts.Marker)
	if opts.Marker != "" {
		i++
	}
	end := min(i+opts.Limit, len(o.ids))
	page := make([]heat.Stack, 0, end-i)
	for _, id := range o.ids[i:end] {
		page = append(page, o.stacks[id])
	}
	next := ""
	if end < len(o.ids) {
		next = o.ids[end-1]
	}
	return page, next, nil
}

func (o *listingOrchestrator) Resources(context.Context, string, int) ([]heat.Resource, error) {
	o.calls.Add(1)
	return []heat.Resource{{Name: "a", Status: heat.CreateComplete}, {Name: "b", Status: heat.CreateInProgress}}, nil
}

// BenchmarkSyncPass measures one status-sync pass over 10,000 clusters
// being created (target ≤ 1 s), and reports the orchestrator calls it
// makes.
func BenchmarkSyncPass(b *testing.B) {
	ctx := context.Background()
	orch := &listingOrchestrator{stacks: map[string]heat.Stack{}}
	s, err := New(ctx, WithDataDir(b.TempDir()), WithDrivers(benchRegistry{}), WithoutConductor(), WithOrchestrator(orch),
		WithDefaultClusterQuota(1<<30))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := newConductor(s)
	c.s.cfg.progressInterval = time.Hour
	t, err := s.CreateClusterTemplate(WithCaller(ctx, benchCaller), ClusterTemplateCreate{ClusterTemplate: ClusterTemplate{
		Name: "k8s", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public"}})
	if err != nil {
		b.Fatal(err)
	}
	if err := seedInProgress(ctx, s, c, t, orch, 10000); err != nil {
		b.Fatal(err)
	}
	sort.Strings(orch.ids)
	orch.calls.Store(0)
	b.ResetTimer()
	for b.Loop() {
		c.sync(ctx)
	}
	b.ReportMetric(float64(orch.calls.Load())/float64(b.N), "orchestrator-calls/op")
}

// seedInProgress stores n clusters whose create operations c holds,
// waiting for stacks that orch shows in progress.
func seedInProgress(ctx context.Context, s *Service, c *conductor, t *ClusterTemplate, orch *listingOrchestrator, n int) error {
	now := s.now()
	return s.store.Update(ctx, func(tx *store.Tx) error {
		for i := range n {
			d, ngs := newCluster(benchCaller, t, ClusterCreate{ClusterTemplateID: t.UUID})
			d.CreatedAt = s.stamp()
			d.StackID = fmt.Sprintf("stack-%05d", i)
			rec, err := clusterRecord(d)
			if err != nil {
				return err
			}
			if err := tx.Insert(ctx, store.Clusters, rec); err != nil {
				return err
			}
			for _, ng := range ngs {
				ng.StackID = d.StackID
				if err := insertNodeGroup(ctx, tx, ng); err != nil {
					return err
				}
			}
			op := &store.Operation{UUID: newUUID(), ClusterUUID: d.UUID, Kind: opCreate}
			if err := tx.InsertOperation(ctx, op); err != nil {
				return err
			}
			if _, err := tx.ClaimOperation(ctx, op.ID, c.owner, now, now.Add(time.Hour)); err != nil {
				return err
			}
			if err := tx.WaitOperation(ctx, op.ID, c.owner, stepWait, []string{d.StackID}, now.Add(time.Hour)); err != nil {
				return err
			}
			orch.ids = append(orch.ids, d.StackID)
			orch.stacks[d.StackID] = heat.Stack{ID: d.StackID, Status: heat.CreateInProgress}
		}
		return nil
	})
}
