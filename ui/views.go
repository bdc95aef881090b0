package ui

import (
	"fmt"
	"html/template"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// funcs are the helpers the templates call.
var funcs = template.FuncMap{
	"statusClass": statusClass,
	"healthClass": healthClass,
	"age":         func(t time.Time) string { return age(time.Since(t)) },
	"stamp":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"iso":         func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"sortedKeys":  func(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) },
	"join":        strings.Join,
	"short":       func(id string) string { return id[:min(len(id), 8)] },
}

// statusClass is the colour class of a status; the status word is always
// shown beside it.
func statusClass(s magnum.Status) string {
	switch {
	case s.IsFailed():
		return "bad"
	case s.IsInProgress():
		return "busy"
	case strings.HasSuffix(string(s), "_COMPLETE"):
		return "ok"
	}
	return "none"
}

// healthClass is the colour class of a health status.
func healthClass(s magnum.HealthStatus) string {
	switch s {
	case magnum.Healthy:
		return "ok"
	case magnum.Unhealthy:
		return "bad"
	}
	return "none"
}

// age is a duration in its largest whole unit, as "3m" or "2d".
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(max(int(d/time.Second), 0)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}

// buildProgress matches the build progress the conductor keeps in a
// creating cluster's status_reason.
var buildProgress = regexp.MustCompile(`^Creating: (\d+) of (\d+) resources done$`)

// progress is a cluster's operation as a progress bar through its stages.
type progress struct {
	// Shown is false when there is no operation to show.
	Shown bool
	// NoBar leaves the bar out (a failed build shows its stages only).
	NoBar bool
	// Percent is the bar's value; -1 leaves it indeterminate.
	Percent int
	// FromReason is set when the label says what the status reason says.
	FromReason bool
	Label      string
	Stages     []stage
}

// stage is a step of a build; State is done, current, failed or todo.
type stage struct {
	Name, State string
}

// Stages of a cluster build.
var buildStages = []string{"Accepted", "Building resources", "Finishing", "Ready"}

// progressOf tells how far a cluster's operation went.
func progressOf(c *magnum.Cluster) progress {
	switch c.Status {
	case magnum.CreateInProgress:
		return creating(c.StatusReason)
	case magnum.CreateComplete:
		return progress{Shown: true, Percent: 100, Label: "Complete", Stages: stagesAt(len(buildStages), "")}
	case magnum.CreateFailed:
		return progress{Shown: true, NoBar: true, Percent: -1, Label: "Failed", Stages: stagesAt(1, "failed")}
	case magnum.UpdateInProgress:
		return progress{Shown: true, Percent: -1, Label: "Updating"}
	case magnum.DeleteInProgress:
		return progress{Shown: true, Percent: -1, Label: "Deleting"}
	case magnum.RollbackInProgress:
		return progress{Shown: true, Percent: -1, Label: "Rolling back"}
	}
	return progress{}
}

// creating reads a build's progress from its status reason.
func creating(reason string) progress {
	m := buildProgress.FindStringSubmatch(reason)
	if m == nil {
		return progress{Shown: true, Percent: 0, Label: "Accepted: preparing certificates and the stack",
			Stages: stagesAt(0, "current")}
	}
	done, _ := strconv.Atoi(m[1])
	total, _ := strconv.Atoi(m[2])
	if total <= 0 || done >= total {
		return progress{Shown: true, Percent: 99, Label: "Finishing: reading the stack's outputs",
			Stages: stagesAt(2, "current")}
	}
	pct := done * 100 / total
	return progress{Shown: true, Percent: pct, Label: fmt.Sprintf("Building: %d of %d resources done", done, total),
		Stages: stagesAt(1, "current"), FromReason: true}
}

// stagesAt lists the build's stages with those before i done and stage i
// in the given state.
func stagesAt(i int, state string) []stage {
	out := make([]stage, len(buildStages))
	for j, name := range buildStages {
		out[j] = stage{Name: name, State: "todo"}
		switch {
		case j < i || (i == len(buildStages)):
			out[j].State = "done"
		case j == i:
			out[j].State = state
		}
	}
	return out
}
