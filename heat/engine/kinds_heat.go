package engine

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// The basic OS::Heat types: None, RandomString, TestResource, Value.

func init() {
	register(noneKind, randomStringKind, testResourceKind, valueKind)
}

// noneKind is OS::Heat::None: accepts anything, does nothing, never
// needs an update, answers null for every attribute and has a random
// UUID as its reference.
var noneKind = &kind{
	name: "OS::Heat::None", class: "NoneResource", anyAttr: true, never: true,
	create: func(_ context.Context, o *op) error { o.setLocalID(newUUID()); return nil },
	attr:   func(*resource, string, []any) (any, error) { return nil, nil },
}

var charClasses = map[string]string{
	"lettersdigits": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
	"letters":       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"lowercase":     "abcdefghijklmnopqrstuvwxyz",
	"uppercase":     "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"digits":        "0123456789",
	"hexdigits":     "0123456789ABCDEF",
	"octdigits":     "01234567",
}

var charClassNames = []any{"lettersdigits", "letters", "lowercase", "uppercase", "digits", "hexdigits", "octdigits"}

// randomStringKind is OS::Heat::RandomString.
var randomStringKind = &kind{
	name: "OS::Heat::RandomString", class: "RandomString", attrs: []string{"value"},
	props: schema{
		"length":   p(tInteger).dflt(32).between(1, 512),
		"sequence": p(tString).allowed(charClassNames...),
		"character_classes": p(tList).dflt([]any{map[string]any{"class": "lettersdigits", "min": 1}}).items(
			p(tMap).of(map[string]*prop{
				"class": p(tString).dflt("lettersdigits").allowed(charClassNames...),
				"min":   p(tInteger).dflt(1).between(1, 512),
			})),
		"character_sequences": p(tList).items(p(tMap).of(map[string]*prop{
			"sequence": p(tString).req(),
			"min":      p(tInteger).dflt(1).between(1, 512),
		})),
		"salt": p(tString),
	},
	create: createRandomString,
	check:  checkRandomString,
	ref: func(r *resource) any {
		if r.rec.PhysicalID == "" {
			return r.rec.Name
		}
		return r.rec.Data["value"]
	},
}

