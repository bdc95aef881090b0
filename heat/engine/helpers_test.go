package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
)

// newTestEngine returns an engine over a fresh simulated cloud, closed
// at the end of the test.
func newTestEngine(t testing.TB, opts ...Option) *Engine {
	t.Helper()
	ctx := context.Background()
	c, err := sim.New(ctx)
	require.NoError(t, err)
	e, err := New(ctx, append([]Option{WithCloud(c)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return e
}

// waitStack polls a stack until its action ends.
func waitStack(t testing.TB, o heat.Orchestrator, id string) *heat.Stack {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st, err := o.GetStack(context.Background(), id)
		require.NoError(t, err)
		if !st.Status.IsInProgress() {
			return st
		}
		require.True(t, time.Now().Before(deadline), "stack %s still %s", id, st.Status)
		time.Sleep(5 * time.Millisecond)
	}
}
