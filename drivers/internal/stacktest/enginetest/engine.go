// Package enginetest runs the built-in drivers' stacks in the embedded
// orchestrator over a simulated cloud, for their tests.
package enginetest

import (
	"context"
	"errors"
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

// Engine is the embedded orchestrator over a simulated cloud with the
// default catalog, for the tests of one driver.
type Engine struct {
	t   testing.TB
	eng *engine.Engine
}

// NewEngine starts an embedded engine over a fresh simulated cloud; it is
// closed when the test ends.
func NewEngine(t testing.TB) *Engine {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	cloud, err := sim.New(ctx, sim.WithLogger(quiet))
	if err != nil {
		t.Fatalf("simulated cloud: %v", err)
	}
	eng, err := engine.New(ctx, engine.WithCloud(cloud), engine.WithLogger(quiet), engine.WithProject(sim.DemoProjectID))
	if err != nil {
		t.Fatalf("embedded engine: %v", err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	return &Engine{t: t, eng: eng}
}

// Create creates a driver's stack and waits for it; anything but
// CREATE_COMPLETE fails the test.
func (e *Engine) Create(name string, st drivers.Stack) (string, *heat.Stack) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id, err := e.eng.CreateStack(ctx, heat.StackSpec{
		Name: name, Template: st.Template, Files: st.Files, Environment: st.Environment, Parameters: st.Parameters,
	})
	if err != nil {
		e.t.Fatalf("create %s: %v", name, err)
	}
	return id, e.wait(ctx, id, heat.CreateComplete)
}

// Update applies an update and waits for it; anything but UPDATE_COMPLETE
// fails the test.
func (e *Engine) Update(id string, u heat.StackUpdate) *heat.Stack {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := e.eng.UpdateStack(ctx, id, u); err != nil {
		e.t.Fatalf("update %s: %v", id, err)
	}
	return e.wait(ctx, id, heat.UpdateComplete)
}

// State turns a stack into what MapOutputs reads.
func State(s *heat.Stack) drivers.StackState {
	return drivers.StackState{Status: s.Status, StatusReason: s.StatusReason, Outputs: s.Outputs, Parameters: s.Parameters}
}

func (e *Engine) wait(ctx context.Context, id string, want heat.Status) *heat.Stack {
	e.t.Helper()
	for {
		st, err := e.eng.GetStack(ctx, id)
		if err != nil {
			e.t.Fatalf("stack %s: %v", id, err)
		}
		if !st.Status.IsInProgress() {
			if st.Status != want {
				e.t.Fatalf("stack %s: %s: %s%s", id, st.Status, st.StatusReason, e.failed(ctx, id))
			}
			return st
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("stack %s still %s", id, st.Status)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (e *Engine) failed(ctx context.Context, id string) string {
	rs, err := e.eng.FailedResources(ctx, id)
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n\t%s (%s): %s", r.Name, r.Type, r.StatusReason)
	}
	return b.String()
}

// createCluster creates the cluster stack of c, named name, in a new
// engine.
func createCluster(t *testing.T, d drivers.Driver, c drivers.Cluster, name string) (*Engine, string, *heat.Stack) {
	t.Helper()
	st, err := d.ClusterStack(context.Background(), c)
	if err != nil {
		t.Fatalf("ClusterStack: %v", err)
	}
	e := NewEngine(t)
	id, stack := e.Create(name, st)
	return e, id, stack
}

// Lifecycle creates the cluster stack of c in the engine, checks the
// outputs the driver maps from it (addresses of every master and worker,
// public ones with floating IPs, counts, an API address), then resizes the
// default workers to 3 and to 1, naming the member to remove, and checks
// the outputs again. It returns the engine, the stack and the last outputs.
func Lifecycle(t *testing.T, d drivers.Driver, c drivers.Cluster) (*Engine, string, drivers.Outputs) {
	t.Helper()
	ctx := context.Background()
	e, id, stack := createCluster(t, d, c, "lifecycle")
	master, worker := c.NodeGroups[0], c.NodeGroups[1]
	out := mapOutputs(t, d, c, master, stack, master.NodeCount, 2)
	for _, step := range []drivers.Resize{
		{NodeGroup: worker.UUID, NodeCount: 3},
		{NodeGroup: worker.UUID, NodeCount: 1, NodesToRemove: []string{"0"}},
	} {
		u, err := d.ResizeStack(ctx, c, step)
		if err != nil {
			t.Fatalf("ResizeStack: %v", err)
		}
		stack = e.Update(id, u)
		out = mapOutputs(t, d, c, master, stack, master.NodeCount, step.NodeCount)
	}
	return e, id, out
}

func mapOutputs(t *testing.T, d drivers.Driver, c drivers.Cluster, ng drivers.NodeGroup, s *heat.Stack, masters, workers int) drivers.Outputs {
	t.Helper()
	out, err := d.MapOutputs(context.Background(), c, ng, State(s))
	if err != nil {
		t.Fatalf("MapOutputs: %v", err)
	}
	if out.APIAddress == "" {
		t.Errorf("no API address in %v", s.Outputs)
	}
	prefix := map[bool]string{true: "172.24.4.", false: "10.0.0."}[c.FloatingIPEnabled]
	for uuid, want := range map[string]int{c.NodeGroups[0].UUID: masters, c.NodeGroups[1].UUID: workers} {
		g := out.NodeGroups[uuid]
		if len(g.NodeAddresses) != want || g.NodeCount == nil || *g.NodeCount != want {
			t.Errorf("group %s: want %d nodes, got addresses %v count %v", uuid, want, g.NodeAddresses, g.NodeCount)
		}
		for _, a := range g.NodeAddresses {
			if !strings.HasPrefix(a, prefix) {
				t.Errorf("group %s: address %s is not in %s*", uuid, a, prefix)
			}
		}
	}
	return out
}

// Delete deletes a stack and waits until it is gone; a failed delete fails
// the test.
func (e *Engine) Delete(id string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := e.eng.DeleteStack(ctx, id); err != nil {
		e.t.Fatalf("delete %s: %v", id, err)
	}
	for {
		st, err := e.eng.GetStack(ctx, id)
		if errors.Is(err, heat.ErrNotFound) || err == nil && st.Status == heat.DeleteComplete {
			return
		}
		if err != nil {
			e.t.Fatalf("stack %s: %v", id, err)
		}
		if !st.Status.IsInProgress() {
			e.t.Fatalf("stack %s: %s: %s%s", id, st.Status, st.StatusReason, e.failed(ctx, id))
		}
		select {
		case <-ctx.Done():
			e.t.Fatalf("stack %s still %s", id, st.Status)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// NodeGroupLifecycle creates the cluster stack of c, then the stack of an
// extra worker group of 2 nodes next to it, checks the group's outputs
// (its own addresses and count, no cluster field), resizes it to 1 naming
// the member to remove, deletes it and checks that the cluster stack is
// still complete. It returns the extra group.
func NodeGroupLifecycle(t *testing.T, d drivers.Driver, c drivers.Cluster) drivers.NodeGroup {
	t.Helper()
	ctx := context.Background()
	e, clusterID, stack := createCluster(t, d, c, "cluster")
	out := mapOutputs(t, d, c, c.NodeGroups[0], stack, c.NodeGroups[0].NodeCount, c.NodeGroups[1].NodeCount)
	c.APIAddress = out.APIAddress

	ng := drivers.NodeGroup{UUID: "ng-extra", Name: "extra", Role: "worker", FlavorID: "m1.small", NodeCount: 2}
	c.NodeGroups = append(c.NodeGroups, ng)
	ngst, err := d.NodeGroupStack(ctx, c, ng)
	if err != nil {
		t.Fatalf("NodeGroupStack: %v", err)
	}
	id, stack := e.Create("cluster-extra", ngst)
	groupOutputs(t, d, c, ng, stack, 2)
	u, err := d.ResizeStack(ctx, c, drivers.Resize{NodeGroup: ng.UUID, NodeCount: 1, NodesToRemove: []string{"1"}})
	if err != nil {
		t.Fatalf("ResizeStack: %v", err)
	}
	groupOutputs(t, d, c, ng, e.Update(id, u), 1)
	e.Delete(id)
	if s, err := e.eng.GetStack(ctx, clusterID); err != nil || s.Status != heat.CreateComplete {
		t.Fatalf("cluster stack after the node group's delete: %v %v", s, err)
	}
	return ng
}

// groupOutputs checks the outputs of an extra group's stack: n addresses
// and a count of n for the group, nothing else.
func groupOutputs(t *testing.T, d drivers.Driver, c drivers.Cluster, ng drivers.NodeGroup, s *heat.Stack, n int) {
	t.Helper()
	out, err := d.MapOutputs(context.Background(), c, ng, State(s))
	if err != nil {
		t.Fatalf("MapOutputs: %v", err)
	}
	if out.APIAddress != "" || len(out.NodeGroups) != 1 {
		t.Errorf("a node group's stack sets only its group, got %+v", out)
	}
	g := out.NodeGroups[ng.UUID]
	if len(g.NodeAddresses) != n || g.NodeCount == nil || *g.NodeCount != n {
		t.Errorf("group %s: want %d nodes, got addresses %v count %v", ng.UUID, n, g.NodeAddresses, g.NodeCount)
	}
}