// charSets returns the character classes of a RandomString with their
// minimum counts.
func charSets(props map[string]any) ([]string, []int) {
	var sets []string
	var mins []int
	add := func(l any, key string, lookup func(string) string) {
		items, _ := l.([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			name, _ := m[key].(string)
			n := intOf(m["min"])
			sets, mins = append(sets, lookup(name)), append(mins, n)
		}
	}
	add(props["character_sequences"], "sequence", func(s string) string { return s })
	if seq, ok := props["sequence"].(string); ok && seq != "" {
		sets, mins = append(sets, charClasses[seq]), append(mins, 1)
	} else {
		add(props["character_classes"], "class", func(s string) string { return charClasses[s] })
	}
	return sets, mins
}

func checkRandomString(_ *stack, r *resource, props map[string]any) error {
	_, mins := charSets(props)
	total := 0
	for _, m := range mins {
		total += m
	}
	if length := intOf(props["length"]); total > length {
		return &hot.Error{Type: hot.TypeStackValidationFailed,
			Message: "Length property cannot be smaller than combined character class and character sequence minimums"}
	}
	return nil
}

func createRandomString(_ context.Context, o *op) error {
	sets, mins := charSets(o.props)
	length := intOf(o.props["length"])
	o.setData("value", generatePassword(length, sets, mins))
	o.setLocalID(o.physicalName())
	return nil
}

// generatePassword picks the minimum count from each set, fills up from
// their union and shuffles, as Heat's password_gen does.
func generatePassword(length int, sets []string, mins []int) string {
	var out []rune
	all := map[rune]bool{}
	for i, set := range sets {
		runes := []rune(set)
		for _, r := range runes {
			all[r] = true
		}
		for range mins[i] {
			out = append(out, runes[randInt(len(runes))])
		}
	}
	union := make([]rune, 0, len(all))
	for r := range all {
		union = append(union, r)
	}
	for len(out) < length && len(union) > 0 {
		out = append(out, union[randInt(len(union))])
	}
	for i := len(out) - 1; i > 0; i-- {
		j := randInt(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	if len(out) > length {
		out = out[:length]
	}
	return string(out)
}

// randInt returns a uniform random number in [0, n) from crypto/rand.
func randInt(n int) int {
	var b [8]byte
	limit := ^uint64(0) - ^uint64(0)%uint64(n)
	for {
		_, _ = rand.Read(b[:])
		if v := binary.LittleEndian.Uint64(b[:]); v < limit {
			return int(v % uint64(n))
		}
	}
}

// testResourceKind is OS::Heat::TestResource: stores a value, can wait
// and can fail on demand.
var testResourceKind = &kind{
	name: "OS::Heat::TestResource", class: "TestResource", attrs: []string{"output"},
	props: schema{
		"value":                p(tString).dflt("test_string").upd(),
		"update_replace":       p(tBoolean).dflt(false).upd(),
		"fail":                 p(tBoolean).dflt(false).upd(),
		"client_name":          p(tString).dflt("").upd(),
		"entity_name":          p(tString).dflt("").upd(),
		"wait_secs":            p(tNumber).dflt(0).upd(),
		"attr_wait_secs":       p(tNumber).dflt(0).upd(),
		"constraint_prop_secs": p(tNumber).dflt(0).upd(),
		"update_replace_value": p(tString),
		"action_wait_secs": p(tMap).upd().of(map[string]*prop{
			"create": p(tNumber).upd(), "update": p(tNumber).upd(), "delete": p(tNumber).upd(),
		}),
	},
	create: func(ctx context.Context, o *op) error {
		if !o.boolean("fail") {
			o.setData("value", o.str("value"))
			o.setLocalID(o.physicalName())
		}
		return testWait(ctx, o)
	},
	update: func(ctx context.Context, o *op) error {
		if v := o.str("value"); contains(o.changed, "value") && v != "" {
			if !o.boolean("fail") {
				o.setData("value", v)
			}
			return testWait(ctx, o)
		}
		return testFail(o)
	},
	delete: func(ctx context.Context, o *op) error { return testSleep(ctx, o) },
	replaceOn: func(changed []string, props map[string]any) bool {
		b, _ := props["update_replace"].(bool)
		return contains(changed, "value") && b
	},
	attr: func(r *resource, name string, path []any) (any, error) {
		return hot.SelectPath(r.rec.Data["value"], path), nil
	},
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

// testSleep waits the seconds TestResource asks for the current action.
func testSleep(ctx context.Context, o *op) error {
	secs := o.num("wait_secs")
	if m, ok := o.props["action_wait_secs"].(map[string]any); ok {
		if v, ok := m[lower(o.action)]; ok && v != nil {
			secs, _ = toFloat(v)
		}
	}
	if secs < 0 {
		o.release()
		<-ctx.Done()
		return ctx.Err()
	}
	return o.sleep(ctx, time.Duration(secs*float64(time.Second)))
}

func testWait(ctx context.Context, o *op) error {
	if err := testSleep(ctx, o); err != nil {
		return err
	}
	return testFail(o)
}

func testFail(o *op) error {
	if o.boolean("fail") && o.action != actDelete {
		return fail("ValueError", "Test Resource failed "+o.r.rec.Name)
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// valueKind is OS::Heat::Value: exposes its value property as the value
// attribute. The value must be valid for the type given, but comes back
// as it was written ("42" as a number stays a string), as Heat 19's
// attribute reads the property with the schema of any type.
var valueKind = &kind{
	name: "OS::Heat::Value", class: "Value", attrs: []string{"value"},
	props: schema{
		"value": p(tAny).req().upd(),
		"type":  p(tString).upd().allowed("string", "number", "comma_delimited_list", "json", "boolean"),
	},
	create: func(_ context.Context, o *op) error { o.setLocalID(o.physicalName()); return nil },
	check: func(_ *stack, r *resource, props map[string]any) error {
		_, err := typedValue(props)
		if err != nil {
			return propertyError(r, []string{"value"}, err.Error())
		}
		return nil
	},
	attr: func(r *resource, name string, path []any) (any, error) {
		return hot.SelectPath(r.rec.Props["value"], path), nil
	},
}

// typedValue checks OS::Heat::Value's value against its declared type
// and returns it converted.
func typedValue(props map[string]any) (any, error) {
	types := map[string]string{"string": tString, "number": tNumber, "comma_delimited_list": tList,
		"json": tMap, "boolean": tBoolean}
	t, _ := props["type"].(string)
	pt, ok := types[t]
	if !ok {
		return props["value"], nil
	}
	return p(pt).value(props["value"], false, nil)
}
