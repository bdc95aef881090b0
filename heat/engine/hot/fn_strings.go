package hot

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
)

// maxStringBytes bounds the strings functions build, so that nested
// substitutions cannot exhaust memory.
const maxStringBytes = 16 << 20

// joinBounded joins parts, refusing results beyond maxStringBytes.
func joinBounded(name string, parts []string, sep string) (string, error) {
	n := len(sep) * max(len(parts)-1, 0)
	for _, p := range parts {
		n += len(p)
	}
	if n > maxStringBytes {
		return "", valueError("the result of %s is larger than %d bytes", name, maxStringBytes)
	}
	return strings.Join(parts, sep), nil
}

func incorrectArgs(name, example string) string {
	return "Incorrect arguments to \"" + name + "\" should be: " + example
}

// join is the list_join of 2013-05-23 to 2015-04-30 (and Fn::Join): one
// list of strings.
type join struct {
	*base
	delim, strings any
}

func newJoin(b *base) (Fn, error) {
	msg := incorrectArgs(b.name, "\""+b.name+"\" : [ \" \", [ \"str1\", \"str2\"]]")
	l, ok := b.args.([]any)
	if !ok {
		return nil, typeError("%s", msg)
	}
	if len(l) != 2 {
		return nil, valueError("%s", msg)
	}
	return &join{base: b, delim: l[0], strings: l[1]}, nil
}

func (f *join) result() (any, error) {
	strs, err := Resolve(f.strings)
	if err != nil {
		return nil, err
	}
	if strs == nil {
		strs = []any{}
	}
	items, ok := strs.([]any)
	if !ok {
		return nil, typeError("\"%s\" must operate on a list", f.name)
	}
	delim, err := f.delimiter(f.delim)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(items))
	for i, s := range items {
		switch x := s.(type) {
		case nil:
		case string:
			parts[i] = x
		default:
			return nil, typeError("Items to join must be strings not %s", truncate(PyRepr(s), 200))
		}
	}
	return joinBounded(f.name, parts, delim)
}

func (b *base) delimiter(raw any) (string, error) {
	d, err := Resolve(raw)
	if err != nil {
		return "", err
	}
	s, ok := d.(string)
	if !ok {
		return "", typeError("\"%s\" delimiter must be a string", b.name)
	}
	return s, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// joinMultiple is list_join from 2015-10-15: several lists, and maps or
// lists inside them JSON-encoded.
type joinMultiple struct {
	*base
	delim any
	lists []any
}

func newJoinMultiple(b *base) (Fn, error) {
	msg := incorrectArgs(b.name, "\""+b.name+"\" : [ \" \", [ \"str1\", \"str2\"] ...]")
	l, ok := b.args.([]any)
	if !ok {
		return nil, typeError("%s", msg)
	}
	if len(l) < 2 {
		return nil, valueError("%s", msg)
	}
	return &joinMultiple{base: b, delim: l[0], lists: l[1:]}, nil
}

func (f *joinMultiple) result() (any, error) {
	rl, err := Resolve(f.lists)
	if err != nil {
		return nil, err
	}
	var items []any
	for _, jl := range rl.([]any) {
		if !truthy(jl) {
			continue
		}
		l, ok := jl.([]any)
		if !ok {
			return nil, typeError("\"%s\" must operate on a list", f.name)
		}
		items = append(items, l...)
	}
	delim, err := f.delimiter(f.delim)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(items))
	for i, s := range items {
		if parts[i], err = joinItem(s); err != nil {
			return nil, err
		}
	}
	return joinBounded(f.name, parts, delim)
}

func joinItem(s any) (string, error) {
	switch x := s.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case []any, map[string]any:
		return PyJSON(x)
	}
	return "", typeError("Items to join must be string, map or list not %s", truncate(PyRepr(s), 200))
}

// replaceMode selects the str_replace flavour.
type replaceMode int

const (
	replacePlain      replaceMode = iota // 2013-05-23 to 2015-04-30: scalars only
	replaceJSON                          // lists and maps JSON-encoded
	replaceStrict                        // every param must be found
	replaceVeryStrict                    // and none may be empty
)

