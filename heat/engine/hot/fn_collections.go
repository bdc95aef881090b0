package hot

import (
	"slices"
	"strings"
)

// mapMerge is map_merge.
type mapMerge struct{ *base }

func (f *mapMerge) result() (any, error) {
	a, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	items, err := sequenceItems(a)
	if err != nil {
		return nil, typeError("%s", incorrectArgs(f.name, "\""+f.name+"\" : [ { \"key1\": \"val1\" }, { \"key2\": \"val2\" } ]"))
	}
	out := map[string]any{}
	for _, m := range items {
		switch x := m.(type) {
		case nil:
		case map[string]any:
			for k, v := range x {
				out[k] = v
			}
		default:
			return nil, typeError("Incorrect arguments: Items to merge must be maps.")
		}
	}
	return out, nil
}

// sequenceItems returns the items of a Python Sequence: a list, or the
// characters of a string.
func sequenceItems(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	}
	return nil, typeError("not a sequence")
}

// mapReplace is map_replace.
type mapReplace struct{ *base }

func (f *mapReplace) example() string {
	return "\"" + f.name + "\" : [ { \"key1\": \"val1\" }, {\"keys\": {\"key1\": \"key2\"}, \"values\": {\"val1\": \"val2\"}}]"
}

func (f *mapReplace) ensureMap(v any) (map[string]any, error) {
	switch x := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return x, nil
	}
	return nil, typeError("Incorrect arguments: to \"%s\", arguments must be a list of maps. Example:  %s", f.name, f.example())
}

func (f *mapReplace) result() (any, error) {
	a, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	args, ok := a.([]any)
	if !ok || len(args) != 2 {
		return nil, typeError("%s", incorrectArgs(f.name, f.example()))
	}
	in, err := f.ensureMap(args[0])
	if err != nil {
		return nil, err
	}
	repl, err := f.ensureMap(args[1])
	if err != nil {
		return nil, err
	}
	for k := range repl {
		if k != "keys" && k != "values" {
			return nil, valueError("%s", incorrectArgs(f.name, f.example()))
		}
	}
	keys, err := f.ensureMap(repl["keys"])
	if err != nil {
		return nil, err
	}
	values, err := f.ensureMap(repl["values"])
	if err != nil {
		return nil, err
	}
	return replaceMap(in, keys, values)
}

func replaceMap(in, keys, values map[string]any) (any, error) {
	out := make(map[string]any, len(in))
	for _, k := range sortedKeys(in) {
		key := k
		if nk, ok := keys[k]; ok && nk != nil {
			key = keyString(nk)
			if _, clash := in[key]; clash && key != k {
				return nil, valueError("key replacement %s collides with a key in the input map", key)
			}
			if _, clash := out[key]; clash {
				return nil, valueError("key replacement %s collides with a key in the output map", key)
			}
		}
		v := in[k]
		if s, isStr := v.(string); isStr {
			if nv, ok := values[s]; ok {
				v = nv
			}
		}
		out[key] = v
	}
	return out, nil
}

// listConcat is list_concat and list_concat_unique.
type listConcat struct {
	*base
	unique bool
}

func (f *listConcat) result() (any, error) {
	a, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	args, ok := a.([]any)
	if !ok {
		return nil, typeError("%s", incorrectArgs(f.name, "\""+f.name+"\" : [ [ <value 1>, <value 2> ], [ <value 3>, <value 4> ] ]"))
	}
	out := []any{}
	for _, m := range args {
		switch x := m.(type) {
		case nil:
		case []any:
			out = append(out, x...)
		default:
			item, _ := PyJSON(m)
			all, _ := PyJSON(a)
			return nil, typeError("Incorrect arguments: Items to concat must be lists. %s contains an item that is not a list: %s", all, item)
		}
	}
	if !f.unique {
		return out, nil
	}
	var uniq []any
	for _, v := range out {
		if !slices.ContainsFunc(uniq, func(u any) bool { return PyEqual(u, v) }) {
			uniq = append(uniq, v)
		}
	}
	if uniq == nil {
		uniq = []any{}
	}
	return uniq, nil
}

// filter is filter: a list without the given values.
type filter struct {
	*base
	values, sequence any
}

func newFilter(b *base) (Fn, error) {
	l, ok := b.args.([]any)
	if !ok {
		return nil, typeError("Argument to \"%s\" must be a list", b.name)
	}
	if len(l) != 2 {
		return nil, valueError("\"%s\" expected 2 arguments of the form [values, sequence] but got %d arguments instead", b.name, len(l))
	}
	return &filter{base: b, values: l[0], sequence: l[1]}, nil
}

func (f *filter) result() (any, error) {
	seq, err := Resolve(f.sequence)
	if err != nil || !truthy(seq) {
		return seq, err
	}
	list, ok := seq.([]any)
	if !ok {
		return nil, typeError("\"%s\" only works with lists", f.name)
	}
	vals, err := Resolve(f.values)
	if err != nil || !truthy(vals) {
		return seq, err
	}
	drop, ok := vals.([]any)
	if !ok {
		// Heat formats this message with a bad format string.
		return nil, typeError("format requires a mapping")
	}
	out := []any{}
	for _, v := range list {
		if !slices.ContainsFunc(drop, func(d any) bool { return PyEqual(d, v) }) {
			out = append(out, v)
		}
	}
	return out, nil
}

// contains is contains: whether a value is in a sequence.
type contains struct {
	*base
	value, sequence any
}

