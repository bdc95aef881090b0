package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/gomagnum/gomagnum/heat"
)

// Stacks persist under "stacks/", the state of top-level stacks under
// "tops/", so that a start reads those alone (hydrate.go). What changes
// with every state change lives in small records; the large parts, which
// change only when a stack or resource is created or updated, are stored
// apart and written only when they change:
//
//	tops/<id>                   a top-level stack's state (stackRecord)
//	stacks/<id>                 a nested stack's state (stackRecord)
//	stacks/<id>/d               its definitions and facade (definitionRecord)
//	stacks/<id>/r/<uuid>        a resource's state (persistedResource),
//	                            with its applied properties when small
//	stacks/<id>/a/<uuid>/<tag>  a resource's applied properties when large
//
// and the template and file texts of every stack, each once, with how
// many trees of stacks use it (texts.go):
//
//	texts/<sha256>              a template or file text
//	refs/<sha256>               how many trees use it
//
// A record is written after the records it refers to, and a record
// replaced by another is deleted after the record that stops referring
// to it: a crash between two writes leaves the previous state whole, and
// load deletes the records nothing refers to. Resources in INIT are not
// stored: load makes a fresh INIT resource for a definition without one.
// A resource's state is written when something a restart needs changes:
// the ID of an object made outside the engine (setPhysical), the end of
// an action, a signal. An action interrupted before its first write runs
// again after a restart, as it would have from its IN_PROGRESS state.

const (
	stackPrefix = "stacks/"
	topPrefix   = "tops/"
	textPrefix  = "texts/"
	refPrefix   = "refs/"
)

func stackKey(id string) string               { return stackPrefix + id }
func topKey(id string) string                 { return topPrefix + id }
func refKey(digest string) string             { return refPrefix + digest }
func definitionKey(id string) string          { return stackPrefix + id + "/d" }
func textKey(digest string) string            { return textPrefix + digest }
func resourceKey(stackID, uuid string) string { return stackPrefix + stackID + "/r/" + uuid }

// appliedKey names the record of applied properties name (appliedName)
// of a stack's resource.
func appliedKey(stackID, name string) string { return stackPrefix + stackID + "/a/" + name }
func appliedName(uuid, tag string) string    { return uuid + "/" + tag }

// inlineApplied is the size up to which applied properties and metadata
// are stored in the resource's state record.
const inlineApplied = 4096

// definitionRecord is the stored form of a stack's definitions and
// facade.
type definitionRecord struct {
	Definition storedDefinition  `json:"definition"`
	Previous   *storedDefinition `json:"previous,omitempty"`
	Facade     map[string]any    `json:"facade,omitempty"`
}

// storedDefinition is a stackDefinition whose template and files are
// named by the digests of their texts.
type storedDefinition struct {
	Template string            `json:"template"`
	Files    map[string]string `json:"files,omitempty"`
	Env      heat.Environment  `json:"env"`
	Params   map[string]any    `json:"params,omitempty"`
}

// appliedRecord is the stored form of a resource's applied properties
// and metadata.
type appliedRecord struct {
	Props    map[string]any `json:"props,omitempty"`
	Metadata any            `json:"metadata,omitempty"`
}

// appliedRef tells where a resource's applied properties are stored:
// inline (their marshalled record) or apart, under tag. A nil appliedRef
// stores nothing.
type appliedRef struct {
	inline json.RawMessage
	tag    string
}

func (a *appliedRef) tagName() string {
	if a == nil {
		return ""
	}
	return a.tag
}

func (a *appliedRef) inlined() json.RawMessage {
	if a == nil {
		return nil
	}
	return a.inline
}

// persistedResource is the state record of a resource.
type persistedResource struct {
	resourceRecord
	// Applied holds the applied properties stored inline; AppliedTag
	// names their record when they are stored apart.
	Applied    json.RawMessage `json:"applied,omitempty"`
	AppliedTag string          `json:"applied_tag,omitempty"`
	// Garbage marks a replaced or removed resource waiting for deletion.
	Garbage bool `json:"garbage,omitempty"`
}

// saveStack stores the stack's state; the stack lock must be held.
func (e *Engine) saveStack(s *stack) {
	if e.blobs == nil {
		return
	}
	e.put(s.stateKey(), s.rec)
}

// stateKey names the stack's state record.
func (s *stack) stateKey() string {
	if s.topLevel() {
		return topKey(s.rec.ID)
	}
	return stackKey(s.rec.ID)
}

// saveDefinition stores the stack's definitions (current and previous)
// and facade, with the texts its tree has not stored yet; the stack lock
// must be held.
func (e *Engine) saveDefinition(s *stack) {
	if e.blobs == nil {
		return
	}
	root := s.treeRoot()
	rec := definitionRecord{Definition: e.storeDefinition(root, s.rec.Definition), Facade: s.rec.Facade}
	if s.rec.Previous != nil {
		prev := e.storeDefinition(root, *s.rec.Previous)
		rec.Previous = &prev
	}
	e.put(definitionKey(s.rec.ID), rec)
}

