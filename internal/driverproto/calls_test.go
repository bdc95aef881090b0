package driverproto

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
)

// unaryServer is a plugin of protocol_minor 0: it has no Calls.
type unaryServer struct {
	UnimplementedDriverServer
	unary    atomic.Int32  // calls that came as unary RPCs
	blocked  chan struct{} // a "block" call has started
	released chan error    // what a blocked call saw when it ended
}

func (s *unaryServer) Info(ctx context.Context, _ *InfoRequest) (*InfoResponse, error) {
	if m, _ := grpc.Method(ctx); m == "/gomagnum.driver.v1.Driver/Info" {
		s.unary.Add(1) // over Calls, the context names the Calls stream
	}
	return &InfoResponse{Info: &Info{Name: "fake"}}, nil
}

// ValidateTemplate answers by the template's name: "deadline" reports the
// deadline it got, "block" waits for its context, others fail INVALID.
func (s *unaryServer) ValidateTemplate(ctx context.Context, r *ValidateTemplateRequest) (*Empty, error) {
	switch r.GetTemplate().GetName() {
	case "deadline":
		if d, ok := ctx.Deadline(); ok {
			return nil, status.Errorf(codes.InvalidArgument, "deadline in %v", time.Until(d).Round(time.Minute))
		}
		return nil, status.Error(codes.InvalidArgument, "no deadline")
	case "block":
		s.blocked <- struct{}{}
		<-ctx.Done()
		s.released <- ctx.Err()
		return nil, ctx.Err()
	}
	return nil, status.Errorf(codes.InvalidArgument, "template %q: no", r.GetTemplate().GetName())
}

// streamServer is a current plugin: unaryServer with Calls.
type streamServer struct {
	*unaryServer
	streams atomic.Int32
}

func (s *streamServer) Calls(stream Driver_CallsServer) error {
	s.streams.Add(1)
	return ServeCalls(stream, s, nil)
}

// dial serves srv over an in-memory connection and returns the host's end.
func dial(t *testing.T, srv DriverServer) *Conn {
	t.Helper()
	l := bufconn.Listen(1 << 20)
	s := grpc.NewServer()
	RegisterDriverServer(s, srv)
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	cc, err := grpc.NewClient("passthrough:///bufconn", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return l.DialContext(ctx) }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = cc.Close() })
	return NewConn(cc)
}

func newServers() (*unaryServer, *streamServer) {
	u := &unaryServer{blocked: make(chan struct{}, 1), released: make(chan error, 1)}
	return u, &streamServer{unaryServer: u}
}

func TestCallsTravelOverStreams(t *testing.T) {
	u, srv := newServers()
	c := dial(t, srv)
	for range 5 {
		resp, err := c.Info(t.Context(), &InfoRequest{})
		require.NoError(t, err)
		assert.Equal(t, "fake", resp.GetInfo().GetName())
	}
	assert.Zero(t, u.unary.Load(), "no unary RPC")
	assert.Equal(t, int32(1), srv.streams.Load(), "one stream serves consecutive calls")

	_, err := c.ValidateTemplate(t.Context(), &ValidateTemplateRequest{Template: &Template{Name: "x"}})
	st := status.Convert(err)
	assert.Equal(t, codes.InvalidArgument, st.Code(), "a driver's error keeps its code")
	assert.Equal(t, `template "x": no`, st.Message())
	_, err = c.Info(t.Context(), &InfoRequest{})
	require.NoError(t, err, "an error reply leaves the stream usable")
	assert.Equal(t, int32(1), srv.streams.Load())
}

func TestCallsCarryDeadline(t *testing.T) {
	_, srv := newServers()
	c := dial(t, srv)
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	_, err := c.ValidateTemplate(ctx, &ValidateTemplateRequest{Template: &Template{Name: "deadline"}})
	assert.Equal(t, "deadline in 1h0m0s", status.Convert(err).Message())
	_, err = c.ValidateTemplate(t.Context(), &ValidateTemplateRequest{Template: &Template{Name: "deadline"}})
	assert.Equal(t, "no deadline", status.Convert(err).Message(), "none invented")
}

func TestCancelledCallReachesPlugin(t *testing.T) {
	u, srv := newServers()
	c := dial(t, srv)
	ctx, cancel := context.WithCancel(t.Context())
	// Cancelled once the plugin runs the call: a call cancelled before
	// it reaches the plugin has nothing there to end.
	go func() {
		<-u.blocked
		cancel()
	}()
	_, err := c.ValidateTemplate(ctx, &ValidateTemplateRequest{Template: &Template{Name: "block"}})
	assert.Equal(t, codes.Canceled, status.Code(err))
	select {
	case err := <-u.released:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("the plugin's call did not end with the host's")
	}
	_, err = c.Info(t.Context(), &InfoRequest{})
	require.NoError(t, err)
	assert.Equal(t, int32(2), srv.streams.Load(), "the cancelled stream is not reused")
}

func TestConcurrentCalls(t *testing.T) {
	_, srv := newServers()
	c := dial(t, srv)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			if _, err := c.Info(t.Context(), &InfoRequest{}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c.calls.mu.Lock()
	defer c.calls.mu.Unlock()
	assert.LessOrEqual(t, len(c.calls.idle), maxIdleStreams)
}

func TestPluginWithoutCallsGetsUnaryRPCs(t *testing.T) {
	u, _ := newServers()
	c := dial(t, u)
	for i := range 3 {
		_, err := c.Info(t.Context(), &InfoRequest{})
		require.NoError(t, err, "call %d", i)
	}
	assert.Equal(t, int32(3), u.unary.Load())
	_, err := c.ValidateTemplate(t.Context(), &ValidateTemplateRequest{Template: &Template{Name: "y"}})
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
}

func TestServeCallsRefusesUnknownMethod(t *testing.T) {
	_, srv := newServers()
	c := dial(t, srv)
	err := c.calls.Invoke(t.Context(), "/gomagnum.driver.v1.Driver/Nope", &InfoRequest{}, &InfoResponse{})
	st := status.Convert(err)
	assert.Equal(t, codes.Unimplemented, st.Code())
	assert.Equal(t, fmt.Sprintf("unknown method %q", "/gomagnum.driver.v1.Driver/Nope"), st.Message())
	assert.False(t, c.calls.legacy.Load(), "a refused call is no sign of an old plugin")
}

// FuzzServeCall feeds the plugin's end of Calls arbitrary calls: each gets
// a reply, never a panic.
func FuzzServeCall(f *testing.F) {
	req, _ := proto.Marshal(&ValidateTemplateRequest{Template: &Template{Name: "x", Labels: map[string]string{"a": "b"}}})
	f.Add("/gomagnum.driver.v1.Driver/ValidateTemplate", req, int64(0))
	f.Add("/gomagnum.driver.v1.Driver/Info", []byte{}, int64(1))
	f.Add("/gomagnum.driver.v1.Driver/ClusterStack", []byte{0x0a, 0xff, 0xff}, int64(-5))
	f.Add("", []byte(nil), int64(0))
	srv := UnimplementedDriverServer{}
	f.Fuzz(func(t *testing.T, method string, request []byte, timeout int64) {
		r := serveCall(context.Background(), &Call{Method: method, Request: request, TimeoutNanos: timeout}, srv, nil)
		if r.GetCode() == uint32(codes.OK) {
			t.Fatalf("%s answered OK by a server that implements nothing", method)
		}
		if r.GetMessage() == "" {
			t.Fatal("an error reply without a message")
		}
	})
}
