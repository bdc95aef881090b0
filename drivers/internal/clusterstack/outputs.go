package clusterstack

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
)

// Strings decodes an address output: a list (ResourceGroup attributes)
// or a comma separated string. Null and empty members are dropped.
func Strings(v any) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	switch t := v.(type) {
	case string:
		for _, s := range strings.Split(t, ",") {
			add(s)
		}
	case []string:
		for _, s := range t {
			add(s)
		}
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				add(s)
			}
		}
	}
	return out
}

// String decodes a single-value output; anything but a string gives "".
func String(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

// Count reads a node count from a stack parameter (Heat returns numbers as
// strings). A missing parameter gives nil; a malformed one an error.
func Count(params map[string]string, name string) (*int, error) {
	v, ok := params[name]
	if !ok || v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f != float64(int(f)) {
		return nil, fmt.Errorf("%w: stack parameter %s=%q is not a node count", drivers.ErrInvalid, name, v)
	}
	n := int(f)
	return &n, nil
}

// Addresses picks the public or the private addresses of a node list
// output pair, as Magnum does with floating IPs on or off.
func Addresses(outputs map[string]any, public, private string, floating bool) []string {
	if floating {
		return Strings(outputs[public])
	}
	return Strings(outputs[private])
}
