package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/gomagnum/gomagnum/drivers"
)

// fuzzSchemas are the request bodies the fuzzers decode.
var fuzzSchemas = []schema{templateSchema, clusterSchema, nodeGroupSchema, resizeSchema, upgradeSchema,
	certificateSchema, quotaSchema, federationSchema, baymodelSchema, baySchema}

// FuzzDecodeBody checks that no body makes decoding panic, that every
// refusal is a 400 of Magnum's shape, and that what is accepted is typed
// and decodes again to the same values once written back as JSON.
func FuzzDecodeBody(f *testing.F) {
	seeds := []string{
		`{"name": "k8s", "coe": "kubernetes", "image_id": "fedora", "labels": {"a": 1, "b": true, "c": 1.5}}`,
		`{"cluster_template_id": "t", "node_count": "3", "master_count": 1.0, "merge_labels": "yes"}`,
		`{"name": "ng", "node_taints": [{"key": "k", "effect": "NoSchedule"}], "node_labels": {"x": "y"}}`,
		`{"node_count": 0, "nodes_to_remove": ["a", "b"]}`,
		`{"stack_id": null}`, `[]`, `"x"`, `{"a": {"b": [1, 2, {"c": null}]}}`, `{"docker_volume_size": 1e400}`,
		`{"name": "\u0000\ud800"}`, `{"labels": {"": ""}}`, `{} {}`, ``,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		s := fuzzSchemas[int(which)%len(fuzzSchemas)]
		v, err := s.decode(body)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Code != "client" || ae.Msg == "" {
				t.Fatalf("refusal %#v is not a 400 client error", err)
			}
			return
		}
		for name, val := range v {
			a := s.attr(name)
			if a == nil || a.readOnly {
				t.Fatalf("accepted attribute %q that the schema does not allow", name)
			}
			checkKind(t, a, val)
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("re-encoding %v: %v", v, err)
		}
		v2, err := s.decode(again)
		if err != nil {
			t.Fatalf("accepted values %s are refused once written back: %v", again, err)
		}
		b1, _ := json.Marshal(v2)
		if string(b1) != string(again) {
			t.Fatalf("decoding is not stable: %s then %s", again, b1)
		}
	})
}

func (s schema) attr(name string) *attr {
	for i := range s.attrs {
		if s.attrs[i].name == name {
			return &s.attrs[i]
		}
	}
	return nil
}

func checkKind(t *testing.T, a *attr, v any) {
	t.Helper()
	ok := false
	switch a.kind {
	case kString:
		_, ok = v.(string)
	case kInt:
		n, isInt := v.(int)
		ok = isInt && (a.min == nil || n >= *a.min) && (a.max == nil || n <= *a.max)
	case kBool:
		_, ok = v.(bool)
	case kLabels, kStringMap:
		_, ok = v.(map[string]string)
	case kStringList:
		_, ok = v.([]string)
	case kTaints:
		_, ok = v.([]drivers.Taint)
	case kEnum:
		s, isString := v.(string)
		ok = isString && slices.Contains(a.values, s)
	}
	if !ok {
		t.Fatalf("attribute %s has value %#v of the wrong kind", a.name, v)
	}
}

// FuzzParsePatch checks that no JSON-patch body makes decoding panic and
// that refusals are 400s.
func FuzzParsePatch(f *testing.F) {
	for _, s := range []string{
		`[{"op": "replace", "path": "/labels", "value": "{'a': 1}"}]`,
		`[{"op": "add", "path": "/node_count", "value": 3.0}]`,
		`[{"op": "remove", "path": "/x"}, {"op": 1}]`, `{}`, `[[]]`, `[{"path": "/a", "op": "add", "value": {"a": [1e400]}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ops, err := parsePatch(body)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
				t.Fatalf("refusal %#v is not a 400", err)
			}
			return
		}
		for _, op := range ops {
			if _, isNumber := op.Value.(json.Number); isNumber {
				t.Fatalf("op %v keeps a json.Number", op)
			}
		}
	})
}
