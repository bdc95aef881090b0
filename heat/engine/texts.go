package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
)

// textStore knows how many trees of stacks use each template and file
// text the engine has stored, each once under texts/<sha256> with its
// count under refs/<sha256>: every cluster a driver makes shares the
// driver's templates, so a thousand clusters store them once, not a
// thousand times. A text no tree uses any more is deleted. Memory holds
// the counts alone, and which texts the trees in memory (hydrate.go) use.
//
// A count is written after its text and before the definition that
// refers to the text, and lowered after the definitions stop referring
// to it, so a crash leaves a count too high at worst (the text stays),
// never a definition whose text is gone. No lock is held while a text is
// written or deleted: a stack storing a text another is writing waits
// for that text alone, and one storing a text being deleted waits until
// it is gone, then writes it again.
type textStore struct {
	mu       sync.Mutex
	byDigest map[string]*storedText
	// roots maps the ID of a top-level stack in memory to the digests its
	// tree uses.
	roots map[string]map[string]bool
}

// storedText is one text of the store.
type storedText struct {
	digest string
	users  int           // trees using it
	ready  chan struct{} // closed once the text is written
	gone   chan struct{} // set while it is deleted, closed once it is
}

func newTextStore() *textStore {
	return &textStore{byDigest: map[string]*storedText{}, roots: map[string]map[string]bool{}}
}

