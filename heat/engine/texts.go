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
// tree uses any more is deleted.
type textStore struct {
	// mu is held while a text is stored or deleted, so that a text being
	// deleted is never handed to a new user.
	mu      sync.Mutex
	digests map[string]string          // stored text -> digest
	texts   map[string]string          // digest -> stored text
	users   map[string]map[string]bool // digest -> IDs of the top-level stacks using it
}

func newTextStore() *textStore {
	return &textStore{digests: map[string]string{}, texts: map[string]string{}, users: map[string]map[string]bool{}}
}

// digestOf names a text by its SHA-256.
func digestOf(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// known records a stored text and a tree using it; t.mu must be held.
func (t *textStore) known(digest, text, rootID string) {
	t.digests[text], t.texts[digest] = digest, text
	if t.users[digest] == nil {
		t.users[digest] = map[string]bool{}
	}
	t.users[digest][rootID] = true
}

// storeText stores a text of root's tree unless it is stored already and
// returns its digest.
func (e *Engine) storeText(root *stack, text string) string {
	t := e.texts
	t.mu.Lock()
	defer t.mu.Unlock()
	d, ok := t.digests[text]
	if !ok {
		d = digestOf(text)
		if !e.putBytes(textKey(d), []byte(text)) {
			return d
		}
	}
	t.known(d, text, root.rec.ID)
	return d
}

// releaseTexts records that the tree of the top-level stack rootID uses
// only the texts in used now (none once it is deleted), and deletes the
// texts no tree uses any more.
func (e *Engine) releaseTexts(rootID string, used map[string]bool) {
	t := e.texts
	t.mu.Lock()
	defer t.mu.Unlock()
	for d, roots := range t.users {
		if !roots[rootID] || used[t.texts[d]] {
			continue
		}
		delete(roots, rootID)
		if len(roots) == 0 {
			e.del(textKey(d))
			delete(t.users, d)
			delete(t.digests, t.texts[d])
			delete(t.texts, d)
		}
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
	all, err := e.blobs.List(e.ctx, textPrefix)
	if err != nil {
		return nil, err
	}
	texts := make(map[string]string, len(all))
	for key, b := range all {
		texts[key[len(textPrefix):]] = string(b)
	}
	for id, ss := range stored {
		for d, text := range ss.texts {
			if ss.rec == nil {
				break // an orphan: load deletes its records
			}
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
				if text, ok := texts[d]; ok {
					t.known(d, text, root)
				}
			}
		}
	}
	for d := range texts {
		if t.users[d] == nil {
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
