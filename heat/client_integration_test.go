package heat_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// mainStack is the spec of testdata/stacks/main.yaml: RandomString, None,
// TestResource, a ResourceGroup of nested member.yaml stacks, and Nova and
// Neutron resources the environment maps to OS::Heat::None.
func mainStack(t testing.TB, name string, count int, tags ...string) heat.StackSpec {
	return heat.StackSpec{
		Name:        name,
		Template:    template(t, "main.yaml"),
		Files:       map[string]string{"member.yaml": string(template(t, "member.yaml"))},
		Environment: noServices,
		Parameters:  map[string]any{"count": count, "label": "first"},
		Timeout:     5 * time.Minute,
		Tags:        tags,
	}
}

func TestIntegrationStackLifecycle(t *testing.T) {
	forEachHeat(t, func(t *testing.T, h realHeat) {
		ctx := t.Context()
		c := h.client
		tag := "gm-life-" + suffix()
		name := stackName("life")
		id := create(t, c, mainStack(t, name, 2, tag, "gomagnum"))

		st := waitStatus(t, c, id, heat.CreateComplete)
		assert.Equal(t, id, st.ID)
		assert.Equal(t, name, st.Name)
		assert.ElementsMatch(t, []string{tag, "gomagnum"}, st.Tags)
		assert.False(t, st.CreatedAt.IsZero())
		secret, ok := st.Outputs["secret"].(string)
		require.True(t, ok, "outputs: %v", st.Outputs)
		assert.Len(t, secret, 16)
		assert.Equal(t, "first", st.Outputs["probe"])
		assert.Equal(t, []any{"member-0", "member-1"}, st.Outputs["member_values"])
		assert.Equal(t, "2", st.Parameters["count"], "Heat returns parameters as strings")
		assert.Equal(t, "first", st.Parameters["label"])

		// The top level keeps the declared types of the mapped Nova and Neutron resources.
		top, err := c.Resources(ctx, id, 0)
		require.NoError(t, err)
		types := map[string]string{}
		for _, r := range top {
			types[r.Name] = r.Type
			assert.Equal(t, 0, r.Depth)
			assert.Equal(t, id, r.StackID)
			assert.Equal(t, heat.CreateComplete, r.Status)
		}
		assert.Equal(t, map[string]string{
			"secret": "OS::Heat::RandomString", "marker": "OS::Heat::None", "probe": "OS::Heat::TestResource",
			"members": "OS::Heat::ResourceGroup", "server": "OS::Nova::Server", "net": "OS::Neutron::Net",
		}, types)

		// PATCH only the count: the template, the other parameters and the
		// random string (not replaced) stay as they are.
		require.NoError(t, c.UpdateStack(ctx, id, heat.StackUpdate{Parameters: map[string]any{"count": 3}}))
		st = waitStatus(t, c, id, heat.UpdateComplete)
		assert.Equal(t, []any{"member-0", "member-1", "member-2"}, st.Outputs["member_values"])
		assert.Equal(t, secret, st.Outputs["secret"])
		assert.Equal(t, "3", st.Parameters["count"])
		assert.Equal(t, "first", st.Parameters["label"])

		all, err := c.Resources(ctx, id, 2)
		require.NoError(t, err)
		var leaves []heat.Resource
		for _, r := range all {
			if r.Name == "leaf" {
				leaves = append(leaves, r)
			}
		}
		require.Len(t, leaves, 3)
		for _, r := range leaves {
			assert.Equal(t, 2, r.Depth, "group → member → leaf")
			assert.Equal(t, "OS::Heat::TestResource", r.Type)
			assert.Contains(t, []string{"0", "1", "2"}, r.Parent)
			assert.NotEqual(t, id, r.StackID)
		}
		failed, err := c.FailedResources(ctx, id)
		require.NoError(t, err)
		assert.Empty(t, failed)

		listed, next, err := c.ListStacks(ctx, heat.ListOptions{Tags: []string{tag}})
		require.NoError(t, err)
		assert.Empty(t, next)
		require.Len(t, listed, 1)
		assert.Equal(t, id, listed[0].ID)
		assert.Equal(t, heat.UpdateComplete, listed[0].Status)
		assert.Nil(t, listed[0].Outputs)

		oldest, _, err := c.Events(ctx, id, heat.EventOptions{Limit: 1})
		require.NoError(t, err)
		require.Len(t, oldest, 1)
		assert.Equal(t, name, oldest[0].ResourceName)
		assert.Equal(t, heat.CreateInProgress, oldest[0].Status)
		newest, marker, err := c.Events(ctx, id, heat.EventOptions{Limit: 2, Newest: true})
		require.NoError(t, err)
		require.Len(t, newest, 2)
		assert.Equal(t, newest[1].ID, marker)
		assert.Equal(t, heat.UpdateComplete, newest[0].Status)
		assert.Equal(t, name, newest[0].ResourceName)

		require.NoError(t, c.DeleteStack(ctx, id))
		waitGone(t, c, id)
		// Heat reports DELETE_COMPLETE a moment before it hides the stack from look-ups by name.
		assert.Eventually(t, func() bool {
			_, err := c.GetStack(ctx, name)
			return errors.Is(err, heat.ErrNotFound)
		}, 10*time.Second, 100*time.Millisecond, "a deleted stack is not found by name")
	})
}

