package remote

import (
	"reflect"
	"strings"
)

// body is a request body from one of magnum's request types: its JSON
// fields that are set (not their zero value), so that the server applies
// its defaults to the others. Fields of an embedded struct come first, so
// that the outer type's fields of the same name win.
func body(v any) map[string]any {
	out := map[string]any{}
	addFields(reflect.ValueOf(v), out)
	return out
}

func addFields(v reflect.Value, out map[string]any) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			addFields(v.Field(i), out)
		}
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous || !f.IsExported() || name == "" || name == "-" {
			continue
		}
		if fv := v.Field(i); !fv.IsZero() {
			out[name] = fv.Interface()
		} else {
			delete(out, name)
		}
	}
}

// builder is a request body that gophercloud's request functions take.
type builder map[string]any

func (b builder) ToClusterCreateMap() (map[string]any, error)     { return b, nil }
func (b builder) ToNodeGroupCreateMap() (map[string]any, error)   { return b, nil }
func (b builder) ToClusterResizeMap() (map[string]any, error)     { return b, nil }
func (b builder) ToClustersUpgradeMap() (map[string]any, error)   { return b, nil }
func (b builder) ToCertificateCreateMap() (map[string]any, error) { return b, nil }

// patchOp is a JSON patch operation that gophercloud's update functions
// take.
type patchOp map[string]any

func (p patchOp) ToClustersUpdateMap() (map[string]any, error)        { return p, nil }
func (p patchOp) ToClusterTemplateUpdateMap() (map[string]any, error) { return p, nil }
func (p patchOp) ToResourceUpdateMap() (map[string]any, error)        { return p, nil }
