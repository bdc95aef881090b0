package driverproto

import (
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
)

// vtMessage is a message with the code vtprotobuf generates for it
// (driver_vtproto.pb.go): it encodes and decodes without reflection.
type vtMessage interface {
	MarshalVT() ([]byte, error)
	UnmarshalVT([]byte) error
}

// marshal encodes m, a message of this package or any other.
func marshal(m any) ([]byte, error) {
	if v, ok := m.(vtMessage); ok {
		return v.MarshalVT()
	}
	return proto.Marshal(m.(proto.Message))
}

// unmarshal decodes b into m, a message of this package or any other.
func unmarshal(b []byte, m any) error {
	if v, ok := m.(vtMessage); ok {
		return v.UnmarshalVT(b)
	}
	return proto.Unmarshal(b, m.(proto.Message))
}

// codec is the gRPC codec of both ends of a plugin connection. The
// driver's messages go through their generated code; any other message
// (go-plugin's health, controller and stdio services) through gRPC's
// standard codec. It keeps the standard codec's name and bytes, so either
// end may use the other codec.
//
// Side by side on 2 cores, the custom driver's stack call through the
// plugin measured p50 134–158 µs with it and 154–190 µs without.
type codec struct{ fallback encoding.CodecV2 }

var driverCodec = codec{fallback: encoding.GetCodecV2(grpcproto.Name)}

func (c codec) Name() string { return grpcproto.Name }

func (c codec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(vtMessage)
	if !ok {
		return c.fallback.Marshal(v)
	}
	b, err := m.MarshalVT()
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (c codec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(vtMessage)
	if !ok {
		return c.fallback.Unmarshal(data, v)
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	// UnmarshalVT copies what it keeps, so the buffer may be reused.
	return m.UnmarshalVT(buf.ReadOnlyData())
}