func TestIntegrationNestedFailure(t *testing.T) {
	forEachHeat(t, func(t *testing.T, h realHeat) {
		c := h.client
		id := create(t, c, heat.StackSpec{
			Name:     stackName("fail"),
			Template: template(t, "failing.yaml"),
			Files:    map[string]string{"member.yaml": string(template(t, "member.yaml"))},
		})
		st := waitStatus(t, c, id, heat.CreateFailed)
		assert.Contains(t, st.StatusReason, "Test Resource failed")

		failed, err := c.FailedResources(t.Context(), id)
		require.NoError(t, err)
		require.Len(t, failed, 3, "leaf, group member, group: %+v", failed)
		leaf := failed[0]
		assert.Equal(t, "leaf", leaf.Name)
		assert.Equal(t, "OS::Heat::TestResource", leaf.Type)
		assert.Equal(t, heat.CreateFailed, leaf.Status)
		assert.Equal(t, 2, leaf.Depth)
		assert.Equal(t, "0", leaf.Parent)
		assert.Contains(t, leaf.StatusReason, "Test Resource failed leaf")
		assert.Equal(t, []string{"leaf", "0", "members"}, names(failed))
		assert.True(t, slices.IsSortedFunc(failed, func(a, b heat.Resource) int { return b.Depth - a.Depth }))
		assert.Equal(t, 0, failed[2].Depth)
		assert.Equal(t, id, failed[2].StackID)
	})
}

func names(rs []heat.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

func TestIntegrationErrors(t *testing.T) {
	forEachHeat(t, func(t *testing.T, h realHeat) {
		ctx := t.Context()
		c := h.client
		missing := "3f1b6f3e-0000-4000-8000-000000000000"

		_, err := c.GetStack(ctx, missing)
		assertKind(t, err, heat.ErrNotFound, "could not be found")
		assertKind(t, c.DeleteStack(ctx, missing), heat.ErrNotFound, "could not be found")
		assertKind(t, c.UpdateStack(ctx, missing, heat.StackUpdate{Parameters: map[string]any{"count": 1}}),
			heat.ErrNotFound, "could not be found")
		_, err = c.FailedResources(ctx, missing)
		assertKind(t, err, heat.ErrNotFound, "could not be found")
		_, _, err = c.Events(ctx, stackName("nosuch"), heat.EventOptions{})
		assertKind(t, err, heat.ErrNotFound, "could not be found")

		one := template(t, "one.yaml")
		_, err = c.CreateStack(ctx, heat.StackSpec{Name: stackName("param"), Template: one,
			Parameters: map[string]any{"x": 1}})
		assertKind(t, err, heat.ErrInvalid, "The Parameter (x) was not defined in template.")

		_, err = c.CreateStack(ctx, heat.StackSpec{Name: stackName("type"),
			Template: []byte("heat_template_version: 2018-08-31\nresources:\n  r: {type: OS::Nope::Thing}\n")})
		assertKind(t, err, heat.ErrInvalid, "OS::Nope::Thing")

		_, err = c.CreateStack(ctx, heat.StackSpec{Name: stackName("yaml"), Template: []byte("resources: [unclosed")})
		assertKind(t, err, heat.ErrInvalid, "")

		// Without the environment's mapping, Nova is not there.
		_, err = c.CreateStack(ctx, heat.StackSpec{Name: stackName("nova"), Template: template(t, "main.yaml"),
			Files: map[string]string{"member.yaml": string(template(t, "member.yaml"))}})
		assertKind(t, err, heat.ErrInvalid, "is not available for resource type")

		// Files are not read from the local disk: a missing nested template is Heat's error.
		_, err = c.CreateStack(ctx, heat.StackSpec{Name: stackName("files"), Template: template(t, "failing.yaml")})
		assertKind(t, err, heat.ErrInvalid, "member.yaml")

		name := stackName("dup")
		create(t, c, heat.StackSpec{Name: name, Template: one})
		_, err = c.CreateStack(ctx, heat.StackSpec{Name: name, Template: one})
		assertKind(t, err, heat.ErrConflict, name)
	})
}

// assertKind requires err to be an *heat.Error of the given kind whose
// message (Heat's own) contains msg.
func assertKind(t *testing.T, err error, kind error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var herr *heat.Error
	require.True(t, errors.As(err, &herr), "%T: %v", err, err)
	assert.NotEmpty(t, herr.Message)
	assert.Contains(t, herr.Message, msg)
}

func TestIntegrationListPaging(t *testing.T) {
	forEachHeat(t, func(t *testing.T, h realHeat) {
		c := h.client
		tag := "gm-page-" + suffix()
		want := map[string]bool{}
		for range 3 {
			id := create(t, c, heat.StackSpec{Name: stackName("page"), Template: template(t, "one.yaml"),
				Tags: []string{tag}})
			want[id] = true
		}
		other := create(t, c, heat.StackSpec{Name: stackName("untagged"), Template: template(t, "one.yaml")})

		got := map[string]bool{}
		marker, pages := "", 0
		for {
			page, next, err := c.ListStacks(t.Context(), heat.ListOptions{Tags: []string{tag}, Limit: 2, Marker: marker})
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 2)
			for _, s := range page {
				assert.False(t, got[s.ID], "stack %s listed twice", s.ID)
				got[s.ID] = true
				assert.Contains(t, s.Tags, tag)
			}
			pages++
			if next == "" {
				break
			}
			marker = next
		}
		assert.Equal(t, want, got)
		assert.False(t, got[other])
		assert.Equal(t, 2, pages)
	})
}
