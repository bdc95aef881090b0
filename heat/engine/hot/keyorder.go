package hot

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Heat keeps a mapping's keys in the order they were written (Python
// dicts do), and that order shows where a map is written out: the query
// of make_url, the text of a json parameter. Template values here are Go
// maps, so the order written is kept beside them: keyOrders maps the
// path of a mapping ("parameters.p.default", "outputs.u.value.make_url
// .query", "x[0].y") to its keys in written order. Only mappings whose
// written order is not the sorted one are kept; the others come out
// sorted, which is their written order.

// maxKeyOrders bounds the mappings one document keeps an order for.
const maxKeyOrders = 10000

// keyOrders maps mapping paths to their keys in written order.
type keyOrders map[string][]string

// record keeps the written order of the mapping at path when it is not
// sorted, until the bound is reached; a key written twice counts once.
func (o *keyOrders) record(path string, keys []string) {
	if len(keys) < 2 || slices.IsSorted(keys) || len(*o) >= maxKeyOrders {
		return
	}
	seen := make(map[string]bool, len(keys))
	uniq := make([]string, 0, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k], uniq = true, append(uniq, k)
		}
	}
	if slices.IsSorted(uniq) {
		return
	}
	if *o == nil {
		*o = keyOrders{}
	}
	(*o)[path] = uniq
}

// under returns the orders of the mappings at prefix and below, their
// paths made relative to prefix; nil when there are none.
func (o keyOrders) under(prefix string) keyOrders {
	var out keyOrders
	for p, keys := range o {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok || (rest != "" && rest[0] != '.' && rest[0] != '[') {
			continue
		}
		if out == nil {
			out = keyOrders{}
		}
		out[strings.TrimPrefix(rest, ".")] = keys
	}
	return out
}

// keysOf returns the keys of m in the order kept for path.
func (o keyOrders) keysOf(path string, m map[string]any) []string {
	return orderedKeys(o[path], m)
}

// orderedKeys returns the keys of m in the order given: the keys of
// order present in m, then any others sorted; sorted without an order.
func orderedKeys[V any](order []string, m map[string]V) []string {
	if order == nil {
		return sortedKeys(m)
	}
	out := make([]string, 0, len(m))
	for _, k := range order {
		if _, present := m[k]; present {
			out = append(out, k)
		}
	}
	if len(out) == len(m) {
		return out
	}
	for _, k := range sortedKeys(m) {
		if !slices.Contains(order, k) {
			out = append(out, k)
		}
	}
	return out
}

// childPath and indexPath extend a mapping path by a key or an index.
func childPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// jsonKeyOrders reads the written key order of every object of a JSON
// document; nil when it is not valid JSON or every object is sorted.
func jsonKeyOrders(data []byte) keyOrders {
	dec := json.NewDecoder(bytes.NewReader(data))
	var o keyOrders
	if !jsonOrdersOf(dec, "", &o, 0) {
		return nil
	}
	return o
}

// jsonOrdersOf reads one JSON value at path, recording its objects' key
// orders; it reports whether the value was read whole.
func jsonOrdersOf(dec *json.Decoder, path string, o *keyOrders, depth int) bool {
	tok, err := dec.Token()
	if err != nil || depth > maxYAMLDepth {
		return false
	}
	switch tok {
	case json.Delim('{'):
		var keys []string
		for dec.More() {
			kt, err := dec.Token()
			k, isStr := kt.(string)
			if err != nil || !isStr || !jsonOrdersOf(dec, childPath(path, k), o, depth+1) {
				return false
			}
			keys = append(keys, k)
		}
		o.record(path, keys)
		_, err = dec.Token()
		return err == nil
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if !jsonOrdersOf(dec, indexPath(path, i), o, depth+1) {
				return false
			}
		}
		_, err = dec.Token()
		return err == nil
	}
	return true
}
