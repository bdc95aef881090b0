package api

import (
	"encoding/json"
	"math"
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// decodePatch reads a JSON-patch body: a list of {op, path, value}. Values
// reach the service as strings, int64s, bools or float64s; the service
// applies Magnum's rules on ops, paths and value types.
func decodePatch(w http.ResponseWriter, r *http.Request) ([]magnum.PatchOp, error) {
	data, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	return parsePatch(data)
}

func parsePatch(data []byte) ([]magnum.PatchOp, error) {
	raw, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, invalidField("patch", pyRepr(raw), "Value not a valid list: "+pyRepr(raw))
	}
	ops := make([]magnum.PatchOp, 0, len(list))
	for _, item := range list {
		op, err := patchOp(item)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// patchAttrs are the attributes of one operation.
var patchAttrs = schema{arg: "patch", attrs: []attr{text("path"), text("op"), text("value")}}

func patchOp(item any) (magnum.PatchOp, error) {
	obj, ok := item.(map[string]any)
	if !ok {
		return magnum.PatchOp{}, invalidField("patch", pyRepr(item), "Value should be a JSON object")
	}
	if err := patchAttrs.checkUnknown(obj); err != nil {
		return magnum.PatchOp{}, err
	}
	path, err := mandatoryString(obj, "path")
	if err != nil {
		return magnum.PatchOp{}, err
	}
	op, err := mandatoryString(obj, "op")
	if err != nil {
		return magnum.PatchOp{}, err
	}
	return magnum.PatchOp{Op: op, Path: path, Value: patchValue(obj["value"])}, nil
}

func mandatoryString(obj map[string]any, name string) (string, error) {
	v := obj[name]
	if v == nil {
		return "", invalidField(name, "None", "Mandatory field missing.")
	}
	s, ok := v.(string)
	if !ok {
		return "", invalidField(name, pyRepr(v), wrongType("str", v))
	}
	return s, nil
}

// patchValue turns JSON numbers into Go numbers the service checks: int64
// for integral ones, float64 otherwise.
func patchValue(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, _ := n.Float64()
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}
