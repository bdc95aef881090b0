package engine

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// The differential tests run each case of testdata/diff on the engine
// and, when one is available, on a real Heat, and compare what both
// report (statuses, reasons, outputs, resources, errors) with the
// golden file recorded from the real Heat. Cloud resource types run as
// OS::Heat::None on the real side.

var recordGolden = flag.Bool("record-golden", false, "record testdata/diff golden files from the real Heat")

// diffCase is one testdata/diff/*.yaml file.
type diffCase struct {
	Description string            `yaml:"description"`
	Template    string            `yaml:"template"`
	Files       map[string]string `yaml:"files"`
	Environment heat.Environment  `yaml:"environment"`
	Parameters  map[string]any    `yaml:"parameters"`
	Rollback    bool              `yaml:"rollback"`
	// Steps run after the create; each is an update or a delete.
	Steps []diffStep `yaml:"steps"`
	// Compare sets how outputs are compared: exact (default), shape or
	// ignore.
	Compare map[string]string `yaml:"compare"`
	// Depth of the resource listing compared (default 2; -1 skips).
	Depth *int `yaml:"depth"`
}

type diffStep struct {
	Action      string            `yaml:"action"`
	Template    string            `yaml:"template"`
	Files       map[string]string `yaml:"files"`
	Environment *heat.Environment `yaml:"environment"`
	Parameters  map[string]any    `yaml:"parameters"`
	Rollback    bool              `yaml:"rollback"`
}

// observation is what one step showed.
type observation struct {
	Step  string `json:"step"`
	Error string `json:"error,omitempty"`
	// Type is the exception type Heat names with the error.
	Type    string         `json:"type,omitempty"`
	Status  string         `json:"status,omitempty"`
	Reason  string         `json:"reason,omitempty"`
	Outputs map[string]any `json:"outputs,omitempty"`
	// Parameters are the stack's parameters, pseudo ones left out.
	Parameters map[string]string `json:"parameters,omitempty"`
	Resources  []string          `json:"resources,omitempty"`
}

func loadCases(t *testing.T) map[string]diffCase {
	t.Helper()
	paths, err := filepath.Glob("testdata/diff/*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(paths), 30, "the differential suite needs at least 30 cases")
	cases := map[string]diffCase{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		var c diffCase
		require.NoError(t, yaml.Unmarshal(b, &c), p)
		cases[strings.TrimSuffix(filepath.Base(p), ".yaml")] = c
	}
	return cases
}

func goldenPath(name string) string { return filepath.Join("testdata", "diff", name+".golden.json") }

func readGolden(t *testing.T, name string) []observation {
	t.Helper()
	b, err := os.ReadFile(goldenPath(name))
	require.NoError(t, err, "missing golden file; record it with -record-golden against a real Heat")
	var obs []observation
	require.NoError(t, json.Unmarshal(b, &obs))
	return obs
}

// TestDifferentialEngine runs every case on the engine and compares with
// the golden observations of the real Heat.
func TestDifferentialEngine(t *testing.T) {
	for name, c := range loadCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := runCase(t, engineTarget(newTestEngine(t)), name, c, false)
			compareObservations(t, c, readGolden(t, name), got)
		})
	}
}

// TestDifferentialRealHeat runs every case on the real Heat and compares
// with the golden observations (or records them with -record-golden).
func TestDifferentialRealHeat(t *testing.T) {
	url := testenv.Lookup(t, testenv.HeatURL, "a real Heat")
	for name, c := range loadCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := runCase(t, realTarget(t, url), name, c, true)
			if *recordGolden {
				b, err := json.MarshalIndent(got, "", "  ")
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(goldenPath(name), append(b, '\n'), 0o644))
				return
			}
			compareObservations(t, c, readGolden(t, name), got)
		})
	}
}

// realRegistry maps the cloud types to OS::Heat::None on a real Heat
// without Nova, Neutron, Cinder or Octavia.
var realRegistry = map[string]any{
	"OS::Nova::*": "OS::Heat::None", "OS::Neutron::*": "OS::Heat::None",
	"OS::Cinder::*": "OS::Heat::None", "OS::Octavia::*": "OS::Heat::None",
}

func caseEnv(env heat.Environment, real bool) heat.Environment {
	if !real {
		return env
	}
	reg := map[string]any{}
	for k, v := range realRegistry {
		reg[k] = v
	}
	for k, v := range env.ResourceRegistry {
		reg[k] = v
	}
	env.ResourceRegistry = reg
	return env
}

