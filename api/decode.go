package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/python"
	"github.com/gomagnum/gomagnum/magnum"
)

// maxBodySize bounds request bodies.
const maxBodySize = 1 << 20

// kind is the type of a body attribute.
type kind int

const (
	kString     kind = iota // a JSON string
	kInt                    // an integer (numeric strings too, as Python's int())
	kBool                   // a boolean, or a string Magnum parses as one
	kLabels                 // a map of scalars, kept as Python str() strings
	kStringMap              // a map of strings
	kStringList             // a list of strings
	kTaints                 // a list of Kubernetes taints
	kEnum                   // one of a list of strings
)

// attr is one attribute of a request body, with the typing and the
// constraints of Magnum's API types.
type attr struct {
	name      string
	kind      kind
	readOnly  bool
	mandatory bool
	minLen    int // strings: the minimum length when > 0
	maxLen    int // strings: the maximum length when > 0
	pattern   *regexp.Regexp
	min, max  *int     // integers: the bounds when set
	values    []string // enums: the values allowed, in Magnum's order
	// nullErr, when set, is the message of the 400 for a JSON null, which
	// Magnum refuses for this attribute, rather than leave it unset.
	nullErr string
}

// Constructors of attributes, after the WSME types of Magnum's API: str is
// a StringType with lengths (maxLen 0: unbounded), text a plain string,
// integer an IntegerType with a minimum.
func str(name string, minLen, maxLen int) attr {
	return attr{name: name, kind: kString, minLen: minLen, maxLen: maxLen}
}
func text(name string) attr             { return attr{name: name, kind: kString} }
func integer(name string, lo int) attr  { return attr{name: name, kind: kInt, min: &lo} }
func boolean(name string) attr          { return attr{name: name, kind: kBool} }
func labels(name string) attr           { return attr{name: name, kind: kLabels} }
func readOnly(name string, k kind) attr { return attr{name: name, kind: k, readOnly: true} }
func (a attr) required() attr           { a.mandatory = true; return a }
func (a attr) matching(p string) attr   { a.pattern = regexp.MustCompile(p); return a }
func (a attr) atMost(hi int) attr       { a.max = &hi; return a }
func strList(name string) attr          { return attr{name: name, kind: kStringList} }
func enum(name string, values []string) attr {
	return attr{name: name, kind: kEnum, values: values}
}
func (a attr) refusingNull(msg string) attr { a.nullErr = msg; return a }
func (a attr) stringsOnly() attr            { a.kind = kStringMap; return a }

// schema is the type of a request body: the argument name Magnum's
// messages use and the attributes in Magnum's declaration order.
type schema struct {
	arg   string
	attrs []attr
}

// apiBase returns the schema of a Magnum API type: its attributes and the
// read-only timestamps every type has.
func apiBase(arg string, attrs ...attr) schema {
	return schema{arg: arg, attrs: append(attrs, readOnly("created_at", kString), readOnly("updated_at", kString))}
}

// without returns the schema minus the named attributes, for versions that
// do not have them.
func (s schema) without(names ...string) schema {
	out := schema{arg: s.arg}
	for _, a := range s.attrs {
		if !slices.Contains(names, a.name) {
			out.attrs = append(out.attrs, a)
		}
	}
	return out
}

// values are the typed attributes of a decoded body: string, int, bool,
// map[string]string, []string or []drivers.Taint.
type values map[string]any

func (v values) str(name string) string {
	s, _ := v[name].(string)
	return s
}

func (v values) integer(name string) int {
	n, _ := v[name].(int)
	return n
}

func (v values) intPtr(name string) *int {
	if n, ok := v[name].(int); ok {
		return &n
	}
	return nil
}

func (v values) boolean(name string) bool {
	b, _ := v[name].(bool)
	return b
}

func (v values) boolPtr(name string) *bool {
	if b, ok := v[name].(bool); ok {
		return &b
	}
	return nil
}

func (v values) strMap(name string) map[string]string {
	m, _ := v[name].(map[string]string)
	return m
}

func (v values) strList(name string) []string {
	l, _ := v[name].([]string)
	return l
}

