package driverproto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// maxIdleStreams is how many idle Calls streams a connection keeps for
// the next calls; calls beyond it in parallel open streams of their own.
const maxIdleStreams = 8

// callConn sends the Driver service's unary calls over Calls streams, one
// call at a time per stream, and keeps idle streams for the next calls.
// When the plugin predates Calls it sends them as unary RPCs from then on.
type callConn struct {
	cc     grpc.ClientConnInterface
	calls  DriverClient // the same connection, for its Calls method
	legacy atomic.Bool  // the plugin answered Calls with UNIMPLEMENTED

	mu   sync.Mutex
	idle []*callStream
}

var _ grpc.ClientConnInterface = (*callConn)(nil)

func newCallConn(cc grpc.ClientConnInterface) *callConn {
	return &callConn{cc: cc, calls: NewDriverClient(cc)}
}

// Invoke implements grpc.ClientConnInterface. Call options only reach the
// unary RPCs of a plugin without Calls; the Driver client passes none.
func (c *callConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	if c.legacy.Load() {
		return c.cc.Invoke(ctx, method, args, reply, opts...)
	}
	req, err := marshal(args)
	if err != nil {
		return status.Errorf(codes.Internal, "encoding the %s request: %v", method, err)
	}
	call := &Call{Method: method, Request: req}
	if d, ok := ctx.Deadline(); ok {
		call.TimeoutNanos = max(1, int64(time.Until(d)))
	}
	r, err := c.roundTrip(ctx, call)
	switch {
	case status.Code(err) == codes.Unimplemented:
		// A stream error, not a driver's: the plugin has no Calls, and
		// this call never reached a driver.
		c.legacy.Store(true)
		return c.cc.Invoke(ctx, method, args, reply, opts...)
	case err != nil:
		return err
	case r.GetCode() != uint32(codes.OK):
		return status.Error(codes.Code(r.GetCode()), r.GetMessage())
	}
	if err := unmarshal(r.GetResponse(), reply); err != nil {
		return status.Errorf(codes.Internal, "decoding the %s response: %v", method, err)
	}
	return nil
}

// roundTrip sends call on an idle or new stream and waits for its reply;
// the stream goes back to the idle ones only after a whole round trip.
// When ctx ends first the stream is cancelled, which also tells the
// plugin.
func (c *callConn) roundTrip(ctx context.Context, call *Call) (*Reply, error) {
	s, err := c.stream()
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, s.cancel)
	r, err := s.roundTrip(call)
	if !stop() {
		return nil, status.FromContextError(ctx.Err()).Err()
	}
	if err != nil {
		s.cancel()
		return nil, err
	}
	c.release(s)
	return r, nil
}

// NewStream implements grpc.ClientConnInterface.
func (c *callConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return c.cc.NewStream(ctx, desc, method, opts...)
}

type callStream struct {
	Driver_CallsClient
	cancel context.CancelFunc
}

func (s *callStream) roundTrip(call *Call) (*Reply, error) {
	// On a stream that has ended Send reports io.EOF and Recv the reason.
	if err := s.Send(call); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return s.Recv()
}

// stream takes an idle stream or opens one.
func (c *callConn) stream() (*callStream, error) {
	c.mu.Lock()
	if n := len(c.idle); n > 0 {
		s := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		return s, nil
	}
	c.mu.Unlock()
	// The stream outlives this call; the call's context reaches it only
	// through roundTrip's cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	st, err := c.calls.Calls(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	return &callStream{Driver_CallsClient: st, cancel: cancel}, nil
}

func (c *callConn) release(s *callStream) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.idle) == maxIdleStreams {
		s.cancel()
		return
	}
	c.idle = append(c.idle, s)
}

// unaryHandlers are the Driver service's method handlers by full name.
var unaryHandlers = func() map[string]grpc.MethodDesc {
	m := make(map[string]grpc.MethodDesc, len(Driver_ServiceDesc.Methods))
	for _, d := range Driver_ServiceDesc.Methods {
		m["/"+Driver_ServiceDesc.ServiceName+"/"+d.MethodName] = d
	}
	return m
}()

// ServeCalls answers the calls of one Calls stream, in order, with srv's
// unary handlers, each through interceptor (which may be nil) as a unary
// RPC would be, until the host ends the stream.
func ServeCalls(stream Driver_CallsServer, srv DriverServer, interceptor grpc.UnaryServerInterceptor) error {
	for {
		call, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(serveCall(stream.Context(), call, srv, interceptor)); err != nil {
			return err
		}
	}
}

func serveCall(ctx context.Context, call *Call, srv DriverServer, interceptor grpc.UnaryServerInterceptor) *Reply {
	desc, ok := unaryHandlers[call.GetMethod()]
	if !ok {
		return &Reply{Code: uint32(codes.Unimplemented), Message: fmt.Sprintf("unknown method %q", call.GetMethod())}
	}
	if t := call.GetTimeoutNanos(); t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(t))
		defer cancel()
	}
	decode := func(m any) error {
		if err := unmarshal(call.GetRequest(), m); err != nil {
			return status.Errorf(codes.Internal, "decoding the %s request: %v", call.GetMethod(), err)
		}
		return nil
	}
	resp, err := desc.Handler(srv, ctx, decode, interceptor)
	if err != nil {
		st := status.Convert(err)
		return &Reply{Code: uint32(st.Code()), Message: st.Message()}
	}
	b, err := marshal(resp)
	if err != nil {
		return &Reply{Code: uint32(codes.Internal), Message: fmt.Sprintf("encoding the %s response: %v", call.GetMethod(), err)}
	}
	return &Reply{Response: b}
}
