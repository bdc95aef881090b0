package driverproto

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

func TestDecodeObject(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want map[string]any
		err  string
	}{
		{"empty", "", nil, ""},
		{"numbers", `{"i":3,"neg":-4,"f":1.5,"e":1e3,"big":1e300,"huge":123456789012345678901234567890}`,
			map[string]any{"i": 3, "neg": -4, "f": 1.5, "e": 1000.0, "big": 1e300, "huge": 1.2345678901234568e29}, ""},
		{"nested", `{"l":[1,{"x":2.5}],"o":{"n":null,"b":false}}`,
			map[string]any{"l": []any{1, map[string]any{"x": 2.5}}, "o": map[string]any{"n": nil, "b": false}}, ""},
		{"null", `null`, nil, "got null"},
		{"out of range", `{"a":[1e400]}`, nil, "value out of range"},
		{"array", `[1]`, nil, "got an array"},
		{"string", `"x"`, nil, "got a string"},
		{"number", `1`, nil, "got a number"},
		{"trailing", `{} {}`, nil, "trailing data"},
		{"broken", `{"a":`, nil, "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeObject([]byte(tc.in))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEncodeObject(t *testing.T) {
	b, err := EncodeObject(nil)
	require.NoError(t, err)
	assert.Nil(t, b)
	in := map[string]any{"n": 2, "max": math.MaxInt32, "s": "x", "l": []any{1, "a"}}
	b, err = EncodeObject(in)
	require.NoError(t, err)
	out, err := DecodeObject(b)
	require.NoError(t, err)
	assert.Equal(t, in, out)
	_, err = EncodeObject(map[string]any{"c": make(chan int)})
	require.Error(t, err)
}

func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":[1.5,{"b":null}]}`, `{}`, `null`, `1`, `{"a":1e400}`, `{"a":-0}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeObject(b)
		if err != nil {
			return
		}
		// What decodes encodes again and decodes to the same value.
		again, err := EncodeObject(m)
		require.NoError(t, err)
		m2, err := DecodeObject(again)
		require.NoError(t, err)
		if m == nil {
			require.Nil(t, m2)
			return
		}
		want, _ := json.Marshal(m)
		got, _ := json.Marshal(m2)
		require.JSONEq(t, string(want), string(got))
	})
}

func TestStackUpdateRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    heat.StackUpdate
	}{
		{"empty", heat.StackUpdate{}},
		{"empty template kept", heat.StackUpdate{Template: []byte{}}},
		{"full", heat.StackUpdate{
			Template:    []byte("heat_template_version: 2021-04-16"),
			Files:       map[string]string{"a.yaml": "x"},
			Environment: &heat.Environment{Parameters: map[string]any{"p": 1}, ResourceRegistry: map[string]any{"A": "B"}},
			Parameters:  map[string]any{"n": 3},
			Timeout:     90 * time.Second,
			Rollback:    true,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := StackUpdateFromHeat(tc.u)
			require.NoError(t, err)
			wire, err := proto.Marshal(msg)
			require.NoError(t, err)
			var back StackUpdate
			require.NoError(t, proto.Unmarshal(wire, &back))
			got, err := back.ToHeat()
			require.NoError(t, err)
			assert.Equal(t, tc.u, got)
		})
	}
}

func FuzzStackUpdateFromWire(f *testing.F) {
	seed, _ := StackUpdateFromHeat(heat.StackUpdate{Template: []byte("t"), Parameters: map[string]any{"a": 1},
		Environment: &heat.Environment{Parameters: map[string]any{"x": "y"}}})
	b, _ := proto.Marshal(seed)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var u StackUpdate
		if proto.Unmarshal(b, &u) != nil {
			return
		}
		_, _ = u.ToHeat() // bad bytes give an error, never a panic
	})
}
