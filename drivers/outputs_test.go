package drivers_test

import (
	"testing"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/stretchr/testify/assert"
)

func TestStackStateStringList(t *testing.T) {
	s := drivers.StackState{Outputs: map[string]any{
		"json":    []any{"10.0.0.3", 4, nil, "", "10.0.0.5"},
		"strings": []string{"a", "", "b"},
		"scalar":  "10.0.0.3",
		"empty":   []any{},
	}}
	for _, tc := range []struct {
		output string
		want   []string
	}{
		{"json", []string{"10.0.0.3", "10.0.0.5"}},
		{"strings", []string{"a", "b"}},
		{"scalar", nil},
		{"empty", nil},
		{"missing", nil},
	} {
		assert.Equal(t, tc.want, s.StringList(tc.output), tc.output)
	}
	assert.Nil(t, drivers.StackState{}.StringList("x"))
}
