package drivertest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
)

// simulationTimeout bounds the creation of a stack in the embedded engine,
// where cloud objects take no time.
const simulationTimeout = 2 * time.Minute

// simulate creates the stack in the embedded engine, over a simulated
// cloud whose catalog holds an image of the tuple's os_distro, waits for
// it, and returns its state: the plausible CREATE_COMPLETE state that
// MapOutputs is given.
func simulate(t *testing.T, tuple drivers.Tuple, spec heat.StackSpec) drivers.StackState {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), simulationTimeout)
	defer cancel()
	quiet := slog.New(slog.DiscardHandler)
	catalog := sim.DefaultCatalog()
	catalog.Images = append(catalog.Images, sim.CatalogImage{Name: imageFor(tuple), OSDistro: tuple.OSDistro})
	cloud, err := sim.New(ctx, sim.WithCatalog(catalog), sim.WithLogger(quiet))
	if err != nil {
		t.Fatalf("drivertest: simulated cloud: %v", err)
	}
	eng, err := engine.New(ctx, engine.WithCloud(cloud), engine.WithLogger(quiet), engine.WithProject(sim.DemoProjectID))
	if err != nil {
		t.Fatalf("drivertest: embedded engine: %v", err)
	}
	defer func() { _ = eng.Close() }()

	id, err := eng.CreateStack(ctx, spec)
	if err != nil {
		t.Fatalf("the embedded engine refuses the cluster stack: %v", err)
	}
	st, err := waitStack(ctx, eng, id)
	if err != nil {
		t.Fatalf("drivertest: %v", err)
	}
	if st.Status != heat.CreateComplete {
		t.Fatalf("the cluster stack did not complete in the embedded engine: %s: %s%s",
			st.Status, st.StatusReason, failedResources(ctx, eng, id))
	}
	return drivers.StackState{Status: st.Status, StatusReason: st.StatusReason, Outputs: st.Outputs, Parameters: st.Parameters}
}

func waitStack(ctx context.Context, o heat.Orchestrator, id string) (*heat.Stack, error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := o.GetStack(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", id, err)
		}
		if !st.Status.IsInProgress() {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stack %s still %s: %w", id, st.Status, ctx.Err())
		case <-tick.C:
		}
	}
}

func failedResources(ctx context.Context, o heat.Orchestrator, id string) string {
	rs, err := o.FailedResources(ctx, id)
	if err != nil || len(rs) == 0 {
		return ""
	}
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n\t%s (%s, depth %d): %s", r.Name, r.Type, r.Depth, r.StatusReason)
	}
	return b.String()
}
