package hot

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary documents through everything a stack does
// with a template before creating it: parsing, validation, parameters,
// conditions, resource and output definitions, and evaluation. Nothing
// may panic; errors are expected.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"heat_template_version: 2018-08-31\nresources: {}\n",
		"heat_template_version: queens\nparameters:\n  a: {type: number, default: 1, constraints: [{range: {min: 0}}]}\nconditions:\n  c: {equals: [{get_param: a}, 1]}\nresources:\n  r: {type: T, condition: c, properties: {p: {if: [c, {get_param: a}, 2]}}}\noutputs:\n  o: {value: {get_attr: [r, x, 0]}, condition: c}\n",
		"heat_template_version: 2013-05-23\nparameters: {p: {type: string, default: x}}\noutputs: {o: {value: {\"Fn::Join\": [\",\", [{Ref: p}]]}}}\n",
		`{"heat_template_version": "wallaby", "resources": {"a": {"type": "T", "depends_on": ["b"]}}}`,
		"heat_template_version: 2016-10-14\nparameter_groups: [{label: x, parameters: [a]}]\nparameters: {a: {type: json}}\n",
		"a: &x [*x]\n",
		"heat_template_version: rocky\noutputs: {o: {value: {repeat: {for_each: {x: [a, b]}, template: x}}}}\n",
		"heat_template_version: rocky\non: {}\nresources:\n  yes: {type: T, off: 1, properties: {On: {No: 2}}}\n",
		"heat_template_version: rocky\nparameters: {y: {type: string}}\noutputs: {n: {value: [{<<: {on: 1}}]}}\n",
		"heat_template_version: rocky\nparameters:\n  z: {type: json, default: {b: [{d: 1, c: 2}], a: 1}}\n  a: {type: string}\noutputs: {u: {value: {make_url: {host: h, query: {z: 1, a: 2}}}}}\n",
		`{"heat_template_version": "rocky", "parameters": {"j": {"type": "json", "default": {"z": [{"y": 1, "x": 2}], "a": null}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tp, err := Parse(data)
		if err != nil {
			return
		}
		checkBoolKeys(t, tp)
		checkKeyOrders(t, tp.orders)
		_ = tp.ValidateStructure()
		_ = tp.ValidateParameterGroups()
		p := tp.Bind(Identity{StackID: "id", StackName: "n"}, nil, nil)
		_ = p.Validate(true, nil)
		_ = p.Texts()
		c := NewContext(tp, p, map[string]string{"f": "content"}, scope)
		_ = c.ValidateConditions()
		if defs, err := c.Definitions(); err == nil {
			for _, d := range defs {
				_ = Validate(d.Properties, "resources", d.Name, "properties")
				_, _ = Resolve(d.Properties)
				_ = References(d.Properties, d.Name)
			}
		}
		if outs, err := c.Outputs(); err == nil {
			for _, o := range outs {
				_ = Validate(o.Value, "outputs")
				_, _ = Resolve(o.Value)
				_ = AttributeRefs(o.Value)
			}
		}
	})
}

// FuzzEvaluate evaluates arbitrary snippets as output values of every
// template version.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range []string{
		`{str_replace: {template: "$a $b", params: {$a: true, $b: [1]}}}`,
		`{list_join: [",", [a], [{b: 1}]]}`,
		`{yaql: {expression: "$.data.a.select($ * 2).where($ > 2).sum()", data: {a: [1, 2, 3]}}}`,
		`{map_replace: [{a: b}, {keys: {a: c}, values: {b: d}}]}`,
		`{repeat: {for_each: {"%x%": [a, b], "%y%": [c]}, template: {k: "%x%-%y%"}, permutations: false}}`,
		`{make_url: {scheme: http, host: "::1", port: 8080, path: a b, query: {q: 1}}}`,
		`{if: [{and: [true, {not: false}]}, {get_attr: [r, map, k]}, {get_param: p}]}`,
		`{str_split: [",", "a,b", -1]}`,
		`{digest: [sha512, x]}`,
		`{filter: [[1], {list_concat_unique: [[1, 2], [2, 3]]}]}`,
		`{contains: [a, abc]}`,
		`{yaql: {expression: "$.data.a.orderBy($.k).thenByDescending($.v).groupBy($.k, $.v, $.sum()).skip(1).take(2)", data: {a: [{k: 1, v: 2}, {k: 1, v: 3}]}}}`,
		`{yaql: {expression: "$.data.a.join($.data.a, $1 < $2, [$1, $2]).selectMany($).reverse().indexOf(2)", data: {a: [1, 2]}}}`,
		`{"Fn::Select": ["1", "[1, 2]"]}`,
		`{get_file: f}`,
	} {
		f.Add(seed, uint8(0))
	}
	f.Fuzz(func(t *testing.T, snippet string, v uint8) {
		doc, err := LoadDocument([]byte(snippet))
		if err != nil {
			return
		}
		version := versionDates[int(v)%len(versionDates)]
		tp, err := FromMap(map[string]any{VersionKey: version,
			"parameters": map[string]any{"p": map[string]any{"type": "json", "default": map[string]any{"a": []any{1}}}},
			"outputs":    map[string]any{"o": map[string]any{"value": doc}}})
		if err != nil {
			return
		}
		c := NewContext(tp, tp.Bind(Identity{}, nil, nil), map[string]string{"f": "x"}, scope)
		outs, err := c.Outputs()
		if err != nil {
			return
		}
		_ = Validate(outs["o"].Value, "o")
		_, _ = Resolve(outs["o"].Value)
	})
}

// FuzzSplitReplace checks str_replace's one-pass substitution against
// its definition: split on the first key, substitute the other keys in
// each piece, join with the first key's value.
func FuzzSplitReplace(f *testing.F) {
	f.Add("ab a abc xabc", "abc", "ab", "a", "3", "2", "1")
	f.Add("$A-$B", "$A", "$B", "", "$B", "$A", "")
	f.Add("aaaa", "aa", "a", "b", "x", "y", "z")
	f.Fuzz(func(t *testing.T, s, k1, k2, k3, v1, v2, v3 string) {
		var keys, values []string
		for i, k := range []string{k1, k2, k3} {
			if k != "" {
				keys, values = append(keys, k), append(values, []string{v1, v2, v3}[i])
			}
		}
		found := map[string]bool{}
		got, err := splitReplace("str_replace", s, keys, values, found)
		want, wantFound := referenceReplace(s, keys, values)
		if len(want) > maxStringBytes {
			if err == nil {
				t.Fatalf("a result of %d bytes is accepted", len(want))
			}
			return
		}
		if err != nil || got != want {
			t.Fatalf("splitReplace(%q, %q, %q) = %q, %v; want %q", s, keys, values, got, err, want)
		}
		for _, k := range keys {
			if found[k] != wantFound[k] {
				t.Fatalf("key %q found: %t, want %t", k, found[k], wantFound[k])
			}
		}
	})
}

func referenceReplace(s string, keys, values []string) (string, map[string]bool) {
	found := map[string]bool{}
	var replace func(s string, keys, values []string) string
	replace = func(s string, keys, values []string) string {
		if len(keys) == 0 {
			return s
		}
		pieces := strings.Split(s, keys[0])
		if len(pieces) > 1 {
			found[keys[0]] = true
		}
		for i, p := range pieces {
			pieces[i] = replace(p, keys[1:], values[1:])
		}
		return strings.Join(pieces, values[0])
	}
	return replace(s, keys, values), found
}

// checkBoolKeys checks that every boolean key recorded is in the
// document, at its path, under its JSON name.
func checkBoolKeys(t *testing.T, tp *Template) {
	for _, bk := range tp.boolKeys {
		var node any = tp.Raw
		for _, k := range bk.path {
			m, ok := node.(map[string]any)
			if !ok {
				t.Fatalf("boolean key path %v leaves the mappings", bk.path)
			}
			node = m[k]
		}
		m, ok := node.(map[string]any)
		if _, has := m[strconv.FormatBool(bk.value)]; !ok || !has {
			t.Fatalf("boolean key %v at %v is not in the document", bk.value, bk.path)
		}
	}
}

// checkKeyOrders checks that every order kept is of a mapping written
// unsorted, each key once, and that their number is bounded.
func checkKeyOrders(t *testing.T, orders keyOrders) {
	if len(orders) > maxKeyOrders {
		t.Fatalf("%d key orders kept", len(orders))
	}
	for path, keys := range orders {
		if len(keys) < 2 || slices.IsSorted(keys) || len(slices.Compact(slices.Sorted(slices.Values(keys)))) != len(keys) {
			t.Fatalf("order %q kept for %v", path, keys)
		}
	}
}

// FuzzJSONKeyOrders reads the key orders of arbitrary text: never a
// panic, and every order kept is of an unsorted object.
func FuzzJSONKeyOrders(f *testing.F) {
	f.Add(`{"z": {"y": 1, "x": [{"b": 1, "a": 2}]}, "a": [3]}`)
	f.Add(`[{"b": 1, "a": 2, "b": 3}]`)
	f.Add(`{"a": `)
	f.Fuzz(func(t *testing.T, s string) {
		checkKeyOrders(t, jsonKeyOrders([]byte(s)))
	})
}
