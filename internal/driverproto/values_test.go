package driverproto

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

func TestValuesRoundTrip(t *testing.T) {
	in := map[string]any{
		"string": "s", "empty": "", "true": true, "false": false, "nil": nil,
		"int": 3, "negative": -7, "int64": int64(math.MaxInt64), "int8": int8(-8), "uint32": uint32(32),
		"float": 1.5, "integral float": 2.0, "float32": float32(0.25),
		"list": []any{1, "two", 3.5, nil}, "strings": []string{"a", "b"},
		"object": map[string]any{"nested": []any{map[string]any{"n": 7}}},
	}
	enc, err := EncodeValues(in)
	require.NoError(t, err)
	wire, err := proto.Marshal(&Stack{Parameters: enc})
	require.NoError(t, err)
	var back Stack
	require.NoError(t, proto.Unmarshal(wire, &back))
	out, err := DecodeValues(back.GetParameters())
	require.NoError(t, err)

	want := map[string]any{
		"string": "s", "empty": "", "true": true, "false": false, "nil": nil,
		"int": 3, "negative": -7, "int64": math.MaxInt64, "int8": -8, "uint32": 32,
		"float": 1.5, "integral float": 2.0, "float32": 0.25,
		"list": []any{1, "two", 3.5, nil}, "strings": []any{"a", "b"},
		"object": map[string]any{"nested": []any{map[string]any{"n": 7}}},
	}
	assert.Equal(t, want, out)
}

func TestValuesEdges(t *testing.T) {
	enc, err := EncodeValues(nil)
	require.NoError(t, err)
	assert.Nil(t, enc)
	dec, err := DecodeValues(nil)
	require.NoError(t, err)
	assert.Nil(t, dec)

	_, err = EncodeValues(map[string]any{"c": make(chan int)})
	require.ErrorContains(t, err, `value of "c"`)

	_, err = DecodeValues(map[string]*Value{"bad": {Kind: &Value_JsonValue{JsonValue: []byte("{")}}})
	require.ErrorContains(t, err, `value of "bad"`)
	big := uint64(math.MaxUint64)
	enc, err = EncodeValues(map[string]any{"big": big})
	require.NoError(t, err)
	dec, err = DecodeValues(enc)
	require.NoError(t, err)
	assert.InDelta(t, float64(big), dec["big"], 1, "beyond int range, a number decodes as float64")
}

func FuzzDecodeValues(f *testing.F) {
	seed, _ := EncodeValues(map[string]any{"a": 1, "b": "x", "c": []any{1.5}, "d": nil, "e": true})
	b, _ := proto.Marshal(&Stack{Parameters: seed})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var st Stack
		if proto.Unmarshal(b, &st) != nil {
			return
		}
		out, err := DecodeValues(st.GetParameters())
		if err != nil {
			return
		}
		// What decodes encodes again to the same values, up to the
		// int-or-float ambiguity of integral numbers inside JSON.
		again, err := EncodeValues(out)
		require.NoError(t, err)
		back, err := DecodeValues(again)
		require.NoError(t, err)
		want, err := json.Marshal(out)
		if err != nil {
			return // NaN or an infinity: no JSON for those
		}
		got, err := json.Marshal(back)
		require.NoError(t, err)
		require.JSONEq(t, string(want), string(got))
	})
}
