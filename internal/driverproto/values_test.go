package driverproto

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"
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

	_, err = DecodeValues([]*NamedValue{{Name: "bad", Value: &Value{Kind: &Value_JsonValue{JsonValue: []byte("{")}}}})
	require.ErrorContains(t, err, `value of "bad"`)
	big := uint64(math.MaxUint64)
	enc, err = EncodeValues(map[string]any{"big": big})
	require.NoError(t, err)
	dec, err = DecodeValues(enc)
	require.NoError(t, err)
	assert.InDelta(t, float64(big), dec["big"], 1, "beyond int range, a number decodes as float64")
}

func TestFilesRoundTrip(t *testing.T) {
	assert.Nil(t, EncodeFiles(nil))
	assert.Nil(t, DecodeFiles(nil))
	files := map[string]string{"node.yaml": "heat_template_version: 2021-04-16\n", "empty": ""}
	assert.Equal(t, files, DecodeFiles(EncodeFiles(files)))
	assert.Equal(t, map[string]string{"a": "2"}, DecodeFiles([]*File{{Name: "a", Content: []byte("1")}, {Name: "a", Content: []byte("2")}}),
		"a name given twice keeps its last content, as a map entry would")
}

// The entries of a map<string, X> and of a repeated {name = 1; X = 2} are
// the same bytes on the wire: a peer that still sends maps is understood.
func TestMapEntriesAreWireCompatible(t *testing.T) {
	var b []byte
	entry := func(field protowire.Number, name string, value []byte, valueType protowire.Type) {
		var e []byte
		e = protowire.AppendTag(e, 1, protowire.BytesType)
		e = protowire.AppendString(e, name)
		e = protowire.AppendTag(e, 2, valueType)
		e = append(e, value...)
		b = protowire.AppendTag(b, field, protowire.BytesType)
		b = protowire.AppendBytes(b, e)
	}
	str, err := proto.Marshal(&Value{Kind: &Value_StringValue{StringValue: "v"}})
	require.NoError(t, err)
	entry(2, "node.yaml", protowire.AppendString(nil, "body"), protowire.BytesType)
	entry(4, "name", protowire.AppendBytes(nil, str), protowire.BytesType)

	var st Stack
	require.NoError(t, proto.Unmarshal(b, &st))
	assert.Equal(t, map[string]string{"node.yaml": "body"}, DecodeFiles(st.GetFiles()))
	params, err := DecodeValues(st.GetParameters())
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name": "v"}, params)
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
