package hot

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gomagnum/gomagnum/internal/python"
)

// Heat is written in Python, and templates observe Python's string forms
// of values (str_replace turns true into "True", list_join JSON-encodes
// with Python's separators). The helpers in this file reproduce them.

// PyStr returns Python's str() of a template value.
func PyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil, bool, int, float64:
		return pyScalar(x)
	default:
		return PyRepr(v)
	}
}

// PyRepr returns Python's repr() of a template value. Map keys are
// sorted, where Python would keep insertion order.
func PyRepr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func pyScalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case float64:
		return pyFloat(x)
	}
	return fmt.Sprint(v)
}

func writeRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(python.Quote(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(python.Quote(k))
			b.WriteString(": ")
			writeRepr(b, x[k])
		}
		b.WriteByte('}')
	default:
		b.WriteString(pyScalar(v))
	}
}

// pyFloat returns Python's repr() of a float: the shortest round-tripping
// digits, in positional notation for decimal exponents from -4 to 15 and
// in scientific notation otherwise.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, es, exp)
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}

// PyJSON returns json.dumps(v, sort_keys=True) as Python writes it, with
// its ", " and ": " separators and ASCII-only output.
func PyJSON(v any) (string, error) {
	var b strings.Builder
	if err := writePyJSON(&b, v, nil, ""); err != nil {
		return "", err
	}
	return b.String(), nil
}

// writePyJSON writes v at path as json.dumps does; maps list their keys
// in the order orders keeps for their path, sorted without one.
func writePyJSON(b *strings.Builder, v any, orders keyOrders, path string) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(jsonFloat(x))
	case string:
		writeJSONString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			var sub string
			if orders != nil {
				sub = indexPath(path, i)
			}
			if err := writePyJSON(b, e, orders, sub); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for i, k := range orders.keysOf(path, x) {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSONString(b, k)
			b.WriteString(": ")
			var sub string
			if orders != nil {
				sub = childPath(path, k)
			}
			if err := writePyJSON(b, x[k], orders, sub); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return typeError("Object of type %s is not JSON serializable", pyType(v))
	}
	return nil
}

func jsonFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	return pyFloat(f)
}

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			writeJSONRune(b, r)
		}
	}
	b.WriteByte('"')
}

func writeJSONRune(b *strings.Builder, r rune) {
	switch {
	case r < 0x20 || (r > 0x7e && r <= 0xffff):
		fmt.Fprintf(b, `\u%04x`, r)
	case r > 0xffff:
		r -= 0x10000
		fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
	default:
		b.WriteRune(r)
	}
}

// PyEqual reports whether Python's == holds between two template values:
// numbers compare by value, true equals 1, containers compare deeply.
func PyEqual(a, b any) bool {
	if na, ok := pyNumber(a); ok {
		nb, ok := pyNumber(b)
		return ok && na == nb
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, PyEqual)
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !PyEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// pyNumber returns a number (or a bool, which Python treats as 0 or 1) as
// a float64.
func pyNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// pyContains implements Python's "v in seq" for a list or a string.
func pyContains(seq, v any) (bool, error) {
	switch s := seq.(type) {
	case []any:
		return slices.ContainsFunc(s, func(e any) bool { return PyEqual(e, v) }), nil
	case string:
		sub, ok := v.(string)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", pyType(v))
		}
		return strings.Contains(s, sub), nil
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", pyType(seq))
}

// pyType returns the Python type name of a value.
func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyTypeClass returns the repr of a value's Python type, "<class 'str'>".
func pyTypeClass(v any) string { return "<class '" + pyType(v) + "'>" }

// isSequence reports whether v is a Python Sequence: a list or a string.
func isSequence(v any) bool {
	switch v.(type) {
	case []any, string:
		return true
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
