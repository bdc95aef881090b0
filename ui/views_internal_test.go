package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/gomagnum/gomagnum/magnum"
)

func TestProgressOf(t *testing.T) {
	tests := []struct {
		status  magnum.Status
		reason  string
		shown   bool
		percent int
		current string // the stage in progress or failed, if any
	}{
		{magnum.CreateInProgress, "", true, 0, "Accepted"},
		{magnum.CreateInProgress, "Creating: 3 of 12 resources done", true, 25, "Building resources"},
		{magnum.CreateInProgress, "Creating: 12 of 12 resources done", true, 99, "Finishing"},
		{magnum.CreateInProgress, "Creating: 0 of 0 resources done", true, 99, "Finishing"},
		{magnum.CreateInProgress, "Creating: lots", true, 0, "Accepted"},
		{magnum.CreateComplete, "CREATE completed successfully", true, 100, ""},
		{magnum.CreateFailed, "No valid host", true, -1, "Building resources"},
		{magnum.UpdateInProgress, "", true, -1, ""},
		{magnum.DeleteInProgress, "", true, -1, ""},
		{magnum.UpdateComplete, "", false, 0, ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s", tc.status, tc.reason), func(t *testing.T) {
			p := progressOf(&magnum.Cluster{Status: tc.status, StatusReason: tc.reason})
			assert.Equal(t, tc.shown, p.Shown)
			assert.Equal(t, tc.percent, p.Percent)
			current := ""
			for _, s := range p.Stages {
				if s.State == "current" || s.State == "failed" {
					current = s.Name
				}
			}
			assert.Equal(t, tc.current, current)
		})
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{-time.Second: "0s", 5 * time.Second: "5s", 3 * time.Minute: "3m",
		5 * time.Hour: "5h", 47 * time.Hour: "47h", 72 * time.Hour: "3d"} {
		assert.Equal(t, want, age(d), d)
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{"k8s-1": "k8s-1", `a"b/c`: "a_b_c", "..": "cluster", "": "cluster",
		"../etc": "_etc"} {
		assert.Equal(t, want, fileName(in), in)
	}
}

// TestTimeline: the timeline keeps the latest events of the clusters
// recorded most recently, and forgets deleted ones.
func TestTimeline(t *testing.T) {
	tl := NewTimeline(2, 3)
	ev := func(uuid, op, outcome string, i int) magnum.Event {
		return magnum.Event{Operation: op, Outcome: outcome, Time: time.Unix(int64(i), 0),
			Cluster: magnum.Cluster{UUID: uuid, Status: magnum.CreateInProgress}}
	}
	ctx := context.Background()
	for i := range 5 {
		tl.Record(ctx, ev("a", "create", "pending", i))
	}
	got := tl.Events("a")
	assert.Len(t, got, 3, "bounded per cluster")
	assert.Equal(t, time.Unix(4, 0), got[0].Time, "newest first")
	assert.Equal(t, time.Unix(2, 0), got[2].Time)
	tl.Record(ctx, ev("b", "create", "pending", 0))
	tl.Record(ctx, ev("a", "update", "pending", 6))
	tl.Record(ctx, ev("c", "create", "pending", 0))
	assert.Empty(t, tl.Events("b"), "the least recently recorded cluster is forgotten")
	assert.Len(t, tl.Events("a"), 3)
	assert.Len(t, tl.Events("c"), 1)
	tl.Record(ctx, ev("c", "delete", magnum.OutcomeSuccess, 1))
	assert.Empty(t, tl.Events("c"), "a deleted cluster is forgotten")
}