func newContains(b *base) (Fn, error) {
	l, ok := b.args.([]any)
	if !ok || len(l) == 0 {
		return nil, typeError("%s", incorrectArgs(b.name, "\""+b.name+"\" : [ \"value1\", [ \"value1\", \"value2\"]]"))
	}
	if len(l) != 2 {
		return nil, valueError("Arguments to \"%s\" must be of the form: [value1, [value1, value2]]", b.name)
	}
	return &contains{base: b, value: l[0], sequence: l[1]}, nil
}

func (f *contains) result() (any, error) {
	v, err := Resolve(f.value)
	if err != nil {
		return nil, err
	}
	seq, err := Resolve(f.sequence)
	if err != nil {
		return nil, err
	}
	if !isSequence(seq) {
		return nil, typeError("Second argument to \"%s\" should be a sequence.", f.name)
	}
	return pyContains(seq, v)
}

// repeatMode is the repeat flavour of a version.
type repeatMode int

const (
	repeatLists        repeatMode = iota // 2015-04-30: lists only
	repeatMaps                           // 2016-10-14: lists or maps (keys)
	repeatPermutations                   // 2017-09-01: optional permutations: false
)

// repeat is repeat.
type repeat struct {
	*base
	mode     repeatMode
	forEach  any
	template any
	nested   bool
}

func newRepeat(b *base, mode repeatMode) (Fn, error) {
	m, ok := b.args.(map[string]any)
	if !ok {
		return nil, typeError("Arguments to \"%s\" must be a map", b.name)
	}
	forEach, okF := m["for_each"]
	tmpl, okT := m["template"]
	if !okF || !okT {
		return nil, keyError("\"repeat\" syntax should be repeat:\n              template: This is %%var%%\n              for_each:\n                %%var%%: ['a', 'b', 'c']")
	}
	f := &repeat{base: b, mode: mode, forEach: forEach, template: tmpl, nested: true}
	if p, ok := m["permutations"]; ok && mode == repeatPermutations {
		nested, isBool := p.(bool)
		if !isBool {
			return nil, typeError("\"permutations\" should be boolean type for %s function.", b.name)
		}
		f.nested = nested
	}
	return f, nil
}

func (f *repeat) validate() error {
	if err := validateSnippet(f.args, nil); err != nil {
		return err
	}
	switch f.forEach.(type) {
	case Fn, map[string]any:
		return nil
	}
	return typeError("The \"for_each\" argument to \"%s\" must contain a map", f.name)
}

func (f *repeat) loopValues(v any) ([]any, error) {
	if v == nil {
		return []any{}, nil
	}
	mapsOK := f.mode != repeatLists && (f.mode == repeatMaps || f.nested)
	switch x := v.(type) {
	case []any:
		return x, nil
	case map[string]any:
		if mapsOK {
			return toAnyList(sortedKeys(x)), nil
		}
	}
	if mapsOK {
		return nil, typeError("The values of the \"for_each\" argument to \"%s\" must be lists or maps", f.name)
	}
	return nil, typeError("The values of the \"for_each\" argument to \"%s\" must be lists", f.name)
}

func (f *repeat) result() (any, error) {
	fe, err := Resolve(f.forEach)
	if err != nil {
		return nil, err
	}
	forEach, ok := fe.(map[string]any)
	if !ok || len(forEach) == 0 {
		return nil, valueError("not enough values to unpack (expected 2, got 0)")
	}
	keys := sortedKeys(forEach)
	lists := make([][]any, len(keys))
	for i, k := range keys {
		if lists[i], err = f.loopValues(forEach[k]); err != nil {
			return nil, err
		}
		if !f.nested && len(lists[i]) != len(lists[0]) {
			return nil, valueError("For %s, the length of for_each values should be equal if no nested loop.", f.name)
		}
	}
	tmpl, err := Resolve(f.template)
	if err != nil {
		return nil, err
	}
	combos, err := f.combinations(lists)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, combo := range combos {
		r, err := repeatReplace(keys, combo, tmpl)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// maxRepeat bounds the items a repeat may produce.
const maxRepeat = 100_000

// combinations returns the cartesian product of the lists (nested) or
// their element-wise zip.
func (f *repeat) combinations(lists [][]any) ([][]any, error) {
	total := 1
	for _, l := range lists {
		if total *= len(l); total > maxRepeat {
			return nil, valueError("%s would produce more than %d items", f.name, maxRepeat)
		}
	}
	return f.product(lists), nil
}

func (f *repeat) product(lists [][]any) [][]any {
	if !f.nested {
		var out [][]any
		for i := range lists[0] {
			combo := make([]any, len(lists))
			for j := range lists {
				combo[j] = lists[j][i]
			}
			out = append(out, combo)
		}
		return out
	}
	out := [][]any{{}}
	for _, l := range lists {
		var next [][]any
		for _, prefix := range out {
			for _, v := range l {
				next = append(next, append(slices.Clone(prefix), v))
			}
		}
		out = next
	}
	return out
}

func repeatReplace(keys []string, values []any, tmpl any) (any, error) {
	switch x := tmpl.(type) {
	case string:
		for i, k := range keys {
			s, ok := values[i].(string)
			if !ok {
				return nil, typeError("replace() argument 2 must be str, not %s", pyType(values[i]))
			}
			x = strings.ReplaceAll(x, k, s)
		}
		return x, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := repeatReplace(keys, values, e)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			nk, err := repeatReplace(keys, values, k)
			if err != nil {
				return nil, err
			}
			r, err := repeatReplace(keys, values, e)
			if err != nil {
				return nil, err
			}
			out[nk.(string)] = r
		}
		return out, nil
	}
	return tmpl, nil
}
