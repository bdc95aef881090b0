package stacktest

import (
	"regexp"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/drivers"
)

var placeholder = regexp.MustCompile(`__[A-Z][A-Z0-9_]*__`)

// Placeholders lists the distinct __NAME__ tokens of a boot config.
func Placeholders(s string) []string {
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllString(s, -1) {
		seen[m] = true
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// Declared returns the parameters a HOT template declares, by type.
func Declared(t testing.TB, template []byte) map[string]string {
	t.Helper()
	var doc struct {
		Parameters map[string]struct {
			Type string `yaml:"type"`
		} `yaml:"parameters"`
	}
	if err := yaml.Unmarshal(template, &doc); err != nil {
		t.Fatalf("template: %v", err)
	}
	out := make(map[string]string, len(doc.Parameters))
	for k, v := range doc.Parameters {
		out[k] = v.Type
	}
	return out
}

// CheckParams fails the test when a stack sets a parameter its template
// does not declare (Heat refuses those), or sets one with a Go type that
// does not fit the declared type.
func CheckParams(t testing.TB, s drivers.Stack) {
	t.Helper()
	CheckUpdate(t, s.Template, s.Parameters)
}

// CheckUpdate is CheckParams for the parameters of an update.
func CheckUpdate(t testing.TB, template []byte, params map[string]any) {
	t.Helper()
	declared := Declared(t, template)
	for name, v := range params {
		typ, ok := declared[name]
		if !ok {
			t.Errorf("parameter %s is not declared in the template", name)
			continue
		}
		fits := false
		switch v.(type) {
		case string:
			fits = typ == "string" || typ == "comma_delimited_list"
		case int:
			fits = typ == "number"
		case bool:
			fits = typ == "boolean"
		case []string:
			fits = typ == "comma_delimited_list"
		}
		if !fits {
			t.Errorf("parameter %s is a %T, the template declares a %s", name, v, typ)
		}
	}
}

// StrReplaceKeys returns the str_replace params keys of a node template's
// boot config, for comparison with the placeholders of the configs.
func StrReplaceKeys(t testing.TB, template []byte, resource string) []string {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Properties map[string]any `yaml:"properties"`
		} `yaml:"resources"`
	}
	if err := yaml.Unmarshal(template, &doc); err != nil {
		t.Fatalf("template: %v", err)
	}
	var keys []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if sr, ok := x["str_replace"].(map[string]any); ok {
				if params, ok := sr["params"].(map[string]any); ok {
					for k := range params {
						keys = append(keys, k)
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	r, ok := doc.Resources[resource]
	if !ok {
		t.Fatalf("template has no resource %s", resource)
	}
	walk(r.Properties)
	sort.Strings(keys)
	return keys
}
