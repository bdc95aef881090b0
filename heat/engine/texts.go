package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"sync"
)

// textStore knows the template and file texts the engine has stored,
// each once under texts/<sha256>, and which trees of stacks use them:
// every cluster a driver makes shares the driver's templates, so a
// thousand clusters store them once, not a thousand times. A text no
// tree uses any more is deleted. No lock is held while a text is written
// or deleted: a stack storing a text another is writing waits for that
// text alone, and one storing a text being deleted waits until it is
// gone, then writes it again.
type textStore struct {
	mu       sync.Mutex
	byText   map[string]*storedText
	byDigest map[string]*storedText
	// roots maps the ID of a top-level stack to the digests its tree uses.
	roots map[string]map[string]bool
}

// storedText is one text of the store.
type storedText struct {
	text, digest string
	users        int           // trees using it
	ready        chan struct{} // closed once the text is written
	gone         chan struct{} // set while it is deleted, closed once it is
}

func newTextStore() *textStore {
	return &textStore{byText: map[string]*storedText{}, byDigest: map[string]*storedText{}, roots: map[string]map[string]bool{}}
}

// digestOf names a text by its SHA-256.
func digestOf(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// use records that rootID's tree uses st; t.mu must be held.
func (t *textStore) use(st *storedText, rootID string) {
	used := t.roots[rootID]
	if used == nil {
		used = map[string]bool{}
		t.roots[rootID] = used
	}
	if !used[st.digest] {
		used[st.digest] = true
		st.users++
	}
}

// add records a text known to be written; t.mu must be held.
func (t *textStore) add(text, digest string, ready chan struct{}) *storedText {
	st := &storedText{text: text, digest: digest, ready: ready}
	t.byText[text], t.byDigest[digest] = st, st
	return st
}

// storeText stores a text of root's tree unless it is stored already and
// returns its digest once the text is written.
func (e *Engine) storeText(root *stack, text string) string {
	t := e.texts
	for {
		t.mu.Lock()
		st := t.byText[text]
		switch {
		case st != nil && st.gone != nil:
			gone := st.gone
			t.mu.Unlock()
			<-gone
			continue
		case st != nil:
			t.use(st, root.rec.ID)
			t.mu.Unlock()
			<-st.ready
			return st.digest
		}
		st = t.add(text, digestOf(text), make(chan struct{}))
		t.use(st, root.rec.ID)
		t.mu.Unlock()
		e.putBytes(textKey(st.digest), []byte(text)) // a failure is logged: the store is failing
		close(st.ready)
		return st.digest
	}
}

// releaseTexts records that the tree of the top-level stack rootID uses
// only the texts in used now (none once it is deleted), and deletes the
// texts no tree uses any more.
func (e *Engine) releaseTexts(rootID string, used map[string]bool) {
	t := e.texts
	t.mu.Lock()
	var drop []*storedText
	for d := range t.roots[rootID] {
		st := t.byDigest[d]
		if st == nil || used[st.text] {
			continue
		}
		delete(t.roots[rootID], d)
		if st.users--; st.users == 0 {
			st.gone = make(chan struct{})
			drop = append(drop, st)
		}
	}
	if len(t.roots[rootID]) == 0 {
		delete(t.roots, rootID)
	}
	t.mu.Unlock()
	for _, st := range drop {
		<-st.ready
		e.del(textKey(st.digest))
		t.mu.Lock()
		if t.byText[st.text] == st {
			delete(t.byText, st.text)
		}
		delete(t.byDigest, st.digest)
		close(st.gone)
		t.mu.Unlock()
	}
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
			used[d.Template] = true
			for _, text := range d.Files {
				used[text] = true
			}
		}
		s.mu.Unlock()
	}
	e.releaseTexts(root.rec.ID, used)
}

// loadTexts gathers the stored texts, those under texts/ and those an
// older engine stored under each top-level stack, which it moves to
// texts/. It returns them by digest.
func (e *Engine) loadTexts(stored map[string]*storedStack) (map[string]string, error) {
	all, err := e.loadRecords(e.ctx, textPrefix)
	if err != nil {
		return nil, err
	}
	texts := make(map[string]string, len(all))
	for key, b := range all {
		texts[key[len(textPrefix):]] = string(b)
	}
	for id, ss := range stored {
		if ss.rec == nil {
			continue // an orphan: load deletes its records
		}
		for d, text := range ss.texts {
			if _, ok := texts[d]; !ok && !e.putBytes(textKey(d), []byte(text)) {
				continue // keep the old record
			}
			texts[d] = text
			e.del(stackPrefix + id + "/t/" + d)
		}
	}
	return texts, nil
}

// registerTexts records which stored texts each loaded tree uses and
// deletes those none does.
func (e *Engine) registerTexts(stored map[string]*storedStack, texts map[string]string) {
	t := e.texts
	t.mu.Lock()
	defer t.mu.Unlock()
	written := make(chan struct{})
	close(written)
	for id, s := range e.stacks {
		ss := stored[id]
		if ss == nil || ss.def == nil {
			continue
		}
		root := s.treeRoot().rec.ID
		for _, sd := range []*storedDefinition{&ss.def.Definition, ss.def.Previous} {
			if sd == nil {
				continue
			}
			for _, d := range append(slices.Collect(maps.Values(sd.Files)), sd.Template) {
				text, ok := texts[d]
				if !ok {
					continue
				}
				st := t.byDigest[d]
				if st == nil {
					st = t.add(text, d, written)
				}
				t.use(st, root)
			}
		}
	}
	for d := range texts {
		if t.byDigest[d] == nil {
			e.del(textKey(d))
		}
	}
}

// tree returns the stacks of root's tree, root included.
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
