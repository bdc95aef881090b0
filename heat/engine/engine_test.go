package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

const tinyTemplate = `
heat_template_version: 2018-08-31
parameters:
  v: {type: string, default: a}
  wait: {type: number, default: 0}
resources:
  t: {type: OS::Heat::TestResource, properties: {value: {get_param: v}, action_wait_secs: {create: {get_param: wait}}}}
outputs:
  v: {value: {get_attr: [t, output]}}
`

func TestCreateStackErrors(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	_, err := e.CreateStack(ctx, heat.StackSpec{Name: "taken", Template: []byte(tinyTemplate)})
	require.NoError(t, err)
	tests := []struct {
		name string
		spec heat.StackSpec
		kind error
		msg  string
	}{
		{"name taken", heat.StackSpec{Name: "taken", Template: []byte(tinyTemplate)}, heat.ErrConflict,
			"The Stack (taken) already exists."},
		{"bad name", heat.StackSpec{Name: "1bad", Template: []byte(tinyTemplate)}, heat.ErrInvalid,
			"Invalid stack name 1bad must contain only alphanumeric"},
		{"not yaml", heat.StackSpec{Name: "x", Template: []byte("[1, 2")}, heat.ErrInvalid, "Template not in valid format: Error parsing template [root stack] yaml: "},
		{"not a map", heat.StackSpec{Name: "x", Template: []byte("[1, 2]")}, heat.ErrInvalid,
			"The template is not a JSON object or YAML mapping."},
		{"no version", heat.StackSpec{Name: "x", Template: []byte("resources: {}")}, heat.ErrInvalid,
			"Template format version not found."},
		{"undeclared parameter", heat.StackSpec{Name: "x", Template: []byte(tinyTemplate), Parameters: map[string]any{"w": 1}},
			heat.ErrInvalid, "The Parameter (w) was not defined in template."},
		{"bad registry", heat.StackSpec{Name: "x", Template: []byte(tinyTemplate),
			Environment: heat.Environment{ResourceRegistry: map[string]any{"A": 1}}}, heat.ErrInvalid, "Environment not in valid format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.CreateStack(ctx, tt.spec)
			require.ErrorIs(t, err, tt.kind)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestStackLifecycle(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	id, err := e.CreateStack(ctx, heat.StackSpec{Name: "life", Template: []byte(tinyTemplate),
		Parameters: map[string]any{"wait": 0.3}, Tags: []string{"a", "b"}})
	require.NoError(t, err)
	err = e.UpdateStack(ctx, id, heat.StackUpdate{Parameters: map[string]any{"v": "b"}})
	require.ErrorIs(t, err, heat.ErrConflict, "busy while creating")
	st := waitStack(t, e, id)
	require.Equal(t, heat.CreateComplete, st.Status)
	assert.Equal(t, "a", st.Outputs["v"])
	assert.Equal(t, "0.3", st.Parameters["wait"])

	require.NoError(t, e.UpdateStack(ctx, id, heat.StackUpdate{Parameters: map[string]any{"v": "b"}}))
	st = waitStack(t, e, id)
	require.Equal(t, heat.UpdateComplete, st.Status)
	assert.Equal(t, "b", st.Outputs["v"])
	assert.Equal(t, "0.3", st.Parameters["wait"], "PATCH keeps the other parameters")

	res, err := e.Resources(ctx, id, 0)
	require.NoError(t, err)
	require.Len(t, res, 1)
	assert.Equal(t, heat.Resource{Name: "t", Type: "OS::Heat::TestResource", Status: heat.UpdateComplete,
		StatusReason: "state changed", PhysicalID: res[0].PhysicalID, StackID: id, StackName: "life",
		UpdatedAt: res[0].UpdatedAt}, res[0])

	require.NoError(t, e.DeleteStack(ctx, id))
	st = waitStack(t, e, id)
	assert.Equal(t, heat.DeleteComplete, st.Status)
	assert.Equal(t, "Stack DELETE completed successfully", st.StatusReason)
	require.ErrorIs(t, e.DeleteStack(ctx, id), heat.ErrNotFound)
	_, err = e.CreateStack(ctx, heat.StackSpec{Name: "life", Template: []byte(tinyTemplate)})
	require.NoError(t, err, "the name is free again")
}

func TestDeleteInterruptsCreate(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	id, err := e.CreateStack(ctx, heat.StackSpec{Name: "slow", Template: []byte(tinyTemplate),
		Parameters: map[string]any{"wait": 30}})
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, e.DeleteStack(ctx, id))
	st := waitStack(t, e, id)
	assert.Equal(t, heat.DeleteComplete, st.Status)
}

func TestGetUnknownStack(t *testing.T) {
	e := newTestEngine(t)
	_, err := e.GetStack(context.Background(), "nope")
	require.ErrorIs(t, err, heat.ErrNotFound)
	_, err = e.Resources(context.Background(), "nope", 1)
	require.ErrorIs(t, err, heat.ErrNotFound)
	require.ErrorIs(t, e.UpdateStack(context.Background(), "nope", heat.StackUpdate{}), heat.ErrNotFound)
}

func TestListStacksTagsAndPages(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	for i := range 5 {
		tags := []string{"all"}
		if i%2 == 0 {
			tags = append(tags, "even")
		}
		_, err := e.CreateStack(ctx, heat.StackSpec{Name: fmt.Sprintf("s%d", i), Template: []byte(tinyTemplate), Tags: tags})
		require.NoError(t, err)
		time.Sleep(2 * time.Millisecond)
	}
	even, next, err := e.ListStacks(ctx, heat.ListOptions{Tags: []string{"all", "even"}})
	require.NoError(t, err)
	assert.Empty(t, next)
	require.Len(t, even, 3)
	assert.Equal(t, "s4", even[0].Name, "newest first")
	assert.Nil(t, even[0].Outputs, "a listed stack has no outputs, as in Heat's stack list")
	assert.Nil(t, even[0].Parameters, "nor parameters")
	full, err := e.GetStack(ctx, even[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "a", full.Parameters["v"], "the stack itself has them")

	var names []string
	marker := ""
	for {
		page, next, err := e.ListStacks(ctx, heat.ListOptions{Limit: 2, Marker: marker})
		require.NoError(t, err)
		for _, s := range page {
			names = append(names, s.Name)
		}
		if next == "" {
			break
		}
		marker = next
	}
	assert.Equal(t, []string{"s4", "s3", "s2", "s1", "s0"}, names)
}

func TestUpdateRefusesImmutableParameter(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	tmpl := strings.Replace(tinyTemplate, "v: {type: string, default: a}", "v: {type: string, default: a, immutable: true}", 1)
	id, err := e.CreateStack(ctx, heat.StackSpec{Name: "imm", Template: []byte(tmpl)})
	require.NoError(t, err)
	waitStack(t, e, id)
	err = e.UpdateStack(ctx, id, heat.StackUpdate{Parameters: map[string]any{"v": "b"}})
	require.ErrorIs(t, err, heat.ErrInvalid)
	assert.Equal(t, "The following parameters are immutable and may not be updated: v", err.Error())
}

func TestDelays(t *testing.T) {
	e := newTestEngine(t, WithDelays(map[string]time.Duration{"OS::Heat::None": 100 * time.Millisecond}))
	ctx := context.Background()
	id, err := e.CreateStack(ctx, heat.StackSpec{Name: "delayed", Template: []byte(`
heat_template_version: 2018-08-31
resources:
  n: {type: OS::Heat::None}`)})
	require.NoError(t, err)
	st, err := e.GetStack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, heat.CreateInProgress, st.Status)
	assert.Equal(t, heat.CreateComplete, waitStack(t, e, id).Status)
}

func TestOptionsRefuseBadValues(t *testing.T) {
	for _, o := range []Option{WithConcurrency(0), WithBlobs(nil), WithLogger(nil), WithCloud(nil), WithProject(""),
		WithDelays(map[string]time.Duration{"x": -1})} {
		_, err := New(context.Background(), o)
		assert.Error(t, err)
	}
}

func TestStackTimeout(t *testing.T) {
	e := newTestEngine(t)
	id, err := e.CreateStack(context.Background(), heat.StackSpec{Name: "late", Template: []byte(tinyTemplate),
		Parameters: map[string]any{"wait": 30}, Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	st := waitStack(t, e, id)
	assert.Equal(t, heat.CreateFailed, st.Status)
	assert.Equal(t, "Timed out", st.StatusReason)
	failed, err := e.FailedResources(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, failed, 1)
	assert.Equal(t, "Timed out", failed[0].StatusReason)
}

func TestCloudTypesNeedACloud(t *testing.T) {
	e, err := New(context.Background())
	require.NoError(t, err)
	defer e.Close()
	spec := heat.StackSpec{Name: "nocloud", Template: []byte(`
heat_template_version: 2018-08-31
resources:
  net: {type: OS::Neutron::Net}
`)}
	_, err = e.CreateStack(context.Background(), spec)
	require.ErrorIs(t, err, heat.ErrInvalid)
	assert.Equal(t, "HEAT-E99001 Service neutron is not available for resource type OS::Neutron::Net, reason: no cloud is configured for this engine.", err.Error())
	require.NoError(t, Validate(context.Background(), spec), "Validate needs no cloud")
}

func TestCustomConstraintsUseTheCloud(t *testing.T) {
	e := newTestEngine(t)
	tmpl := `
heat_template_version: 2018-08-31
parameters:
  flavor: {type: string, constraints: [{custom_constraint: nova.flavor}]}
  net: {type: string, default: private, constraints: [{custom_constraint: neutron.network}]}
  cidr: {type: string, default: 10.0.0.0/24, constraints: [{custom_constraint: net_cidr}]}
resources: {}
`
	_, err := e.CreateStack(context.Background(), heat.StackSpec{Name: "ok", Template: []byte(tmpl),
		Parameters: map[string]any{"flavor": "m1.small"}})
	require.NoError(t, err)
	_, err = e.CreateStack(context.Background(), heat.StackSpec{Name: "bad", Template: []byte(tmpl),
		Parameters: map[string]any{"flavor": "m1.nope"}})
	require.ErrorIs(t, err, heat.ErrInvalid)
	assert.Contains(t, err.Error(), "Parameter 'flavor' is invalid: Error validating value 'm1.nope': ")
}

// TestTemplateCacheKeepsTemplatesInUse parses many one-off templates
// (as groups generate) while one template is used regularly (as a
// driver's): the one in use stays cached, the others pass through.
func TestTemplateCacheKeepsTemplatesInUse(t *testing.T) {
	var c templateCache
	used := &hot.Template{}
	c.put("used", used)
	for i := range 10 * maxCachedTemplates {
		c.put(fmt.Sprint("once", i), &hot.Template{})
		if i%(maxCachedTemplates/2) == 0 {
			got, ok := c.get("used")
			require.True(t, ok, "after %d one-off templates", i)
			require.Same(t, used, got)
		}
	}
	_, ok := c.get("once0")
	assert.False(t, ok, "one-off templates pass through")
	assert.LessOrEqual(t, len(c.current)+len(c.previous), 2*maxCachedTemplates)
}
