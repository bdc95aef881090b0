package python_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/python"
)

// The cases are Python 3.11's int() on the same strings.
func TestInt(t *testing.T) {
	tests := []struct {
		in   string
		want int
		err  string // Python's ValueError, "" when int() accepts
	}{
		{in: "42", want: 42},
		{in: "  +7\t\n", want: 7},
		{in: "-12", want: -12},
		{in: "007", want: 7},
		{in: "1_000", want: 1000},
		{in: "\u0663\u0664", want: 34}, // Arabic-Indic digits
		{in: "\U0001D7D9", want: 1},    // MATHEMATICAL DOUBLE-STRUCK DIGIT ONE
		{in: "\v5\f", want: 5},
		{in: "\u00855\u00a0\u3000", want: 5},
		{in: "\x1f5", err: `invalid literal for int() with base 10: '\x1f5'`}, // str.split()'s space, not int()'s
		{in: "99999999999999999999", want: math.MaxInt},
		{in: "-99999999999999999999", want: math.MinInt},
		{in: "", err: "invalid literal for int() with base 10: ''"},
		{in: "abc", err: "invalid literal for int() with base 10: 'abc'"},
		{in: "1.5", err: "invalid literal for int() with base 10: '1.5'"},
		{in: "_1", err: "invalid literal for int() with base 10: '_1'"},
		{in: "1_", err: "invalid literal for int() with base 10: '1_'"},
		{in: "1__0", err: "invalid literal for int() with base 10: '1__0'"},
		{in: "+", err: "invalid literal for int() with base 10: '+'"},
		{in: "- 1", err: "invalid literal for int() with base 10: '- 1'"},
		{in: "0x10", err: "invalid literal for int() with base 10: '0x10'"},
		{in: "a'b", err: `invalid literal for int() with base 10: "a'b"`},
		{in: `a'b"c`, err: `invalid literal for int() with base 10: 'a\'b"c'`},
		{in: "x\\y\x00\u00a0\u2028\U000e0001", err: `invalid literal for int() with base 10: 'x\\y\x00\xa0\u2028\U000e0001'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := python.Int(tt.in)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// The cases are Python 3.11's repr() of the same strings.
func TestQuote(t *testing.T) {
	tests := map[string]string{
		"":                      `''`,
		"abc":                   `'abc'`,
		"it's":                  `"it's"`,
		`say "hi"`:              `'say "hi"'`,
		`it's "x"`:              `'it\'s "x"'`,
		"a\\b\n\r\t":            `'a\\b\n\r\t'`,
		"\x00\x7f\u00a0é\u2028": `'\x00\x7f\xa0é\u2028'`,
		"\U0001F600\U000E0001":  `'😀\U000e0001'`,
	}
	for in, want := range tests {
		assert.Equal(t, want, python.Quote(in), "%q", in)
	}
}

// The cases are Python 3.11's str.split() of the same strings.
func TestFields(t *testing.T) {
	tests := map[string][]string{
		" container-infra  1.2\t": {"container-infra", "1.2"},
		"a\x1cb\x1fc":             {"a", "b", "c"},
		"a\u00a0b\u3000c":         {"a", "b", "c"},
		"":                        {},
	}
	for in, want := range tests {
		assert.Equal(t, want, python.Fields(in), "%q", in)
	}
}
