package hot

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/internal/python"
)

var (
	pyIntLiteral   = regexp.MustCompile(`^[+-]?[0-9](?:_?[0-9])*$`)
	pyFloatLiteral = regexp.MustCompile(`^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$`)
	pyFloatSpecial = regexp.MustCompile(`^(?i)[+-]?(?:inf|infinity|nan)$`)
)

// PyInt implements Python's int() of a template value.
func PyInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, valueError("cannot convert float %s to integer", pyFloat(x))
		}
		return int(x), nil
	case string:
		s := strings.TrimSpace(x)
		if !pyIntLiteral.MatchString(s) {
			return 0, valueError("invalid literal for int() with base 10: %s", python.Quote(x))
		}
		i, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil {
			return 0, valueError("invalid literal for int() with base 10: %s", python.Quote(x))
		}
		return i, nil
	}
	return 0, typeError("int() argument must be a string, a bytes-like object or a real number, not '%s'", pyType(v))
}

// PyFloat implements Python's float() of a template value.
func PyFloat(v any) (float64, error) {
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		s := strings.TrimSpace(x)
		if pyFloatSpecial.MatchString(s) {
			f, _ := strconv.ParseFloat(strings.ToLower(s), 64)
			return f, nil
		}
		if pyFloatLiteral.MatchString(s) {
			if f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil || math.IsInf(f, 0) {
				return f, nil
			}
		}
		return 0, valueError("could not convert string to float: %s", python.Quote(x))
	}
	return 0, typeError("float() argument must be a string or a real number, not '%s'", pyType(v))
}

// StrToNum implements Heat's Schema.str_to_num: numbers pass through,
// strings become an int if they can, a float otherwise.
func StrToNum(v any) (any, error) {
	switch x := v.(type) {
	case int, float64, bool:
		return x, nil
	}
	i, err := PyInt(v)
	if err == nil {
		return i, nil
	}
	if pe, ok := err.(*PyError); ok && pe.Kind == "TypeError" {
		return nil, err
	}
	return PyFloat(v)
}

// boolFromString implements oslo's bool_from_string(strict=True).
func boolFromString(v any) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	switch strings.ToLower(strings.TrimSpace(PyStr(v))) {
	case "1", "t", "true", "on", "y", "yes":
		return true, nil
	case "0", "f", "false", "off", "n", "no":
		return false, nil
	}
	return false, valueError("Unrecognized value %s, acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
		python.Quote(PyStr(v)))
}

// pyLen implements Python's len() for strings, lists and maps.
func pyLen(v any) (int, error) {
	switch x := v.(type) {
	case string:
		return len([]rune(x)), nil
	case []any:
		return len(x), nil
	case map[string]any:
		return len(x), nil
	}
	return 0, typeError("object of type '%s' has no len()", pyType(v))
}

// numLess compares two numbers as Python does.
func numLess(a, b any) bool {
	fa, _ := pyNumber(a)
	fb, _ := pyNumber(b)
	return fa < fb
}