// replace is str_replace and its strict variants (and Fn::Replace).
type replace struct {
	*base
	mode     replaceMode
	mapping  any
	template any
}

func newReplace(b *base, mode replaceMode) (Fn, error) {
	m, ok := b.args.(map[string]any)
	if !ok {
		return nil, typeError("Arguments to \"%s\" must be a map", b.name)
	}
	mapping, okP := m["params"]
	tmpl, okT := m["template"]
	if !okP || !okT {
		example := b.name + ":\n              template: This is var1 template var2\n              params:\n                var1: a\n                var2: string"
		return nil, keyError("\"%s\" syntax should be %s", b.name, example)
	}
	return newReplaceArgs(b, mode, mapping, tmpl)
}

func newReplaceArgs(b *base, mode replaceMode, mapping, tmpl any) (Fn, error) {
	switch mapping.(type) {
	case map[string]any, Fn:
	default:
		return nil, typeError("\"%s\" parameters must be a mapping", b.name)
	}
	return &replace{base: b, mode: mode, mapping: mapping, template: tmpl}, nil
}

func (f *replace) result() (any, error) {
	t, err := Resolve(f.template)
	if err != nil {
		return nil, err
	}
	m, err := Resolve(f.mapping)
	if err != nil {
		return nil, err
	}
	tmpl, ok := t.(string)
	if !ok {
		return nil, typeError("\"%s\" template must be a string", f.name)
	}
	mapping, ok := m.(map[string]any)
	if !ok {
		return nil, typeError("\"%s\" params must be a map", f.name)
	}
	return f.substitute(tmpl, mapping)
}

// replaceOrder sorts keys the way Heat does: longest first, ties broken
// lexically.
func replaceOrder(keys []string) []string {
	slices.Sort(keys)
	slices.SortStableFunc(keys, func(a, b string) int { return len(b) - len(a) })
	return keys
}