// saveResource stores a resource's state; the stack lock must be held.
// Applied properties stored inline are spliced in as they were
// marshalled, rather than checked again by encoding/json.
func (e *Engine) saveResource(s *stack, r *resource, garbage bool) {
	if e.blobs == nil {
		return
	}
	key := resourceKey(s.rec.ID, r.rec.UUID)
	b, err := json.Marshal(persistedResource{resourceRecord: r.rec, AppliedTag: r.stored.tagName(), Garbage: garbage})
	if err != nil {
		e.log.Error("engine: persisting state failed", "key", key, "err", err)
		return
	}
	if inline := r.stored.inlined(); inline != nil {
		b = append(append(append(b[:len(b)-1], `,"applied":`...), inline...), '}')
	}
	e.putBytes(key, b)
}

// apply records the properties and metadata an action applied, with the
// resource's state; they are written only when they changed. The stack
// lock must be held.
func (e *Engine) apply(s *stack, r *resource, props map[string]any, meta any) {
	if e.blobs == nil {
		r.rec.Props, r.rec.Metadata = props, meta
		return
	}
	changed := r.rec.Props == nil || !reflect.DeepEqual(props, r.rec.Props) || !reflect.DeepEqual(meta, r.rec.Metadata)
	r.rec.Props, r.rec.Metadata = props, meta
	old := r.stored
	if changed {
		e.storeApplied(s, r)
	}
	e.saveResource(s, r, false)
	if tag := old.tagName(); tag != "" && tag != r.stored.tagName() {
		e.del(appliedKey(s.rec.ID, appliedName(r.rec.UUID, tag)))
	}
}

// storeApplied marshals a resource's applied properties and metadata,
// to be stored inline, or stores them apart when they are large. On a
// failure the previous ones stay referred to.
func (e *Engine) storeApplied(s *stack, r *resource) {
	b, err := json.Marshal(appliedRecord{Props: r.rec.Props, Metadata: r.rec.Metadata})
	switch {
	case err != nil:
		e.log.Error("engine: persisting properties failed", "stack", s.rec.ID, "resource", r.rec.Name, "err", err)
	case len(b) <= inlineApplied:
		r.stored = &appliedRef{inline: b}
	default:
		if tag := shortID(); e.putBytes(appliedKey(s.rec.ID, appliedName(r.rec.UUID, tag)), b) {
			r.stored = &appliedRef{tag: tag}
		}
	}
}

// put stores v as JSON.
func (e *Engine) put(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		e.log.Error("engine: persisting state failed", "key", key, "err", err)
		return
	}
	e.putBytes(key, b)
}

// putBytes stores b, queued when the blobs can queue, and reports
// whether it was stored (or queued).
func (e *Engine) putBytes(key string, b []byte) bool {
	var err error
	if e.queued != nil {
		err = e.queued.QueuePut(e.ctx, key, b)
	} else {
		err = e.blobs.Put(e.ctx, key, b)
	}
	if err != nil {
		e.log.Error("engine: persisting state failed", "key", key, "err", err)
		return false
	}
	return true
}

func (e *Engine) del(key string) {
	var err error
	if e.queued != nil {
		err = e.queued.QueueDelete(e.ctx, key)
	} else {
		err = e.blobs.Delete(e.ctx, key)
	}
	if err != nil {
		e.log.Error("engine: deleting a record failed", "key", key, "err", err)
	}
}

// flush waits until the records queued so far are written. API calls
// flush before they return, so that what they acknowledged or reported
// survives a crash.
func (e *Engine) flush(ctx context.Context) error {
	if e.queued == nil {
		return nil
	}
	if err := e.queued.Flush(ctx); err != nil {
		return fmt.Errorf("engine: writing stack records: %w", err)
	}
	return nil
}

// forgetResource removes a deleted resource's records.
func (e *Engine) forgetResource(s *stack, r *resource) {
	if e.blobs == nil {
		return
	}
	e.del(resourceKey(s.rec.ID, r.rec.UUID))
	if tag := r.stored.tagName(); tag != "" {
		e.del(appliedKey(s.rec.ID, appliedName(r.rec.UUID, tag)))
	}
}

// forgetStack removes the records of a deleted stack: its state last,
// so that a crash leaves a stack whose delete completed, which the next
// delete of it (nested) or start (top-level) forgets again.
func (e *Engine) forgetStack(s *stack) {
	if e.blobs == nil {
		return
	}
	id := s.rec.ID
	if err := e.flush(e.ctx); err != nil {
		e.log.Error("engine: deleting stack records failed", "stack", id, "err", err)
		return
	}
	keys, err := e.blobs.List(e.ctx, stackKey(id)+"/")
	if err != nil {
		e.log.Error("engine: deleting stack records failed", "stack", id, "err", err)
		return
	}
	for k := range keys {
		e.del(k)
	}
	e.del(s.stateKey())
}
