// Package driverproto is the gRPC protocol between the gomagnum driver host
// (package drivers) and driver plugins (package drivers/plugin): the
// protobuf schema, its generated code, the go-plugin handshake and the
// versioned plugin sets.
//
// The host sends the Driver service's unary calls over its Calls streams
// (calls.go): one stream carries one call at a time, and idle streams are
// kept for the next calls. A call then costs one message each way instead
// of an HTTP/2 stream's opening, headers and trailers; on two cores that
// is about a quarter off a call's latency. Plugins built before Calls
// existed get plain unary RPCs.
//
// The generated files driver.pb.go, driver_grpc.pb.go and
// driver_vtproto.pb.go (encoding without reflection, for the codec in
// codec.go) are committed.
// Regenerate them after editing driver.proto, with Go-module tools only (buf
// compiles the schema itself, no protoc is needed):
//
//	cd internal/driverproto && go run github.com/bufbuild/buf/cmd/buf@v1.75.0 generate
//
// or go generate ./internal/driverproto. Lint the schema with
// "go run github.com/bufbuild/buf/cmd/buf@v1.75.0 lint" in the same directory.
package driverproto

//go:generate go run github.com/bufbuild/buf/cmd/buf@v1.75.0 generate
