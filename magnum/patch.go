package magnum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/internal/python"
)

// PatchOp is one JSON-patch operation (RFC 6902): add, replace or remove.
// Values are strings, integers or booleans; a map attribute such as
// /labels is replaced with a string holding a Python-literal or JSON dict,
// as python-magnumclient sends it.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// Patch operation names.
const (
	PatchAdd     = "add"
	PatchReplace = "replace"
	PatchRemove  = "remove"
)

// patchRules say what a resource lets a patch touch.
type patchRules struct {
	// internal paths can never be patched.
	internal []string
	// nonRemovable paths cannot be removed.
	nonRemovable []string
	// defaults are the values removed top-level attributes reset to;
	// attributes not listed reset to null.
	defaults map[string]any
}

var baseInternal = []string{"/created_at", "/id", "/links", "/updated_at", "/uuid", "/project_id", "/user_id"}

var patchPath = regexp.MustCompile(`^(/[\w-]+)+$`)

// dictPaths are the map attributes whose replacement value is a string
// holding a dict literal.
var dictPaths = map[string]bool{"/labels": true, "/health_status_reason": true, "/node_labels": true}

// listPaths are the list attributes whose replacement value is a string
// holding a JSON list.
var listPaths = map[string]bool{"/node_taints": true}

// validate checks one operation against the rules, as Magnum does before
// applying anything.
func (op PatchOp) validate(r patchRules) error {
	switch op.Op {
	case PatchAdd, PatchReplace, PatchRemove:
	default:
		return invalidf("Invalid input for field/attribute op. Value: '%s'. Value should be one of: add, replace, remove", op.Op)
	}
	if !patchPath.MatchString(op.Path) {
		return invalidf("Invalid input for field/attribute path. Value: '%s'. Value should match the pattern ^(/[\\w-]+)+$", op.Path)
	}
	if contains(r.internal, op.Path) {
		return invalidf("'%s' is an internal attribute and can not be updated", op.Path)
	}
	if op.Op == PatchRemove {
		if contains(r.nonRemovable, op.Path) {
			return invalidf("'%s' is a mandatory attribute and can not be removed", op.Path)
		}
		return nil
	}
	switch v := op.Value.(type) {
	case nil:
		return invalidf("'add' and 'replace' operations needs value")
	case string, bool, int, int64, json.Number:
		return nil
	case float64:
		if v == float64(int64(v)) {
			return nil
		}
	}
	return invalidf("Invalid input for field/attribute value. Value: '%s'. Wrong type. Expected '(<class 'str'>, <class 'int'>)', got '%s'",
		pythonRepr(op.Value), pythonType(op.Value))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// applyPatch applies ops in order to doc, a resource as a JSON object, in
// Magnum's three passes: each operation's own rules; then, operation by
// operation, the adds at the root and the dict literals Magnum parses
// before applying anything; then the operations. Errors of the last two
// passes, but those of root adds, quote the whole patch with the literals
// parsed so far.
func applyPatch(doc map[string]any, ops []PatchOp, r patchRules) error {
	for _, op := range ops {
		if err := op.validate(r); err != nil {
			return err
		}
	}
	ops = slices.Clone(ops)
	for i, op := range ops {
		if err := checkRootAdd(doc, op); err != nil {
			return err
		}
		v, err := op.literal()
		if err != nil {
			return patchError(ops, err)
		}
		ops[i].Value = v
	}
	for _, op := range ops {
		if err := applyOp(doc, op, r); err != nil {
			return patchError(ops, err)
		}
	}
	return nil
}

func patchError(ops []PatchOp, reason error) error {
	return invalidf("Couldn't apply patch '%s'. Reason: %s", patchRepr(ops), reason)
}

// checkRootAdd refuses an add of a top-level attribute the resource does
// not have or has set.
func checkRootAdd(doc map[string]any, op PatchOp) error {
	attr := op.Path[1:]
	if op.Op != PatchAdd || strings.Contains(attr, "/") {
		return nil
	}
	cur, exists := doc[attr]
	switch {
	case !exists:
		return invalidf("Adding a new attribute %s to the root of the resource is not allowed.", op.Path)
	case !isUnset(cur):
		return invalidf("The attribute %s has existed, please use 'replace' operation instead.", op.Path)
	}
	return nil
}

// magnumLiteralPaths are the attributes whose replacement value Magnum
// parses as a dict literal before applying a patch, so that its messages
// show the dict; other dict and list attributes are parsed as they are
// applied.
var magnumLiteralPaths = map[string]bool{"/labels": true, "/health_status_reason": true}

// literal returns the operation's value, parsed when Magnum parses it
// before applying the patch.
func (op PatchOp) literal() (any, error) {
	s, ok := op.Value.(string)
	if !ok || op.Op != PatchReplace || !magnumLiteralPaths[op.Path] {
		return op.Value, nil
	}
	m, err := ParseLabels(s)
	if err != nil {
		return nil, err
	}
	return stringMapToAny(m), nil
}

func applyOp(doc map[string]any, op PatchOp, r patchRules) error {
	parts := strings.Split(op.Path[1:], "/")
	if len(parts) == 1 {
		return applyTop(doc, parts[0], op, r)
	}
	parent, err := walk(doc, parts[:len(parts)-1])
	if err != nil {
		return err
	}
	key := parts[len(parts)-1]
	switch op.Op {
	case PatchRemove:
		if _, ok := parent[key]; !ok {
			return fmt.Errorf("can't remove a non-existent object '%s'", key)
		}
		delete(parent, key)
	case PatchReplace:
		if _, ok := parent[key]; !ok {
			return fmt.Errorf("can't replace a non-existent object '%s'", key)
		}
		parent[key] = op.Value
	default:
		parent[key] = op.Value
	}
	return nil
}

func applyTop(doc map[string]any, attr string, op PatchOp, r patchRules) error {
	_, exists := doc[attr]
	switch {
	case !exists:
		return fmt.Errorf("can't %s a non-existent object '%s'", op.Op, attr)
	case op.Op == PatchRemove:
		doc[attr] = r.defaults[attr]
		return nil
	}
	v := op.Value
	if s, ok := v.(string); ok && dictPaths["/"+attr] {
		m, err := ParseLabels(s)
		if err != nil {
			return err
		}
		v = stringMapToAny(m)
	}
	if s, ok := v.(string); ok && listPaths["/"+attr] {
		var list []any
		if err := json.Unmarshal([]byte(s), &list); err != nil {
			return reasonf("%s must be a JSON list: %v", attr, err)
		}
		v = list
	}
	doc[attr] = v
	return nil
}

// reasonError is a reason quoted into a user-facing message, in Magnum's
// own capitalised wording.
type reasonError string

func (e reasonError) Error() string { return string(e) }

func reasonf(format string, args ...any) error { return reasonError(fmt.Sprintf(format, args...)) }

// isUnset reports whether an attribute holds no value: null, or the zero
// value the Go types use for unset.
func isUnset(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case json.Number:
		return x == "0"
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

func walk(doc map[string]any, parts []string) (map[string]any, error) {
	cur := doc
	for _, p := range parts {
		v, present := cur[p]
		if !present {
			return nil, fmt.Errorf("member '%s' not found in %s", p, pythonRepr(cur))
		}
		next, ok := v.(map[string]any)
		if !ok {
			if v == nil {
				next = map[string]any{}
				cur[p] = next
			} else {
				return nil, fmt.Errorf("member '%s' is not an object", p)
			}
		}
		cur = next
	}
	return cur, nil
}

func stringMapToAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// toDoc turns a resource into a JSON object.
func toDoc(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	return doc, dec.Decode(&doc)
}

// fromDoc sets the fields of the struct dst points to from doc, keyed by
// their JSON names, converting values as Magnum's API types do (numeric
// strings to integers, "yes"/"no" to booleans, scalars to label strings).
func fromDoc(doc map[string]any, dst any) error {
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		v, ok := doc[name]
		if !rt.Field(i).IsExported() {
			continue
		}
		if !ok || name == "" || name == "-" {
			continue
		}
		if err := setField(rv.Field(i), v); err != nil {
			return invalidf("Invalid input for field/attribute %s. Value: '%s'. %s", name, pythonRepr(v), err)
		}
	}
	return nil
}

func setField(f reflect.Value, v any) error {
	if v == nil {
		f.SetZero()
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		s, err := PythonString(v)
		if err != nil {
			return reasonf("Wrong type.")
		}
		f.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := toInt(v)
		if err != nil {
			return err
		}
		f.SetInt(n)
	case reflect.Bool:
		b, err := ParseBool(v)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case reflect.Pointer:
		p := reflect.New(f.Type().Elem())
		if err := setField(p.Elem(), v); err != nil {
			return err
		}
		f.Set(p)
	case reflect.Map:
		return setStringMap(f, v)
	default:
		b, err := json.Marshal(v)
		if err == nil {
			err = json.Unmarshal(b, f.Addr().Interface())
		}
		if err != nil {
			return reasonf("Wrong type.")
		}
	}
	return nil
}

func setStringMap(f reflect.Value, v any) error {
	var m map[string]string
	switch x := v.(type) {
	case string:
		parsed, err := ParseLabels(x)
		if err != nil {
			return err
		}
		m = parsed
	case map[string]any:
		m = make(map[string]string, len(x))
		for k, val := range x {
			s, err := PythonString(val)
			if err != nil {
				return reasonf("Wrong type.")
			}
			m[k] = s
		}
	default:
		return reasonf("Wrong type.")
	}
	f.Set(reflect.ValueOf(m))
	return nil
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, reasonf("Wrong type. Expected an integer.")
}

// ParseBool parses a boolean as Magnum's API does: JSON booleans and the
// strings true/false/yes/no/1/0/on/off/y/n/t/f in any case.
func ParseBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case json.Number:
		v = x.String()
	case int:
		v = strconv.Itoa(x)
	}
	if s, ok := v.(string); ok {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes", "1", "on", "y", "t":
			return true, nil
		case "false", "no", "0", "off", "n", "f":
			return false, nil
		}
	}
	return false, reasonf("Wrong type. Expected a boolean.")
}

