package engine

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
)

const slowGroup = `
heat_template_version: 2018-08-31
resources:
  rand: {type: OS::Heat::RandomString}
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: OS::Heat::TestResource
        properties: {value: {get_attr: [rand, value]}, action_wait_secs: {create: 1}}
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{network: private}]}
outputs:
  values: {value: {get_attr: [group, output]}}
  rand: {value: {get_attr: [rand, value]}}
  ip: {value: {get_attr: [server, first_address]}}
`

// engineOnCloud starts an engine over a simulated cloud, each storing in
// its own blobs, sealed with testSealer.
func engineOnCloud(t *testing.T, blobs Blobs, cloudBlobs sim.Blobs) (*sim.Cloud, *Engine) {
	t.Helper()
	c, e, err := sealedEngineOnCloud(t, blobs, cloudBlobs, testSealer)
	require.NoError(t, err)
	return c, e
}

// TestRestartResumesInProgressStacks stops an engine while a stack is
// being created; a new engine over the same stores finishes it.
func TestRestartResumesInProgressStacks(t *testing.T) {
	ctx := context.Background()
	blobs, cloudBlobs := NewMemoryBlobs(), &sim.MemBlobs{}
	_, e1 := engineOnCloud(t, blobs, cloudBlobs)
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "resumed", Template: []byte(slowGroup)})
	require.NoError(t, err)
	time.Sleep(300 * time.Millisecond)
	st, err := e1.GetStack(ctx, id)
	require.NoError(t, err)
	require.Equal(t, heat.CreateInProgress, st.Status)
	rand := st.Outputs["rand"]
	require.NoError(t, e1.Close())
	_, err = e1.GetStack(ctx, id)
	require.ErrorIs(t, err, heat.ErrUnavailable)

	c2, e2 := engineOnCloud(t, blobs, cloudBlobs)
	defer e2.Close()
	st = waitStack(t, e2, id)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
	assert.Equal(t, rand, st.Outputs["rand"], "completed resources are kept")
	assert.Equal(t, []any{rand, rand}, st.Outputs["values"])
	assert.NotEmpty(t, st.Outputs["ip"])
	servers, err := c2.Servers(ctx, "")
	require.NoError(t, err)
	assert.Len(t, servers, 1, "the server is not created twice")

	require.NoError(t, e2.DeleteStack(ctx, id))
	st = waitStack(t, e2, id)
	assert.Equal(t, heat.DeleteComplete, st.Status)
	assertOnlyLayout(t, blobs, "a deleted stack leaves nothing in the store")
}

// splitParent creates a config whose properties are too large to be
// stored inline, then a template resource whose nested stack takes a
// second to create.
const splitParent = `
heat_template_version: 2018-08-31
parameters:
  big: {type: string}
resources:
  small: {type: OS::Heat::Value, properties: {value: inline}}
  config:
    type: OS::Heat::SoftwareConfig
    properties: {config: {get_param: big}}
  child:
    type: child.yaml
    properties: {value: {get_attr: [config, config]}}
outputs:
  config: {value: {get_attr: [config, config]}}
  child: {value: {get_attr: [child, value]}}
`

const splitChild = `
heat_template_version: 2018-08-31
parameters:
  value: {type: string}
resources:
  slow:
    type: OS::Heat::TestResource
    properties: {value: {get_param: value}, action_wait_secs: {create: 1}}
outputs:
  value: {value: {get_attr: [slow, output]}}
`

// bigText is larger than what a resource's state record holds inline.
var bigText = strings.Repeat("echo configured\n", inlineApplied/8)

// storedKeys lists the keys of blobs holding kind ("t", "a", "d", "r")
// records.
func storedKeys(t *testing.T, blobs Blobs, kind string) []string {
	t.Helper()
	if kind == "t" {
		all, err := blobs.List(context.Background(), textPrefix)
		require.NoError(t, err)
		return slices.Collect(maps.Keys(all))
	}
	all, err := blobs.List(context.Background(), stackPrefix)
	require.NoError(t, err)
	var out []string
	for k := range all {
		if strings.Contains(k, "/"+kind+"/") || kind == "d" && strings.HasSuffix(k, "/d") {
			out = append(out, k)
		}
	}
	return out
}

// resourceStatus returns the status and physical ID of a resource of a
// stack or of its nested stacks.
func resourceStatus(t *testing.T, e *Engine, id, name string) (heat.Status, string) {
	t.Helper()
	rs, err := e.Resources(context.Background(), id, 5)
	require.NoError(t, err)
	for _, r := range rs {
		if r.Name == name {
			return r.Status, r.PhysicalID
		}
	}
	return "", ""
}

