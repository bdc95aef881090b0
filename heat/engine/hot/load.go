package hot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Heat reads templates and environments as JSON when they parse as JSON
// and as YAML 1.1 (PyYAML's SafeLoader, timestamps kept as strings)
// otherwise. yaml.v3 parses; the scalars are resolved here with the YAML
// 1.1 rules PyYAML applies, so "yes" is true and "1e3" is a string.

// LoadDocument parses JSON or YAML text into template values. An empty
// YAML document gives nil.
func LoadDocument(data []byte) (any, error) {
	d, err := loadDocument(data)
	return d.value, err
}

// document is a loaded document with what its Go maps do not keep.
type document struct {
	value any
	// boolKeys are the mapping keys YAML 1.1 reads as booleans, which
	// JSON cannot have.
	boolKeys []boolKey
	// orders are the written orders of its mappings.
	orders keyOrders
}

// loadDocument is LoadDocument that also returns where the document has
// boolean keys and the order its mappings were written in.
func loadDocument(data []byte) (document, error) {
	if v, ok := loadJSON(data); ok {
		return document{value: v, orders: jsonKeyOrders(data)}, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return document{}, err
	}
	if root.Kind == 0 {
		return document{}, nil
	}
	st := &loadState{budget: maxYAMLNodes}
	v, err := st.fromNode(&root, 0)
	return document{value: v, boolKeys: st.boolKeys, orders: st.orders}, err
}

// boolKey is a mapping key PyYAML reads as a boolean (an unquoted on,
// yes, off…): Heat sees True or False where a name is expected. The
// key is stored as "true" or "false", as a JSON round trip gives.
type boolKey struct {
	// path leads to the mapping holding the key.
	path  []string
	value bool
}

// boolKeyDepth is the depth down to which boolean keys are recorded:
// the template's sections, their entries, the keys of a definition and
// of its properties; deeper keys are values.
const boolKeyDepth = 4

// loadState carries what one document's conversion tracks: the node
// budget, the path to the current node (keys, and indexes written
// "[i]"), how many of its steps are indexes, the boolean keys seen and
// the mappings' written orders.
type loadState struct {
	budget   int
	path     []pathStep
	indexes  int
	boolKeys []boolKey
	orders   keyOrders
}

// keyPath returns the keys of the current path, which holds no index.
func (st *loadState) keyPath() []string {
	out := make([]string, len(st.path))
	for i, step := range st.path {
		out[i] = step.key
	}
	return out
}

// pathText writes the current path as keyOrders names it.
func (st *loadState) pathText() string {
	var b strings.Builder
	for i, step := range st.path {
		switch {
		case step.index >= 0:
			b.WriteString("[" + strconv.Itoa(step.index) + "]")
		case i > 0:
			b.WriteString("." + step.key)
		default:
			b.WriteString(step.key)
		}
	}
	return b.String()
}

func loadJSON(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		return nil, false // trailing data: not a JSON document
	}
	return fromJSON(v), true
}

func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.Atoi(string(x)); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case []any:
		for i := range x {
			x[i] = fromJSON(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = fromJSON(x[k])
		}
		return x
	}
	return v
}

// Limits on YAML documents: aliases could otherwise expand a small
// document into an enormous one.
const (
	maxYAMLDepth = 1000
	maxYAMLNodes = 1_000_000
)

var (
	errYAMLDepth = errors.New("document nested too deeply")
	errYAMLSize  = errors.New("document expands to too many nodes")
)

func (st *loadState) fromNode(n *yaml.Node, depth int) (any, error) {
	if depth > maxYAMLDepth {
		return nil, errYAMLDepth
	}
	if st.budget--; st.budget < 0 {
		return nil, errYAMLSize
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return st.fromNode(n.Content[0], depth+1)
	case yaml.AliasNode:
		return st.fromNode(n.Alias, depth+1)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			st.path, st.indexes = append(st.path, pathStep{index: i}), st.indexes+1
			v, err := st.fromNode(c, depth+1)
			st.path, st.indexes = st.path[:len(st.path)-1], st.indexes-1
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return st.fromMapping(n, depth)
	default:
		return scalar(n)
	}
}

func (st *loadState) fromMapping(n *yaml.Node, depth int) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	keys := make([]string, 0, len(n.Content)/2)
	merged := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
			if err := st.mergeInto(out, v, depth); err != nil {
				return nil, err
			}
			merged = true
			continue
		}
		key, err := st.fromNode(k, depth+1)
		if err != nil {
			return nil, err
		}
		name := keyString(key)
		if b, isBool := key.(bool); isBool && st.indexes == 0 && len(st.path) < boolKeyDepth {
			st.boolKeys = append(st.boolKeys, boolKey{path: st.keyPath(), value: b})
		}
		st.path = append(st.path, pathStep{key: name, index: -1})
		val, err := st.fromNode(v, depth+1)
		st.path = st.path[:len(st.path)-1]
		if err != nil {
			return nil, err
		}
		out[name] = val
		keys = append(keys, name)
	}
	if !merged && !slices.IsSorted(keys) {
		st.orders.record(st.pathText(), keys)
	}
	return out, nil
}