// changedFields returns the JSON names of the fields that differ between
// two values of the same struct type, sorted.
func changedFields(a, b any) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		name, _, _ := strings.Cut(va.Type().Field(i).Tag.Get("json"), ",")
		if !va.Type().Field(i).IsExported() || name == "-" {
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// pythonRepr formats a value roughly as Python's repr() would, for
// messages that quote Magnum's.
func pythonRepr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = "'" + k + "': " + quoteRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = quoteRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	s, err := PythonString(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}

func quoteRepr(v any) string {
	if s, ok := v.(string); ok {
		return python.Quote(s)
	}
	return pythonRepr(v)
}

func pythonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "<class 'dict'>"
	case []any:
		return "<class 'list'>"
	case float64:
		return "<class 'float'>"
	}
	return fmt.Sprintf("<class '%T'>", v)
}

// patchRepr writes a patch as Magnum's "Couldn't apply patch" message
// does: each operation as the dict its patch type validates it into, with
// path, op and value in that order (value only when set).
func patchRepr(ops []PatchOp) string {
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = "{'path': " + quoteRepr(op.Path) + ", 'op': " + quoteRepr(op.Op)
		if op.Value != nil {
			parts[i] += ", 'value': " + quoteRepr(op.Value)
		}
		parts[i] += "}"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// jsonFields returns the JSON names of a struct's fields.
func jsonFields(v any) []string {
	rt := reflect.TypeOf(v)
	out := make([]string, 0, rt.NumField())
	for i := range rt.NumField() {
		if name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}