func (f *replace) substitute(tmpl string, mapping map[string]any) (any, error) {
	keys := replaceOrder(sortedKeys(mapping))
	values := make([]string, len(keys))
	for i, k := range keys {
		v, err := f.replacement(mapping[k], k)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	found := map[string]bool{}
	out, err := splitReplace(f.name, tmpl, keys, values, found)
	if err != nil {
		return nil, err
	}
	if f.mode >= replaceStrict {
		var missing []string
		for _, k := range keys {
			if !found[k] {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			return nil, valueError("The following params were not found in the template: %s", strings.Join(missing, ","))
		}
	}
	return out, nil
}

// substitution replaces keys by values in one pass over a template. As
// Heat splits the template on each key in turn (longest first), a key
// earlier in keys takes precedence over the later ones, and replacements
// are never themselves replaced.
type substitution struct {
	name         string
	keys, values []string
	// found records the keys met.
	found map[string]bool
	out   strings.Builder
}

func splitReplace(name, s string, keys, values []string, found map[string]bool) (string, error) {
	sub := &substitution{name: name, keys: keys, values: values, found: found}
	sub.out.Grow(len(s))
	if err := sub.write(s, 0); err != nil {
		return "", err
	}
	return sub.out.String(), nil
}

// write writes s with the keys from level on replaced.
func (sub *substitution) write(s string, level int) error {
	if level == len(sub.keys) {
		sub.out.WriteString(s)
		return sub.bounded()
	}
	key := sub.keys[level]
	if key == "" {
		return valueError("empty separator")
	}
	for {
		i := strings.Index(s, key)
		if i < 0 {
			return sub.write(s, level+1)
		}
		sub.found[key] = true
		if err := sub.write(s[:i], level+1); err != nil {
			return err
		}
		sub.out.WriteString(sub.values[level])
		if err := sub.bounded(); err != nil {
			return err
		}
		s = s[i+len(key):]
	}
}

// bounded refuses results beyond maxStringBytes.
func (sub *substitution) bounded() error {
	if sub.out.Len() > maxStringBytes {
		return valueError("the result of %s is larger than %d bytes", sub.name, maxStringBytes)
	}
	return nil
}

func (f *replace) replacement(v any, param string) (string, error) {
	empty := func() (string, error) {
		return "", valueError("%s has an undefined or empty value for param %s, must be a defined non-empty value", f.name, param)
	}
	switch x := v.(type) {
	case nil:
		if f.mode == replaceVeryStrict {
			return empty()
		}
		return "", nil
	case []any, map[string]any:
		if f.mode == replacePlain {
			return "", typeError("\"%s\" params must be strings or numbers, param %s is not valid", f.name, param)
		}
		if n, _ := pyLen(x); n == 0 && f.mode == replaceVeryStrict {
			return empty()
		}
		return PyJSON(x)
	}
	s := PyStr(v)
	if s == "" && f.mode == replaceVeryStrict {
		return empty()
	}
	return s, nil
}

// strSplit is str_split.
type strSplit struct{ *base }

const strSplitExample = "\"%s\" : [ \",\", \"apples,pears\", <index>]"

func newStrSplit(b *base) (Fn, error) {
	switch b.args.(type) {
	case string, map[string]any:
		return nil, typeError("%s", incorrectArgs(b.name, strings.ReplaceAll(strSplitExample, "%s", b.name)))
	}
	return &strSplit{b}, nil
}

func (f *strSplit) result() (any, error) {
	example := strings.ReplaceAll(strSplitExample, "%s", f.name)
	a, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	args, ok := a.([]any)
	if !ok || len(args) < 2 {
		return nil, valueError("%s", incorrectArgs(f.name, example))
	}
	if args[1] == nil {
		return nil, nil
	}
	parts, err := pySplit(args[1], args[0])
	if err != nil {
		return nil, err
	}
	if len(args) < 3 {
		return parts, nil
	}
	i, err := PyInt(args[2])
	if err != nil {
		return nil, valueError("Incorrect index to \"%s\" should be: %s", f.name, example)
	}
	v, ok := index(parts, i)
	if !ok {
		return nil, valueError("Incorrect index to \"%s\" should be between 0 and %d", f.name, len(parts)-1)
	}
	return v, nil
}

// pySplit implements Python's str.split(delim).
func pySplit(s, delim any) ([]any, error) {
	str, ok := s.(string)
	if !ok {
		return nil, typeError("'%s' object has no attribute 'split'", pyType(s))
	}
	switch d := delim.(type) {
	case nil:
		return toAnyList(strings.Fields(str)), nil
	case string:
		if d == "" {
			return nil, valueError("empty separator")
		}
		return toAnyList(strings.Split(str, d)), nil
	}
	return nil, typeError("must be str or None, not %s", pyType(delim))
}

// digest is digest: a hex digest of a string.
type digest struct{ *base }

var digestAlgorithms = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New, "sha512_224": sha512.New512_224,
	"sha512_256": sha512.New512_256,
	"sha3_224":   func() hash.Hash { return sha3.New224() },
	"sha3_256":   func() hash.Hash { return sha3.New256() },
	"sha3_384":   func() hash.Hash { return sha3.New384() },
	"sha3_512":   func() hash.Hash { return sha3.New512() },
}

func (f *digest) result() (any, error) {
	a, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	args, ok := a.([]any)
	for _, e := range args {
		if _, isStr := e.(string); !isStr {
			ok = false
		}
	}
	if !ok {
		return nil, typeError("Argument to function \"%s\" must be a list of strings", f.name)
	}
	if len(args) != 2 {
		return nil, valueError("Function \"%s\" usage: [\"<algorithm>\", \"<value>\"]", f.name)
	}
	newHash, ok := digestAlgorithms[strings.ToLower(args[0].(string))]
	if !ok {
		return nil, valueError("Algorithm must be one of %s", PyRepr(toAnyList(sortedKeys(digestAlgorithms))))
	}
	h := newHash()
	h.Write(latin1(args[1].(string)))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// latin1 encodes a string as Latin-1, as Heat does before hashing;
// characters beyond Latin-1 are kept as UTF-8.
func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 256 {
			out = append(out, byte(r))
		} else {
			out = append(out, string(r)...)
		}
	}
	return out
}