// mergeInto applies a YAML merge key: the merged maps' keys do not
// override keys already present.
func (st *loadState) mergeInto(out map[string]any, v *yaml.Node, depth int) error {
	src, err := st.fromNode(v, depth+1)
	if err != nil {
		return err
	}
	maps := []any{src}
	if l, ok := src.([]any); ok {
		maps = l
	}
	for _, m := range maps {
		mm, ok := m.(map[string]any)
		if !ok {
			return fmt.Errorf("line %d: expected a mapping or list of mappings for merging", v.Line)
		}
		for k, val := range mm {
			if _, exists := out[k]; !exists {
				out[k] = val
			}
		}
	}
	return nil
}

// keyString turns a non-string mapping key into the string Heat would
// see after a JSON round trip.
func keyString(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	return PyStr(k)
}

// yamlWords are the plain scalars YAML 1.1 reads as booleans and nulls.
var yamlWords = map[string]any{
	"": nil, "~": nil, "null": nil, "Null": nil, "NULL": nil,
	"yes": true, "Yes": true, "YES": true, "true": true, "True": true, "TRUE": true, "on": true, "On": true, "ON": true,
	"no": false, "No": false, "NO": false, "false": false, "False": false, "FALSE": false, "off": false, "Off": false, "OFF": false,
}

var (
	yamlInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	yamlFloat = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
)

func scalar(n *yaml.Node) (any, error) {
	if n.Style&yaml.TaggedStyle != 0 {
		return taggedScalar(n)
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	return plainScalar(n.Value), nil
}

func plainScalar(s string) any {
	if v, ok := yamlWords[s]; ok {
		return v
	}
	if !strings.ContainsAny(s[:1], "0123456789+-.") {
		return s
	}
	switch {
	case yamlInt.MatchString(s):
		return yamlInteger(s)
	case yamlFloat.MatchString(s):
		return yamlFloatValue(s)
	}
	return s
}

func taggedScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!timestamp", "!!binary":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool", "!!int", "!!float":
		v := plainScalar(n.Value)
		if _, isStr := v.(string); isStr {
			return nil, fmt.Errorf("line %d: cannot construct %s from %q", n.Line, n.ShortTag(), n.Value)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: could not determine a constructor for the tag %s", n.Line, n.Tag)
}

func yamlInteger(s string) any {
	s = strings.ReplaceAll(s, "_", "")
	sign := 1
	if s[0] == '-' || s[0] == '+' {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	var v int64
	var err error
	switch {
	case strings.HasPrefix(s, "0b"):
		v, err = strconv.ParseInt(s[2:], 2, 64)
	case strings.HasPrefix(s, "0x"):
		v, err = strconv.ParseInt(s[2:], 16, 64)
	case s == "0":
		v = 0
	case strings.HasPrefix(s, "0"):
		v, err = strconv.ParseInt(s[1:], 8, 64)
	case strings.Contains(s, ":"):
		v = sexagesimal(s)
	default:
		v, err = strconv.ParseInt(s, 10, 64)
	}
	if err != nil {
		f, _ := strconv.ParseFloat(s, 64)
		return float64(sign) * f
	}
	return sign * int(v)
}

func sexagesimal(s string) int64 {
	var v int64
	for _, part := range strings.Split(s, ":") {
		d, _ := strconv.ParseInt(part, 10, 64)
		v = v*60 + d
	}
	return v
}

func yamlFloatValue(s string) any {
	s = strings.ReplaceAll(s, "_", "")
	l := strings.ToLower(s)
	switch {
	case strings.HasSuffix(l, ".inf"):
		if strings.HasPrefix(l, "-") {
			return math.Inf(-1)
		}
		return math.Inf(1)
	case l == ".nan":
		return math.NaN()
	case strings.Contains(s, ":"):
		whole, frac, _ := strings.Cut(s, ".")
		sign := 1.0
		if whole[0] == '-' || whole[0] == '+' {
			if whole[0] == '-' {
				sign = -1
			}
			whole = whole[1:]
		}
		f, _ := strconv.ParseFloat("0."+frac, 64)
		return sign * (float64(sexagesimal(whole)) + f)
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