// appliedProps returns the applied properties of a top-level resource,
// once the stack's tree is in memory (an engine resuming the stack reads
// it back as it starts).
func appliedProps(t *testing.T, e *Engine, id, name string) map[string]any {
	t.Helper()
	var props map[string]any
	require.Eventually(t, func() bool {
		s, err := e.lookup(id)
		require.NoError(t, err)
		s.mu.Lock()
		defer s.mu.Unlock()
		if r, ok := s.resources[name]; ok {
			props = r.rec.Props
		}
		return len(props) > 0
	}, 5*time.Second, time.Millisecond, "resource %s of stack %s has no applied properties in memory", name, id)
	return props
}

// TestRestartResumesSplitRecords interrupts a create once a resource
// with large properties (stored apart from its state) is complete and
// while a nested stack (its definition stored by text digests) is in
// progress; a new engine over the same Blobs finishes the create.
func TestRestartResumesSplitRecords(t *testing.T) {
	ctx := context.Background()
	blobs := NewMemoryBlobs()
	e1, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "split", Template: []byte(splitParent),
		Files: map[string]string{"child.yaml": splitChild}, Parameters: map[string]any{"big": bigText}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st, _ := resourceStatus(t, e1, id, "slow")
		return st == heat.CreateInProgress
	}, 5*time.Second, 5*time.Millisecond)
	configStatus, configID := resourceStatus(t, e1, id, "config")
	require.Equal(t, heat.CreateComplete, configStatus)
	smallProps, configProps := appliedProps(t, e1, id, "small"), appliedProps(t, e1, id, "config")
	require.NoError(t, e1.Close())

	assert.Len(t, storedKeys(t, blobs, "a"), 1, "the config's properties are stored apart")
	assert.Len(t, storedKeys(t, blobs, "t"), 2, "the parent template and child.yaml, once for both stacks")
	assert.Len(t, storedKeys(t, blobs, "d"), 2, "a definition record per stack")

	e2, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	defer e2.Close()
	assert.Equal(t, smallProps, appliedProps(t, e2, id, "small"), "properties stored inline are read back")
	assert.Equal(t, configProps, appliedProps(t, e2, id, "config"), "properties stored apart are read back")
	st := waitStack(t, e2, id)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
	assert.Equal(t, bigText, st.Outputs["config"], "the properties stored apart are read back")
	assert.Equal(t, bigText, st.Outputs["child"])
	status, physical := resourceStatus(t, e2, id, "config")
	assert.Equal(t, heat.CreateComplete, status)
	assert.Equal(t, configID, physical, "a completed resource is not created again")

	require.NoError(t, e2.DeleteStack(ctx, id))
	st = waitStack(t, e2, id)
	assert.Equal(t, heat.DeleteComplete, st.Status)
	assertOnlyLayout(t, blobs, "a deleted stack leaves nothing in the store")
}

// TestLoadDeletesOrphanedRecords puts back the records a crash between
// two writes can leave: a stack's records without its state record, and
// properties stored apart that their resource no longer names. Loading
// deletes them and keeps the rest.
func TestLoadDeletesOrphanedRecords(t *testing.T) {
	ctx := context.Background()
	blobs := NewMemoryBlobs()
	e1, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "kept", Template: []byte(splitParent),
		Files: map[string]string{"child.yaml": splitChild}, Parameters: map[string]any{"big": bigText}})
	require.NoError(t, err)
	require.Equal(t, heat.CreateComplete, waitStack(t, e1, id).Status)
	require.NoError(t, e1.Close())
	kept := blobs.Len()
	applied := storedKeys(t, blobs, "a")
	require.Len(t, applied, 3, "config, child and the nested slow resource have large properties")
	stale := applied[0] + "-stale"
	require.NoError(t, blobs.Put(ctx, stale, []byte(`{}`)))

	e2, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	st, err := e2.GetStack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, heat.CreateComplete, st.Status)
	assert.Equal(t, bigText, st.Outputs["child"])
	require.NoError(t, e2.Close())
	assert.Equal(t, kept, blobs.Len(), "the stale record is deleted when the stack is read back")

	toLegacyLayout(t, blobs)
	for _, key := range []string{stale, stackKey("ghost") + "/d", stackKey("ghost") + "/t/0123", textKey("0123"),
		resourceKey("ghost", "r1"), appliedKey("ghost", appliedName("r1", "x"))} {
		require.NoError(t, blobs.Put(ctx, key, []byte(`{}`)))
	}
	e3, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	defer e3.Close()
	assert.Equal(t, kept, blobs.Len(), "converting the layout deletes only the orphaned records")
	st, err = e3.GetStack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, heat.CreateComplete, st.Status)
	assert.Equal(t, bigText, st.Outputs["child"])
}