func (v values) taints(name string) []drivers.Taint {
	t, _ := v[name].([]drivers.Taint)
	return t
}

// readBody reads a request body, bounded by maxBodySize.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "client", Msg: "Request is too large."}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil, &apiError{Status: http.StatusRequestTimeout, Code: "client",
			Msg: "The request body did not arrive in time."}
	}
	if err != nil {
		return nil, badRequest("Request body could not be read: %v", err)
	}
	return data, nil
}

// decodeRequest reads and decodes the body of r against s.
func decodeRequest(w http.ResponseWriter, r *http.Request, s schema) (values, error) {
	data, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	return s.decode(data)
}

// parseJSON parses a whole body as one JSON value, keeping numbers exact.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badRequest("Request is not in valid JSON format")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("Request is not in valid JSON format")
	}
	return v, nil
}

// decode parses a body as Magnum's API types do: unknown attributes
// first, then each attribute in order (type, read-only, constraints), then
// missing mandatory ones. JSON nulls are unset values.
func (s schema) decode(data []byte) (values, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, badRequest("Missing argument: \"%s\"", s.arg)
	}
	raw, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, invalidField(s.arg, pyRepr(raw), "Value should be a JSON object")
	}
	if err := s.checkUnknown(obj); err != nil {
		return nil, err
	}
	out := values{}
	for _, a := range s.attrs {
		v, present := obj[a.name]
		if present && v == nil && a.nullErr != "" {
			return nil, badRequest("%s", a.nullErr)
		}
		if !present || v == nil {
			if a.readOnly && present {
				return nil, invalidField(a.name, "None", "Cannot set read only field.")
			}
			if a.mandatory {
				return nil, invalidField(a.name, "None", "Mandatory field missing.")
			}
			continue
		}
		typed, err := a.convert(v)
		if err != nil {
			return nil, err
		}
		if a.readOnly {
			return nil, invalidField(a.name, pyRepr(v), "Cannot set read only field.")
		}
		out[a.name] = typed
	}
	return out, nil
}

func (s schema) checkUnknown(obj map[string]any) error {
	var unknown []string
	for k := range obj {
		if !slices.ContainsFunc(s.attrs, func(a attr) bool { return a.name == k }) {
			unknown = append(unknown, k)
		}
	}
	switch len(unknown) {
	case 0:
		return nil
	case 1:
		return badRequest("Unknown attribute for argument %s: %s", s.arg, unknown[0])
	}
	slices.Sort(unknown)
	return badRequest("Unknown attributes for argument %s: %s", s.arg, strings.Join(unknown, ", "))
}

// convert types and checks one attribute's value.
func (a attr) convert(v any) (any, error) {
	switch a.kind {
	case kString:
		s, ok := v.(string)
		if !ok {
			return nil, invalidField(a.name, pyRepr(v), wrongType("str", v))
		}
		return s, a.checkString(s)
	case kInt:
		n, err := toInt(v)
		if err != nil {
			return nil, invalidField(a.name, pyRepr(v), wrongType("int", v))
		}
		return n, a.checkInt(n)
	case kBool:
		b, err := magnum.ParseBool(jsonScalar(v))
		if err != nil {
			return nil, badRequest("Unrecognized value '%s', acceptable values are: '0', '1', 'f', 'false', "+
				"'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'", pyRepr(v))
		}
		return b, nil
	case kLabels, kStringMap:
		return a.convertMap(v)
	case kStringList:
		return a.convertList(v)
	case kTaints:
		return a.convertTaints(v)
	case kEnum:
		if s, ok := v.(string); ok && slices.Contains(a.values, s) {
			return s, nil
		}
		return nil, invalidField(a.name, pyRepr(v), "Value should be one of: "+strings.Join(a.values, ", "))
	}
	return nil, fmt.Errorf("api: attribute %s has no kind", a.name)
}

