package clusterstack

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
)

// Kind is the type of a label's value.
type Kind int

// Label kinds.
const (
	// Text is free text without control characters.
	Text Kind = iota
	// Bool accepts Magnum's spellings: true/false, yes/no, on/off, 1/0, t/f, y/n.
	Bool
	// Int is a decimal integer of at least Label.Min.
	Int
	// CIDR is an IPv4 or IPv6 prefix.
	CIDR
	// Tag is an image tag or version: letters, digits and ._+- only.
	Tag
	// Enum is one of Label.Values.
	Enum
)

// Label describes one label a driver understands.
type Label struct {
	Name    string
	Default string
	Kind    Kind
	// Values lists the accepted values of an Enum label.
	Values []string
	// Min is the smallest accepted value of an Int label.
	Min int
	// Doc says what the label does, for the driver's documentation.
	Doc string
}

// LabelSet is the schema of the labels a driver understands. Labels it
// does not name are accepted and ignored, as Magnum does.
type LabelSet []Label

var (
	tagPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$`)
	boolTrue   = []string{"true", "yes", "on", "1", "t", "y"}
	boolFalse  = []string{"false", "no", "off", "0", "f", "n"}
)

// Lookup returns the schema of the label name.
func (s LabelSet) Lookup(name string) (Label, bool) {
	i := slices.IndexFunc(s, func(l Label) bool { return l.Name == name })
	if i < 0 {
		return Label{}, false
	}
	return s[i], true
}

// Resolve merges the defaults of the schema and the given layers (later
// layers win) and checks every known label. Errors wrap drivers.ErrInvalid.
func (s LabelSet) Resolve(layers ...map[string]string) (Values, error) {
	out := make(Values, len(s))
	for _, l := range s {
		out[l.Name] = l.Default
	}
	for _, layer := range layers {
		for k, v := range layer {
			out[k] = v
		}
	}
	for _, l := range s {
		if err := l.check(out[l.Name]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (l Label) check(v string) error {
	bad := func(want string) error {
		return fmt.Errorf("%w: label %s=%q: expecting %s", drivers.ErrInvalid, l.Name, v, want)
	}
	if v == "" {
		if l.Kind == Enum && !slices.Contains(l.Values, "") {
			return bad("one of " + strings.Join(l.Values, ", "))
		}
		return nil
	}
	switch l.Kind {
	case Bool:
		if _, ok := parseBool(v); !ok {
			return bad("a boolean")
		}
	case Int:
		n, err := strconv.Atoi(v)
		if err != nil || n < l.Min {
			return bad(fmt.Sprintf("an integer of at least %d", l.Min))
		}
	case CIDR:
		if _, err := netip.ParsePrefix(v); err != nil {
			return bad("a CIDR such as 10.100.0.0/16")
		}
	case Tag:
		if !tagPattern.MatchString(v) {
			return bad("a tag (letters, digits and ._+-)")
		}
	case Enum:
		if !slices.Contains(l.Values, v) {
			return bad("one of " + strings.Join(l.Values, ", "))
		}
	default:
		if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return bad("text without control characters")
		}
	}
	return nil
}

func parseBool(v string) (value, ok bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	switch {
	case slices.Contains(boolTrue, v):
		return true, true
	case slices.Contains(boolFalse, v):
		return false, true
	}
	return false, false
}

// Values are resolved labels: every label of the schema has a value.
type Values map[string]string

// String returns the value of a label.
func (v Values) String(name string) string { return v[name] }

// Bool returns the value of a Bool label; an empty value is false.
func (v Values) Bool(name string) bool {
	b, _ := parseBool(v[name])
	return b
}

// Int returns the value of an Int label; an empty value is 0.
func (v Values) Int(name string) int {
	n, _ := strconv.Atoi(v[name])
	return n
}
