package driverproto

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
)

func TestCodecMatchesProtobuf(t *testing.T) {
	for name, m := range map[string]proto.Message{
		"driver message": &Stack{Template: []byte("heat_template_version: 2021-04-16\n"),
			Files:      []*File{{Name: "node.yaml", Content: []byte("resources: {}\n")}},
			Parameters: []*NamedValue{{Name: "count", Value: &Value{Kind: &Value_IntValue{IntValue: 3}}}}},
		"other message": &grpc_health_v1.HealthCheckRequest{Service: "plugin"},
	} {
		t.Run(name, func(t *testing.T) {
			data, err := driverCodec.Marshal(m)
			require.NoError(t, err)
			want, err := proto.Marshal(m)
			require.NoError(t, err)
			assert.Equal(t, want, data.Materialize(), "the standard codec's bytes")

			got := m.ProtoReflect().New().Interface()
			require.NoError(t, driverCodec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(want)}, got))
			assert.True(t, proto.Equal(m, got))
		})
	}
}

func TestCodecRefusesBadBytes(t *testing.T) {
	for _, m := range []any{&Stack{}, &grpc_health_v1.HealthCheckRequest{}} {
		err := driverCodec.Unmarshal(mem.BufferSlice{mem.SliceBuffer([]byte{0x0a, 0xff})}, m)
		assert.Error(t, err, "%T", m)
	}
}