// toLegacyLayout turns a store into what an engine that read every stack
// at start wrote: top-level states under stacks/, no text counts, no
// layout mark.
func toLegacyLayout(t *testing.T, blobs *MemoryBlobs) {
	t.Helper()
	ctx := context.Background()
	tops, err := blobs.List(ctx, topPrefix)
	require.NoError(t, err)
	for key, b := range tops {
		require.NoError(t, blobs.Put(ctx, stackKey(strings.TrimPrefix(key, topPrefix)), b))
		require.NoError(t, blobs.Delete(ctx, key))
	}
	refs, err := blobs.List(ctx, refPrefix)
	require.NoError(t, err)
	for key := range refs {
		require.NoError(t, blobs.Delete(ctx, key))
	}
	require.NoError(t, blobs.Delete(ctx, layoutKey))
}

// assertOnlyLayout checks that blobs come to hold the layout mark alone:
// a deleted stack's records go once its DELETE_COMPLETE is visible, a
// moment later on a loaded machine.
func assertOnlyLayout(t *testing.T, blobs *MemoryBlobs, msg string) {
	t.Helper()
	var keys []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		all, err := blobs.List(context.Background(), "")
		require.NoError(t, err)
		keys = slices.Collect(maps.Keys(all))
		if len(keys) == 1 || time.Now().After(deadline) {
			break
		}
	}
	assert.Equal(t, []string{layoutKey}, keys, msg)
}

// heldBlobs is a QueuedBlobs that holds queued writes until Flush.
type heldBlobs struct {
	*MemoryBlobs
	mu      sync.Mutex
	held    []func()
	flushes int
}

func (h *heldBlobs) QueuePut(ctx context.Context, key string, value []byte) error {
	h.hold(func() { _ = h.MemoryBlobs.Put(ctx, key, value) })
	return nil
}

func (h *heldBlobs) QueueDelete(ctx context.Context, key string) error {
	h.hold(func() { _ = h.MemoryBlobs.Delete(ctx, key) })
	return nil
}

func (h *heldBlobs) hold(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = append(h.held, f)
}

func (h *heldBlobs) Flush(context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.held {
		f()
	}
	h.held = nil
	h.flushes++
	return nil
}

// TestQueuedRecordsAreFlushedBeforeCallsReturn runs an engine over
// blobs that queue: its records are written in order, and what a call
// acknowledged or reported is written before the call returns.
func TestQueuedRecordsAreFlushedBeforeCallsReturn(t *testing.T) {
	ctx := context.Background()
	blobs := &heldBlobs{MemoryBlobs: NewMemoryBlobs()}
	e1, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "queued", Template: []byte(splitParent),
		Files: map[string]string{"child.yaml": splitChild}, Parameters: map[string]any{"big": "small"}})
	require.NoError(t, err)
	_, err = blobs.Get(ctx, topKey(id))
	require.NoError(t, err, "the stack is written once CreateStack returns")
	st := waitStack(t, e1, id)
	require.Equal(t, heat.CreateComplete, st.Status)
	require.NoError(t, e1.Close())
	assert.Positive(t, blobs.flushes)

	e2, err := New(ctx, WithBlobs(blobs.MemoryBlobs))
	require.NoError(t, err)
	defer e2.Close()
	got, err := e2.GetStack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, heat.CreateComplete, got.Status, "the completion GetStack reported was written")
}

// TestTextsAreSharedAcrossStacks creates two stacks from the same
// template and files: their texts are stored once, kept while either
// stack uses them, and deleted with the last.
func TestTextsAreSharedAcrossStacks(t *testing.T) {
	ctx := context.Background()
	blobs := NewMemoryBlobs()
	e, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	defer e.Close()
	spec := heat.StackSpec{Template: []byte(splitParent), Files: map[string]string{"child.yaml": splitChild},
		Parameters: map[string]any{"big": "small"}}
	var ids []string
	for _, name := range []string{"one", "two"} {
		spec.Name = name
		id, err := e.CreateStack(ctx, spec)
		require.NoError(t, err)
		require.Equal(t, heat.CreateComplete, waitStack(t, e, id).Status)
		ids = append(ids, id)
	}
	require.Len(t, storedKeys(t, blobs, "t"), 2, "the template and child.yaml, once for both stacks")

	deleteStack := func(id string) {
		require.NoError(t, e.DeleteStack(ctx, id))
		require.Equal(t, heat.DeleteComplete, waitStack(t, e, id).Status)
	}
	deleteStack(ids[0])
	assert.Len(t, storedKeys(t, blobs, "t"), 2, "the other stack still uses them")
	deleteStack(ids[1])
	assert.Empty(t, storedKeys(t, blobs, "t"), "no stack uses them any more")
}

