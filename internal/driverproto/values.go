package driverproto

import (
	"encoding/json"
	"fmt"
	"math"
)

// EncodeValues converts a map of arbitrary values (stack parameters,
// outputs) for the wire. Strings, booleans and numbers travel as
// themselves, everything else as JSON; a value JSON cannot encode is an
// error. An empty map gives nil.
func EncodeValues(m map[string]any) ([]*NamedValue, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make([]*NamedValue, 0, len(m))
	for k, v := range m {
		val, err := encodeValue(v)
		if err != nil {
			return nil, fmt.Errorf("value of %q: %w", k, err)
		}
		out = append(out, &NamedValue{Name: k, Value: val})
	}
	return out, nil
}

func encodeValue(v any) (*Value, error) {
	switch v := v.(type) {
	case nil:
		return &Value{}, nil
	case string:
		return &Value{Kind: &Value_StringValue{StringValue: v}}, nil
	case bool:
		return &Value{Kind: &Value_BoolValue{BoolValue: v}}, nil
	case int:
		return intValue(int64(v)), nil
	case int8:
		return intValue(int64(v)), nil
	case int16:
		return intValue(int64(v)), nil
	case int32:
		return intValue(int64(v)), nil
	case int64:
		return intValue(v), nil
	case uint8:
		return intValue(int64(v)), nil
	case uint16:
		return intValue(int64(v)), nil
	case uint32:
		return intValue(int64(v)), nil
	case float32:
		return &Value{Kind: &Value_FloatValue{FloatValue: float64(v)}}, nil
	case float64:
		return &Value{Kind: &Value_FloatValue{FloatValue: v}}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &Value{Kind: &Value_JsonValue{JsonValue: b}}, nil
}

func intValue(i int64) *Value { return &Value{Kind: &Value_IntValue{IntValue: i}} }

// DecodeValues converts the values back: integers become int (float64 if
// they do not fit), other numbers float64, JSON the values encoding/json
// gives with the same rule for numbers. A name given twice keeps its last
// value, as a protobuf map does. No values give nil.
func DecodeValues(vs []*NamedValue) (map[string]any, error) {
	if len(vs) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(vs))
	for _, nv := range vs {
		d, err := nv.GetValue().decode()
		if err != nil {
			return nil, fmt.Errorf("value of %q: %w", nv.GetName(), err)
		}
		out[nv.GetName()] = d
	}
	return out, nil
}

// EncodeFiles converts a template's files for the wire; no files give nil.
func EncodeFiles(m map[string]string) []*File {
	if len(m) == 0 {
		return nil
	}
	out := make([]*File, 0, len(m))
	for name, content := range m {
		out = append(out, &File{Name: name, Content: []byte(content)})
	}
	return out
}

// DecodeFiles converts the files back; a name given twice keeps its last
// content. No files give nil.
func DecodeFiles(fs []*File) map[string]string {
	if len(fs) == 0 {
		return nil
	}
	out := make(map[string]string, len(fs))
	for _, f := range fs {
		out[f.GetName()] = string(f.GetContent())
	}
	return out
}

func (v *Value) decode() (any, error) {
	switch k := v.GetKind().(type) {
	case *Value_StringValue:
		return k.StringValue, nil
	case *Value_BoolValue:
		return k.BoolValue, nil
	case *Value_IntValue:
		if k.IntValue < math.MinInt || k.IntValue > math.MaxInt {
			return float64(k.IntValue), nil
		}
		return int(k.IntValue), nil
	case *Value_FloatValue:
		return k.FloatValue, nil
	case *Value_JsonValue:
		return decodeJSON(k.JsonValue)
	}
	return nil, nil
}
