package hot

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPyStr(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{true, "True"}, {false, "False"}, {nil, "None"}, {3, "3"}, {-7, "-7"},
		{1.5, "1.5"}, {2.0, "2.0"}, {0.1, "0.1"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
		{0.0001, "0.0001"}, {0.00001, "1e-05"}, {-2.5e-7, "-2.5e-07"}, {123456789.125, "123456789.125"},
		{math.Inf(1), "inf"}, {math.NaN(), "nan"},
		{"s", "s"}, {[]any{1, "a", true, nil}, "[1, 'a', True, None]"},
		{map[string]any{"b": 1, "a": "x'y"}, `{'a': "x'y", 'b': 1}`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, PyStr(tt.in), "%#v", tt.in)
	}
}

func TestPyJSON(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{[]any{1, "a", true, nil, 1.5}, `[1, "a", true, null, 1.5]`},
		{map[string]any{"b": 1, "a": []any{}}, `{"a": [], "b": 1}`},
		{"é<>&\n\"", `"\u00e9<>&\n\""`},
		{"😀", `"\ud83d\ude00"`},
		{math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		got, err := PyJSON(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
	_, err := PyJSON(struct{}{})
	assert.Error(t, err)
}

func TestPyEqual(t *testing.T) {
	tests := []struct {
		a, b any
		want bool
	}{
		{1, 1.0, true}, {true, 1, true}, {false, 0.0, true}, {true, []any{}, false},
		{"1", 1, false}, {nil, nil, true}, {nil, "", false},
		{[]any{1, "a"}, []any{1.0, "a"}, true}, {[]any{1}, []any{1, 2}, false},
		{map[string]any{"a": 1}, map[string]any{"a": true}, true}, {map[string]any{"a": 1}, map[string]any{"b": 1}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, PyEqual(tt.a, tt.b), "%#v == %#v", tt.a, tt.b)
	}
}

func TestNumbers(t *testing.T) {
	ints := map[string]any{"5": 5, " -3 ": -3, "1_000": 1000}
	for in, want := range ints {
		got, err := PyInt(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := PyInt("1.5")
	assert.EqualError(t, err, "invalid literal for int() with base 10: '1.5'")
	for in, want := range map[string]any{"1.5": 1.5, "1e3": 1000.0, ".5": 0.5, "5.": 5.0, "-inf": math.Inf(-1)} {
		got, err := PyFloat(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err = PyFloat("abc")
	assert.EqualError(t, err, "could not convert string to float: 'abc'")
	n, err := StrToNum("2.0")
	require.NoError(t, err)
	assert.Equal(t, 2.0, n)
	_, err = StrToNum([]any{})
	assert.EqualError(t, err, "int() argument must be a string, a bytes-like object or a real number, not 'list'")
}

func TestLoadDocumentYAML11(t *testing.T) {
	doc, err := LoadDocument([]byte(`
a: yes
b: Off
c: 1e3
d: 1.5e+3
e: 010
f: 0x1F
g: 2013-05-23
h: ~
i: "yes"
j: 1_000
k: 1:30
l: .inf
m: [1, two]
n: &anchor {x: 1}
o: *anchor
p:
  <<: *anchor
  y: 2
q: !!str 12
`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"a": true, "b": false, "c": "1e3", "d": 1500.0, "e": 8, "f": 31, "g": "2013-05-23", "h": nil,
		"i": "yes", "j": 1000, "k": 90, "l": math.Inf(1), "m": []any{1, "two"},
		"n": map[string]any{"x": 1}, "o": map[string]any{"x": 1}, "p": map[string]any{"x": 1, "y": 2}, "q": "12",
	}, doc)
}

func TestLoadDocumentJSON(t *testing.T) {
	doc, err := LoadDocument([]byte(`{"a": 1, "b": 1.0, "c": [true, null], "d": 1e3}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": 1, "b": 1.0, "c": []any{true, nil}, "d": 1000.0}, doc)
	doc, err = LoadDocument(nil)
	require.NoError(t, err)
	assert.Nil(t, doc)
	_, err = LoadDocument([]byte("a: [1"))
	assert.Error(t, err)
}
