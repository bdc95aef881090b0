package magnum

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLabels(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
		err  bool
	}{
		{in: "{}", want: map[string]string{}},
		{in: "{'etcd_volume_size': '1'}", want: map[string]string{"etcd_volume_size": "1"}},
		{in: `{"api": "ok"}`, want: map[string]string{"api": "ok"}},
		{in: " { 'a' : 1 , 'b': True, 'c': 1.5, 'd': None, 'e': -2, } ",
			want: map[string]string{"a": "1", "b": "True", "c": "1.5", "d": "None", "e": "-2"}},
		{in: `{'q': 'it\'s', "u": "\u00e9\x41"}`, want: map[string]string{"q": "it's", "u": "éA"}},
		{in: `{'f': 2.0, 'g': 1e3}`, want: map[string]string{"f": "2.0", "g": "1000.0"}},
		{in: "", err: true},
		{in: "{", err: true},
		{in: "{'a': {'b': 'c'}}", err: true},
		{in: "{'a': [1]}", err: true},
		{in: "{'a' 'b'}", err: true},
		{in: "{'a': 'b'} extra", err: true},
		{in: "{'a': 'b", err: true},
		{in: "{a: 'b'}", err: true},
		{in: `{"api": true}`, err: true},
		{in: `{"api": null}`, err: true},
		{in: "{'a': 1.2.3}", err: true},
		{in: `{'a': '\x4'}`, err: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseLabels(tc.in)
			if tc.err {
				require.ErrorIs(t, err, errLiteral)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestPythonString(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{true, "True"}, {false, "False"}, {nil, "None"}, {"x", "x"}, {3, "3"}, {int64(-4), "-4"},
		{1.5, "1.5"}, {2.0, "2.0"}, {json.Number("7"), "7"}, {json.Number("7.0"), "7.0"},
	} {
		got, err := PythonString(tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
	_, err := PythonString([]int{1})
	require.Error(t, err)
}

func FuzzParseLabels(f *testing.F) {
	for _, s := range []string{"{}", "{'a': 'b'}", `{"api": "ok", 'n': 1, 'b': False}`, "{'x': 1e5, 'y': -0.5,}",
		`{'e': '\u00e9\n\\'}`, "{'k': None}", "{'unterminated"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseLabels(s)
		if err != nil {
			require.ErrorIs(t, err, errLiteral)
			return
		}
		// Whatever parses must survive a round trip through JSON.
		b, err := json.Marshal(m)
		require.NoError(t, err)
		again, err := ParseLabels(string(b))
		require.NoError(t, err, "reparse %s", b)
		require.Equal(t, m, again)
	})
}
