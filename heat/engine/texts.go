package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// textStore knows which template and file texts of a tree of stacks are
// stored, under the tree's top-level stack, named by their SHA-256: the
// nested stacks of a cluster share its files, so each text is stored
// once per tree however many stacks use it.
type textStore struct {
	mu sync.Mutex
	// digests maps each stored text to its digest.
	digests map[string]string
}

func newTextStore() *textStore { return &textStore{digests: map[string]string{}} }

func (t *textStore) lookup(text string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, ok := t.digests[text]
	return d, ok
}

func (t *textStore) add(text, digest string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.digests[text] = digest
}

// dropUnused forgets the texts not in used and returns their digests.
func (t *textStore) dropUnused(used map[string]bool) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for text, d := range t.digests {
		if !used[text] {
			out = append(out, d)
			delete(t.digests, text)
		}
	}
	return out
}

// storeText stores a text of root's tree unless it is stored already and
// returns its digest.
func (e *Engine) storeText(root *stack, text string) string {
	if d, ok := root.texts.lookup(text); ok {
		return d
	}
	b := []byte(text)
	sum := sha256.Sum256(b)
	d := hex.EncodeToString(sum[:])
	if e.putBytes(textKey(root.rec.ID, d), b) {
		root.texts.add(text, d)
	}
	return d
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

// dropUnusedTexts deletes the stored texts of root's tree that no
// definition of its stacks (current or previous) uses any more. The tree
// must be idle: it is called as a top-level update ends.
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
	for _, d := range root.texts.dropUnused(used) {
		e.del(textKey(root.rec.ID, d))
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
