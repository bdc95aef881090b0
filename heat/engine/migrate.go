package engine

import (
	"context"
	"encoding/json"
	"strconv"
)

// migrate converts, once, a store written by an engine that read every
// stack at start: the state records of top-level stacks move from
// stacks/ to tops/, the texts an older engine kept under each tree move
// to texts/, each text gets its count of trees under refs/, and the
// records nothing refers to are deleted. The layout mark is written
// last: a crash before it converts again, which finds what moved.
func (e *Engine) migrate(ctx context.Context) error {
	all, err := e.loadRecords(ctx, stackPrefix)
	if err != nil {
		return err
	}
	stored, err := decodeStore(all)
	if err != nil {
		return err
	}
	for _, key := range orphans(stored) {
		e.del(key)
	}
	texts, err := e.loadRecords(ctx, textPrefix)
	if err != nil {
		return err
	}
	users := map[string]int{}
	for id, ss := range stored {
		if ss.rec == nil {
			continue
		}
		e.moveTexts(id, ss, texts)
		if ss.rec.ParentID == "" {
			e.putBytes(topKey(id), all[stackKey(id)])
			e.del(stackKey(id))
		}
	}
	for d := range treeDigests(stored) {
		users[d]++
	}
	for key := range texts {
		d := key[len(textPrefix):]
		if users[d] == 0 {
			e.del(key)
			continue
		}
		e.putBytes(refKey(d), []byte(strconv.Itoa(users[d])))
	}
	mark, _ := json.Marshal(map[string]int{"version": 2})
	e.putBytes(layoutKey, mark)
	return e.flush(ctx)
}

// moveTexts moves the texts an older engine stored under a tree to
// texts/, adding them to texts (by key).
func (e *Engine) moveTexts(id string, ss *storedStack, texts map[string][]byte) {
	for d, text := range ss.texts {
		if _, ok := texts[textKey(d)]; !ok {
			if !e.putBytes(textKey(d), []byte(text)) {
				continue // keep the old record
			}
			texts[textKey(d)] = []byte(text)
		}
		e.del(stackPrefix + id + "/t/" + d)
	}
}

// treeDigests yields, once per tree and text, the digests of the texts
// each tree of stored stacks uses.
func treeDigests(stored map[string]*storedStack) func(func(string) bool) {
	perTree := map[string]map[string]bool{}
	for id, ss := range stored {
		if ss.rec == nil || ss.def == nil {
			continue
		}
		root := ss.rec.Root
		if root == "" {
			root = id
		}
		if perTree[root] == nil {
			perTree[root] = map[string]bool{}
		}
		for d := range digests(&ss.def.Definition, ss.def.Previous) {
			perTree[root][d] = true
		}
	}
	return func(yield func(string) bool) {
		for _, ds := range perTree {
			for d := range ds {
				if !yield(d) {
					return
				}
			}
		}
	}
}