func (a attr) checkString(s string) error {
	n := len([]rune(s))
	switch {
	case a.minLen > 0 && n < a.minLen:
		return invalidField(a.name, s, fmt.Sprintf("Value should have a minimum character requirement of %d", a.minLen))
	case a.maxLen > 0 && n > a.maxLen:
		return invalidField(a.name, s, fmt.Sprintf("Value should have a maximum character requirement of %d", a.maxLen))
	case a.pattern != nil && !a.pattern.MatchString(s):
		return invalidField(a.name, s, "Value should match the pattern "+a.pattern.String())
	}
	return nil
}

func (a attr) checkInt(n int) error {
	switch {
	case a.min != nil && n < *a.min:
		return invalidField(a.name, strconv.Itoa(n), fmt.Sprintf("Value should be greater or equal to %d", *a.min))
	case a.max != nil && n > *a.max:
		return invalidField(a.name, strconv.Itoa(n), fmt.Sprintf("Value should be lower or equal to %d", *a.max))
	}
	return nil
}

func (a attr) convertMap(v any) (map[string]string, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalidField(a.name, pyRepr(v), wrongType("dict", v))
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		if s, isStr := val.(string); isStr {
			out[k] = s
			continue
		}
		if a.kind == kStringMap {
			return nil, invalidField(a.name, pyRepr(v), wrongType("str", val))
		}
		s, err := labelString(val)
		if err != nil {
			return nil, invalidField(a.name, pyRepr(v), wrongType("(str, int, bool, float)", val))
		}
		out[k] = s
	}
	return out, nil
}

// labelString formats a label value other than a string as Python's str()
// does.
func labelString(v any) (string, error) {
	switch x := v.(type) {
	case bool:
		return magnum.PythonString(x)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return magnum.PythonString(n)
		}
		f, err := x.Float64()
		if err != nil {
			return "", err
		}
		return magnum.PythonString(f)
	}
	return "", fmt.Errorf("not a scalar: %T", v)
}

func (a attr) convertList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, invalidField(a.name, pyRepr(v), wrongType("list", v))
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, invalidField(a.name, pyRepr(v), wrongType("str", item))
		}
		out = append(out, s)
	}
	return out, nil
}

func (a attr) convertTaints(v any) ([]drivers.Taint, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, invalidField(a.name, pyRepr(v), wrongType("list", v))
	}
	out := make([]drivers.Taint, 0, len(list))
	for _, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, invalidField(a.name, pyRepr(v), wrongType("dict", item))
		}
		var t drivers.Taint
		for k, val := range obj {
			s, isStr := val.(string)
			if !isStr {
				return nil, invalidField(a.name, pyRepr(v), wrongType("str", val))
			}
			switch k {
			case "key":
				t.Key = s
			case "value":
				t.Value = s
			case "effect":
				t.Effect = s
			default:
				return nil, badRequest("Unknown attribute for argument %s: %s", a.name, k)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// toInt converts a JSON value to an int as Python's int() would for the
// values Magnum's integer attributes take: integers, integral numbers and
// numeric strings.
func toInt(v any) (int, error) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return int(n), nil
		}
		f, err := x.Float64()
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, errors.New("not an integer")
		}
		return int(f), nil
	case string:
		return strconv.Atoi(strings.TrimSpace(x))
	}
	return 0, errors.New("not an integer")
}

// jsonScalar turns a JSON number into a Go int or float for parsers of
// Magnum's scalars; other values are returned as they are.
func jsonScalar(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return int(i)
	}
	f, _ := n.Float64()
	return f
}

// wrongType is WSME's message for a value of the wrong type.
func wrongType(want string, got any) string {
	return fmt.Sprintf("Wrong type. Expected '%s', got '<class '%s'>'", want, pyType(got))
}

func pyType(v any) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case string:
		return "str"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "int"
		}
		return "float"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyRepr writes a JSON value roughly as Python's str() shows it in
// Magnum's messages.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool, json.Number:
		s, _ := labelString(x)
		return s
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			parts[i] = quoted(item)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = python.Quote(k) + ": " + quoted(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// quoted writes an element of a list or map as Python's str() of the
// container does: strings as repr() shows them.
func quoted(v any) string {
	if s, ok := v.(string); ok {
		return python.Quote(s)
	}
	return pyRepr(v)
}