// closedChan is a channel closed already: the text is written.
func closedChan() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// digestOf names a text by its SHA-256.
func digestOf(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// useText records that rootID's tree uses st, writing its new count;
// e.texts.mu must be held.
func (e *Engine) useText(st *storedText, rootID string) {
	t := e.texts
	used := t.roots[rootID]
	if used == nil {
		used = map[string]bool{}
		t.roots[rootID] = used
	}
	if !used[st.digest] {
		used[st.digest] = true
		st.users++
		e.putCount(st)
	}
}

// putCount writes how many trees use a text; e.texts.mu must be held, so
// that counts are written in the order they change.
func (e *Engine) putCount(st *storedText) {
	e.putBytes(refKey(st.digest), []byte(strconv.Itoa(st.users)))
}

// storeText stores a text of root's tree unless it is stored already and
// returns its digest once the text and its count are written.
func (e *Engine) storeText(root *stack, text string) string {
	t, d := e.texts, digestOf(text)
	for {
		t.mu.Lock()
		st := t.byDigest[d]
		if st == nil {
			st = &storedText{digest: d, ready: make(chan struct{})}
			t.byDigest[d] = st
			t.mu.Unlock()
			e.putBytes(textKey(d), []byte(text)) // a failure is logged: the store is failing
			t.mu.Lock()
			e.useText(st, root.rec.ID)
			t.mu.Unlock()
			close(st.ready)
			return d
		}
		t.mu.Unlock()
		select {
		case <-st.ready:
		case <-st.gone:
		}
		t.mu.Lock()
		if t.byDigest[d] == st && st.gone == nil {
			e.useText(st, root.rec.ID)
			t.mu.Unlock()
			return d
		}
		gone := st.gone
		t.mu.Unlock()
		if gone != nil {
			<-gone
		}
	}
}

// releaseTexts records that the tree of the top-level stack rootID uses
// only the texts in used now, by digest (none once it is deleted), and
// deletes the texts no tree uses any more.
func (e *Engine) releaseTexts(rootID string, used map[string]bool) {
	t := e.texts
	t.mu.Lock()
	var drop []*storedText
	for d := range t.roots[rootID] {
		if used[d] {
			continue
		}
		delete(t.roots[rootID], d)
		st := t.byDigest[d]
		if st == nil || st.gone != nil {
			continue
		}
		if st.users--; st.users > 0 {
			e.putCount(st)
			continue
		}
		st.gone = make(chan struct{})
		drop = append(drop, st)
	}
	if len(t.roots[rootID]) == 0 {
		delete(t.roots, rootID)
	}
	t.mu.Unlock()
	for _, st := range drop {
		<-st.ready
		e.del(refKey(st.digest))
		e.del(textKey(st.digest))
		t.mu.Lock()
		if t.byDigest[st.digest] == st {
			delete(t.byDigest, st.digest)
		}
		close(st.gone)
		t.mu.Unlock()
	}
}

// adoptTexts records which texts the tree of rootID, just read back from
// the store, uses. Their counts include the tree already; a text without
// a count (left by a crash) is given one.
func (e *Engine) adoptTexts(rootID string, digests map[string]bool) {
	t := e.texts
	t.mu.Lock()
	defer t.mu.Unlock()
	for d := range digests {
		if st := t.byDigest[d]; st == nil {
			st = &storedText{digest: d, ready: closedChan()}
			t.byDigest[d] = st
			e.useText(st, rootID)
			continue
		}
		if t.roots[rootID] == nil {
			t.roots[rootID] = map[string]bool{}
		}
		t.roots[rootID][d] = true
	}
}

// forgetTexts drops what memory knows of the texts of a tree put to rest.
func (e *Engine) forgetTexts(rootID string) {
	e.texts.mu.Lock()
	defer e.texts.mu.Unlock()
	delete(e.texts.roots, rootID)
}

// storeDefinition stores the texts of a definition and returns the
// definition with its texts named by digest.
func (e *Engine) storeDefinition(root *stack, d stackDefinition) storedDefinition {
	sd := storedDefinition{Template: e.storeText(root, d.Template), Env: d.Env, Params: d.Params}
	if len(d.Files) > 0 {
		sd.Files = make(map[string]string, len(d.Files))
		for name, text := range d.Files {
			sd.Files[name] = e.storeText(root, text)
		}
	}
	return sd
}

// dropUnusedTexts releases the texts that no definition of root's tree
// (current or previous) uses any more. The tree must be idle: it is
// called as a top-level update ends.
func (e *Engine) dropUnusedTexts(root *stack) {
	if e.blobs == nil {
		return
	}
	used := map[string]bool{}
	for _, s := range e.tree(root) {
		s.mu.Lock()
		for _, d := range []*stackDefinition{&s.rec.Definition, s.rec.Previous} {
			if d == nil {
				continue
			}
			used[digestOf(d.Template)] = true
			for _, text := range d.Files {
				used[digestOf(text)] = true
			}
		}
		s.mu.Unlock()
	}
	e.releaseTexts(root.rec.ID, used)
}

// digests returns the digests of the texts of stored definitions.
func digests(defs ...*storedDefinition) map[string]bool {
	out := map[string]bool{}
	for _, sd := range defs {
		if sd == nil {
			continue
		}
		out[sd.Template] = true
		for _, d := range sd.Files {
			out[d] = true
		}
	}
	return out
}

// readTexts reads the texts of the given digests.
func (e *Engine) readTexts(ctx context.Context, want map[string]bool) (map[string]string, error) {
	texts := make(map[string]string, len(want))
	for _, d := range slices.Sorted(maps.Keys(want)) {
		b, err := e.blobs.Get(ctx, textKey(d))
		if err != nil {
			return nil, fmt.Errorf("the text %s: %w", d, err)
		}
		texts[d] = string(b)
	}
	return texts, nil
}

// loadCounts reads how many trees use each stored text.
func (e *Engine) loadCounts(ctx context.Context) error {
	all, err := e.loadRecords(ctx, refPrefix)
	if err != nil {
		return err
	}
	t := e.texts
	t.mu.Lock()
	defer t.mu.Unlock()
	ready := closedChan()
	for key, b := range all {
		n, err := strconv.Atoi(string(b))
		if err != nil {
			return fmt.Errorf("engine: decoding %s: %w", key, err)
		}
		d := key[len(refPrefix):]
		t.byDigest[d] = &storedText{digest: d, users: n, ready: ready}
	}
	return nil
}

// tree returns the stacks of root's tree in memory, root included.
func (e *Engine) tree(root *stack) []*stack {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []*stack
	for _, s := range e.stacks {
		if s.treeRoot() == root {
			out = append(out, s)
		}
	}
	return out
}
