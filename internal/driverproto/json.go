package driverproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gomagnum/gomagnum/heat"
)

// EncodeObject encodes a map of arbitrary values as a JSON object. A nil map
// encodes as no bytes, so that DecodeObject gives nil back.
func EncodeObject(m map[string]any) ([]byte, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode JSON object: %w", err)
	}
	return b, nil
}

// DecodeObject decodes a JSON object made by EncodeObject. Integral numbers
// that fit become int and other numbers float64, so that the values a
// driver computes in-process and through a plugin compare equal. No bytes
// decode as nil.
func DecodeObject(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, fmt.Errorf("decode JSON object: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("decode JSON object: got %s", jsonKind(v))
	}
	return m, nil
}

// jsonKind names the kind of a decoded JSON value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// decodeJSON decodes one JSON value, with numbers as int or float64.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data")
	}
	return numbers(v)
}

// numbers replaces, in place, the json.Numbers in v by int or float64.
func numbers(v any) (any, error) {
	var err error
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil && i >= math.MinInt && i <= math.MaxInt {
			return int(i), nil
		}
		f, err := v.Float64()
		if err != nil {
			return nil, fmt.Errorf("number %s: %w", v, err)
		}
		return f, nil
	case map[string]any:
		for k, e := range v {
			if v[k], err = numbers(e); err != nil {
				return nil, err
			}
		}
	case []any:
		for i, e := range v {
			if v[i], err = numbers(e); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// EnvironmentFromHeat converts a Heat environment.
func EnvironmentFromHeat(e heat.Environment) (*Environment, error) {
	var out Environment
	var err error
	if out.ParametersJson, err = EncodeObject(e.Parameters); err != nil {
		return nil, fmt.Errorf("environment parameters: %w", err)
	}
	if out.ParameterDefaultsJson, err = EncodeObject(e.ParameterDefaults); err != nil {
		return nil, fmt.Errorf("environment parameter_defaults: %w", err)
	}
	if out.ResourceRegistryJson, err = EncodeObject(e.ResourceRegistry); err != nil {
		return nil, fmt.Errorf("environment resource_registry: %w", err)
	}
	return &out, nil
}

// ToHeat converts the environment back; a nil environment is empty.
func (e *Environment) ToHeat() (heat.Environment, error) {
	var out heat.Environment
	var err error
	if out.Parameters, err = DecodeObject(e.GetParametersJson()); err != nil {
		return out, fmt.Errorf("environment parameters: %w", err)
	}
	if out.ParameterDefaults, err = DecodeObject(e.GetParameterDefaultsJson()); err != nil {
		return out, fmt.Errorf("environment parameter_defaults: %w", err)
	}
	if out.ResourceRegistry, err = DecodeObject(e.GetResourceRegistryJson()); err != nil {
		return out, fmt.Errorf("environment resource_registry: %w", err)
	}
	return out, nil
}

// StackUpdateFromHeat converts a stack update.
func StackUpdateFromHeat(u heat.StackUpdate) (*StackUpdate, error) {
	out := &StackUpdate{
		Template:     u.Template,
		Files:        EncodeFiles(u.Files),
		TimeoutNanos: int64(u.Timeout),
		Rollback:     u.Rollback,
	}
	var err error
	if u.Environment != nil {
		if out.Environment, err = EnvironmentFromHeat(*u.Environment); err != nil {
			return nil, err
		}
	}
	if out.Parameters, err = EncodeValues(u.Parameters); err != nil {
		return nil, fmt.Errorf("update parameters: %w", err)
	}
	return out, nil
}

// ToHeat converts the update back.
func (u *StackUpdate) ToHeat() (heat.StackUpdate, error) {
	out := heat.StackUpdate{
		Template: u.GetTemplate(),
		Files:    DecodeFiles(u.GetFiles()),
		Timeout:  time.Duration(u.GetTimeoutNanos()),
		Rollback: u.GetRollback(),
	}
	if u.Template != nil && out.Template == nil {
		out.Template = []byte{}
	}
	if u.GetEnvironment() != nil {
		env, err := u.GetEnvironment().ToHeat()
		if err != nil {
			return out, err
		}
		out.Environment = &env
	}
	var err error
	if out.Parameters, err = DecodeValues(u.GetParameters()); err != nil {
		return out, fmt.Errorf("update parameters: %w", err)
	}
	return out, nil
}

// NilMap returns nil for an empty map: the wire cannot tell an empty map
// from none, and both sides agree on nil.
func NilMap[M ~map[K]V, K comparable, V any](m M) M {
	if len(m) == 0 {
		return nil
	}
	return m
}

// NilSlice returns nil for an empty slice, for the same reason as NilMap.
func NilSlice[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}