// runCase validates the case's stack, then creates it and runs its
// steps, recording one observation each.
func runCase(t *testing.T, tg target, name string, c diffCase, real bool) []observation {
	t.Helper()
	ctx := context.Background()
	o := tg.o
	stackName := "d" + strings.ReplaceAll(name, "_", "") + shortID()[:6]
	norm := normalizer(stackName)
	spec := heat.StackSpec{Name: stackName, Template: []byte(c.Template), Files: c.Files,
		Environment: caseEnv(c.Environment, real), Parameters: c.Parameters, Rollback: c.Rollback,
		Timeout: 2 * time.Minute}
	obs := []observation{failed("validate", tg.validate(ctx, spec), tg, norm)}
	id, err := o.CreateStack(ctx, spec)
	if err != nil {
		return append(obs, failed("create", err, tg, norm))
	}
	t.Cleanup(func() { cleanup(o, id) })
	obs = append(obs, observe(t, o, id, "create", c, c.Rollback, norm))
	for i, st := range c.Steps {
		label := fmt.Sprintf("%d:%s", i+1, st.Action)
		if err := runStep(ctx, o, id, st, real); err != nil {
			obs = append(obs, failed(label, err, tg, norm))
			continue
		}
		obs = append(obs, observe(t, o, id, label, c, st.Rollback, norm))
	}
	return obs
}

// failed is the observation of a step that answered err (nil for a
// validation that passed).
func failed(step string, err error, tg target, norm func(string) string) observation {
	if err == nil {
		return observation{Step: step}
	}
	return observation{Step: step, Error: norm(err.Error()), Type: tg.errType(err)}
}

func runStep(ctx context.Context, o heat.Orchestrator, id string, st diffStep, real bool) error {
	if st.Action == "delete" {
		return o.DeleteStack(ctx, id)
	}
	u := heat.StackUpdate{Parameters: st.Parameters, Rollback: st.Rollback, Files: st.Files}
	if st.Template != "" {
		u.Template = []byte(st.Template)
	}
	if st.Environment != nil {
		env := caseEnv(*st.Environment, real)
		u.Environment = &env
	}
	return o.UpdateStack(ctx, id, u)
}