// TestLoadMovesTextsStoredPerTree loads texts an older engine stored
// under their top-level stack: they move to texts/ and the stack
// restores from them.
func TestLoadMovesTextsStoredPerTree(t *testing.T) {
	ctx := context.Background()
	blobs := NewMemoryBlobs()
	e1, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "old", Template: []byte(splitParent),
		Files: map[string]string{"child.yaml": splitChild}, Parameters: map[string]any{"big": "small"}})
	require.NoError(t, err)
	require.Equal(t, heat.CreateComplete, waitStack(t, e1, id).Status)
	require.NoError(t, e1.Close())
	toLegacyLayout(t, blobs)
	for _, key := range storedKeys(t, blobs, "t") {
		b, err := blobs.Get(ctx, key)
		require.NoError(t, err)
		require.NoError(t, blobs.Put(ctx, stackKey(id)+"/t/"+strings.TrimPrefix(key, textPrefix), b))
		require.NoError(t, blobs.Delete(ctx, key))
	}

	e2, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	defer e2.Close()
	st, err := e2.GetStack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, heat.CreateComplete, st.Status)
	assert.Len(t, storedKeys(t, blobs, "t"), 2, "the texts moved to texts/")
	legacy, err := blobs.List(ctx, stackKey(id)+"/t/")
	require.NoError(t, err)
	assert.Empty(t, legacy)
}

// TestUpdateRewritesLargeRecordsOnlyWhenChanged updates a resource whose
// properties are stored apart, then the files of a stack: the record of
// the old properties is replaced, texts no definition uses any more are
// deleted, and a restart reads the latest of each.
func TestUpdateRewritesLargeRecordsOnlyWhenChanged(t *testing.T) {
	ctx := context.Background()
	blobs := NewMemoryBlobs()
	e1, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	tmpl := strings.ReplaceAll(splitChild, ", action_wait_secs: {create: 1}", "")
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "updated", Template: []byte(splitParent),
		Files: map[string]string{"child.yaml": tmpl}, Parameters: map[string]any{"big": bigText}})
	require.NoError(t, err)
	require.Equal(t, heat.CreateComplete, waitStack(t, e1, id).Status)
	require.Len(t, storedKeys(t, blobs, "a"), 3, "config, child and the nested slow resource")
	require.Len(t, storedKeys(t, blobs, "t"), 2)

	update := func(e *Engine, u heat.StackUpdate) {
		require.NoError(t, e.UpdateStack(ctx, id, u))
		st := waitStack(t, e, id)
		require.Equal(t, heat.UpdateComplete, st.Status, st.StatusReason)
	}
	other := bigText + "# changed\n"
	update(e1, heat.StackUpdate{Parameters: map[string]any{"big": other}})
	assert.Len(t, storedKeys(t, blobs, "a"), 3, "a replaced record is deleted")

	newer := tmpl + "# revised\n"
	update(e1, heat.StackUpdate{Template: []byte(splitParent + "# revised\n"), Files: map[string]string{"child.yaml": newer}})
	assert.Len(t, storedKeys(t, blobs, "t"), 4, "the texts of the previous definition are kept for rollback")
	update(e1, heat.StackUpdate{Parameters: map[string]any{"big": bigText}})
	assert.Len(t, storedKeys(t, blobs, "t"), 2, "texts no definition uses are deleted")
	require.NoError(t, e1.Close())

	e2, err := New(ctx, WithBlobs(blobs))
	require.NoError(t, err)
	defer e2.Close()
	st, err := e2.GetStack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, heat.UpdateComplete, st.Status)
	assert.Equal(t, bigText, st.Outputs["config"])
	assert.Equal(t, bigText, st.Outputs["child"])
	update(e2, heat.StackUpdate{Parameters: map[string]any{"big": other}})
	st, err = e2.GetStack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, other, st.Outputs["child"])
	assert.Len(t, storedKeys(t, blobs, "a"), 3, "records loaded from the store are replaced too")
}

// TestGroupAttributesAfterRestart reads a finished group's member
// attributes from an engine that loaded the stack from its store, where
// numbers come back from JSON as floats.
func TestGroupAttributesAfterRestart(t *testing.T) {
	ctx := context.Background()
	tmpl := `
heat_template_version: 2018-08-31
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 3
      resource_def:
        type: OS::Heat::Value
        properties: {value: "m%index%"}
outputs:
  values: {value: {get_attr: [group, value]}}
`
	blobs, cloudBlobs := NewMemoryBlobs(), &sim.MemBlobs{}
	_, e1 := engineOnCloud(t, blobs, cloudBlobs)
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "group", Template: []byte(tmpl)})
	require.NoError(t, err)
	st := waitStack(t, e1, id)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
	want := []any{"m0", "m1", "m2"}
	require.Equal(t, want, st.Outputs["values"])
	require.NoError(t, e1.Close())

	_, e2 := engineOnCloud(t, blobs, cloudBlobs)
	defer e2.Close()
	again, err := e2.GetStack(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, want, again.Outputs["values"])
}