func cleanup(o heat.Orchestrator, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := o.GetStack(ctx, id)
	if err != nil || st.Status == heat.DeleteComplete {
		return
	}
	_ = o.DeleteStack(ctx, id)
	for ctx.Err() == nil {
		st, err := o.GetStack(ctx, id)
		if err != nil || !st.Status.IsInProgress() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// rollbackGrace is how long a failed action with rollback asked may rest
// in its *_FAILED status before the rollback starts: a real Heat shows
// that status for a moment between the failure and ROLLBACK_IN_PROGRESS.
const rollbackGrace = 15 * time.Second

// observe waits for the action to end (and, when rollback was asked, for
// the rollback a failure starts) and records the stack's state.
func observe(t *testing.T, o heat.Orchestrator, id, label string, c diffCase, rollback bool, norm func(string) string) observation {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(3 * time.Minute)
	var st *heat.Stack
	var failedAt time.Time
	for {
		var err error
		st, err = o.GetStack(ctx, id)
		require.NoError(t, err)
		if time.Now().After(deadline) {
			break
		}
		if !st.Status.IsInProgress() && !awaitRollback(st.Status, rollback, &failedAt) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	ob := observation{Step: label, Status: string(st.Status), Reason: norm(st.StatusReason)}
	if st.Status != heat.DeleteComplete {
		ob.Outputs = normalizeValue(st.Outputs, norm).(map[string]any)
		ob.Resources = listResources(t, o, id, c, norm)
		ob.Parameters = map[string]string{}
		for k, v := range st.Parameters {
			if !strings.HasPrefix(k, "OS::") {
				ob.Parameters[k] = norm(v)
			}
		}
	}
	return ob
}

// awaitRollback reports whether a failed status should be polled again
// because the rollback asked for may not have started yet; failedAt
// remembers when the failure was first seen.
func awaitRollback(s heat.Status, rollback bool, failedAt *time.Time) bool {
	if !rollback || (s != heat.CreateFailed && s != heat.UpdateFailed) {
		return false
	}
	if failedAt.IsZero() {
		*failedAt = time.Now()
	}
	return time.Since(*failedAt) < rollbackGrace
}

func listResources(t *testing.T, o heat.Orchestrator, id string, c diffCase, norm func(string) string) []string {
	depth := 2
	if c.Depth != nil {
		depth = *c.Depth
	}
	if depth < 0 {
		return nil
	}
	res, err := o.Resources(context.Background(), id, depth)
	require.NoError(t, err)
	var out []string
	for _, r := range res {
		out = append(out, fmt.Sprintf("%d %s/%s %s %s", r.Depth, r.Parent, r.Name, r.Type, r.Status))
	}
	slices.Sort(out)
	return out
}

var (
	uuidRE    = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	shortIDRE = regexp.MustCompile(`-[a-z2-7]{12}\b`)
)

// normalizer replaces what differs between runs: the stack name, UUIDs
// and Heat's short IDs.
func normalizer(stackName string) func(string) string {
	return func(s string) string {
		s = strings.ReplaceAll(s, stackName, "<stack>")
		s = uuidRE.ReplaceAllString(s, "<uuid>")
		return shortIDRE.ReplaceAllString(s, "-<id>")
	}
}

func normalizeValue(v any, norm func(string) string) any {
	switch x := v.(type) {
	case string:
		return norm(x)
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[norm(k)] = normalizeValue(e, norm)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeValue(e, norm)
		}
		return out
	case float64:
		if x == float64(int64(x)) {
			return int(x)
		}
	}
	return v
}

// shape reduces a value to its structure, for outputs that are random.
func shape(v any) any {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string(%d)", len(x))
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = shape(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = shape(e)
		}
		return out
	}
	return v
}

func compareObservations(t *testing.T, c diffCase, want, got []observation) {
	t.Helper()
	require.Len(t, got, len(want), "steps")
	for i := range want {
		w, g := want[i], got[i]
		for k, mode := range c.Compare {
			switch mode {
			case "ignore":
				delete(w.Outputs, k)
				delete(g.Outputs, k)
			case "shape":
				if _, ok := w.Outputs[k]; ok {
					w.Outputs[k], g.Outputs[k] = shape(w.Outputs[k]), shape(g.Outputs[k])
				}
			}
		}
		w.Error, g.Error = canonicalCycle(w.Error), canonicalCycle(g.Error)
		wb, _ := json.MarshalIndent(w, "", " ")
		gb, _ := json.MarshalIndent(g, "", " ")
		assert.JSONEq(t, string(wb), string(gb), "step %s", w.Step)
	}
}

// cyclePrefix starts Heat's message for a dependency cycle, which prints
// Python dicts and sets: their entries come in no fixed order.
const cyclePrefix = "Circular Dependency Found: "

// canonicalCycle sorts the entries of every {…} group of a dependency
// cycle message, so that both orders Heat prints compare equal; other
// messages are returned unchanged.
func canonicalCycle(msg string) string {
	rest, ok := strings.CutPrefix(msg, cyclePrefix)
	if !ok {
		return msg
	}
	return cyclePrefix + sortedGroups(rest)
}

// sortedGroups rewrites each {…} group of s with its comma-separated
// entries sorted, groups inside entries first.
func sortedGroups(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		end := -1
		if s[i] == '{' {
			end = closingBrace(s, i)
		}
		if end < 0 {
			b.WriteByte(s[i])
			continue
		}
		entries := topLevelEntries(s[i+1 : end])
		for j := range entries {
			entries[j] = sortedGroups(entries[j])
		}
		slices.Sort(entries)
		b.WriteString("{" + strings.Join(entries, ", ") + "}")
		i = end
	}
	return b.String()
}

// closingBrace returns the index of the brace closing the one at open,
// -1 if there is none.
func closingBrace(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return -1
}

// topLevelEntries splits s at the ", " outside braces.
func topLevelEntries(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '{':
			depth++
		case s[i] == '}':
			depth--
		case depth == 0 && strings.HasPrefix(s[i:], ", "):
			out = append(out, s[start:i])
			start = i + 2
		}
	}
	return append(out, s[start:])
}

func TestCanonicalCycle(t *testing.T) {
	ab := cyclePrefix + `{TestResource "a": {TestResource "b"}, TestResource "b": {TestResource "a"}}`
	ba := cyclePrefix + `{TestResource "b": {TestResource "a"}, TestResource "a": {TestResource "b"}}`
	three := cyclePrefix + `{R "c": {R "a", R "b"}, R "a": {R "c"}, R "b": {R "c"}}`
	threeSorted := cyclePrefix + `{R "a": {R "c"}, R "b": {R "c"}, R "c": {R "a", R "b"}}`
	tests := []struct {
		name, a, b string
		equal      bool
	}{
		{"both orders of a two-cycle", ab, ba, true},
		{"nested sets", three, cyclePrefix + `{R "b": {R "c"}, R "c": {R "b", R "a"}, R "a": {R "c"}}`, true},
		{"different resources", ab, cyclePrefix + `{TestResource "a": {TestResource "c"}, TestResource "c": {TestResource "a"}}`, false},
		{"other messages untouched", `Property error: {b, a}`, `Property error: {a, b}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.equal, canonicalCycle(tt.a) == canonicalCycle(tt.b))
		})
	}
	assert.Equal(t, threeSorted, canonicalCycle(three))
}
