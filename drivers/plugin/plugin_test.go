package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestStatusOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code codes.Code
	}{
		{fmt.Errorf("%w: label x", drivers.ErrInvalid), codes.InvalidArgument},
		{fmt.Errorf("%w: no kube_tag", drivers.ErrConflict), codes.FailedPrecondition},
		{fmt.Errorf("%w: no upgrades", drivers.ErrNotSupported), codes.Unimplemented},
		{fmt.Errorf("%w: none", drivers.ErrNoDriver), codes.NotFound},
		{fmt.Errorf("busy: %w", drivers.ErrUnavailable), codes.Aborted},
		{fmt.Errorf("health: %w", context.Canceled), codes.Canceled},
		{fmt.Errorf("health: %w", context.DeadlineExceeded), codes.DeadlineExceeded},
		{errors.New("template missing"), codes.Unknown},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			st := status.Convert(statusOf(tc.err))
			assert.Equal(t, tc.code, st.Code())
			assert.Equal(t, tc.err.Error(), st.Message(), "the message crosses the wire unchanged")
		})
	}
}

func TestLoggerWritesHCLogJSON(t *testing.T) {
	var buf bytes.Buffer
	l := newLogger(&buf, levelFromName("debug"))
	l.Debug("dbg", "k", 1)
	l.Info("inf", slog.Group("g", "a", "b"))
	l.Log(context.Background(), levelTrace, "dropped below debug")
	l.Error("err")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3)
	var levels, messages []string
	for _, line := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		levels = append(levels, m["@level"].(string))
		messages = append(messages, m["@message"].(string))
		ts, err := time.Parse(time.RFC3339Nano, m["@timestamp"].(string))
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now(), ts, time.Minute)
	}
	assert.Equal(t, []string{"debug", "info", "error"}, levels)
	assert.Equal(t, []string{"dbg", "inf", "err"}, messages)
	assert.Contains(t, lines[1], `"g":{"a":"b"}`)
}

func TestLevels(t *testing.T) {
	for name, want := range map[string]slog.Level{
		"trace": levelTrace, "DEBUG": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn,
		"error": slog.LevelError, "": slog.LevelInfo, "loud": slog.LevelInfo,
	} {
		assert.Equal(t, want, levelFromName(name), name)
	}
	assert.Equal(t, "trace", hclogLevel(levelTrace-1).String())
	assert.Equal(t, "error", hclogLevel(slog.LevelError+4).String())
}

func TestRecoverPanics(t *testing.T) {
	var logged bytes.Buffer
	intercept := recoverPanics(slog.New(slog.NewTextHandler(&logged, nil)))
	info := &grpc.UnaryServerInfo{FullMethod: "/gomagnum.driver.v1.Driver/ClusterStack"}
	_, err := intercept(context.Background(), nil, info, func(context.Context, any) (any, error) {
		panic("boom")
	})
	st := status.Convert(err)
	assert.Equal(t, codes.Internal, st.Code())
	assert.Equal(t, "the driver panicked in ClusterStack: boom", st.Message())
	assert.Contains(t, logged.String(), "driver panicked")

	resp, err := intercept(context.Background(), nil, info, func(context.Context, any) (any, error) { return 7, nil })
	require.NoError(t, err)
	assert.Equal(t, 7, resp)
}

func TestServeBuiltinIfRequestedReturnsWhenNotAsked(t *testing.T) {
	t.Setenv(pb.EnvBuiltin, "restored after the test")
	require.NoError(t, os.Unsetenv(pb.EnvBuiltin))
	ServeBuiltinIfRequested(map[string]drivers.Driver{"fake": nameOnly{}})
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// nameOnly is a driver that only tells its name; ServeDebug needs no more.
type nameOnly struct{ drivers.Driver }

func (nameOnly) Info(context.Context) (drivers.Info, error) {
	return drivers.Info{Name: "debug_v1"}, nil
}

func TestServeDebug(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- ServeDebug(ctx, nameOnly{}, &out) }()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "GOMAGNUM_DRIVER_REATTACH='") },
		10*time.Second, 5*time.Millisecond)
	assert.Contains(t, out.String(), `Driver "debug_v1" serves in debug mode.`)
	_, js, _ := strings.Cut(out.String(), "GOMAGNUM_DRIVER_REATTACH='")
	js, _, _ = strings.Cut(js, "'")
	var all map[string]drivers.Reattach
	require.NoError(t, json.Unmarshal([]byte(js), &all))
	assert.Equal(t, "grpc", all["debug_v1"].Protocol)
	assert.Equal(t, 1, all["debug_v1"].ProtocolVersion)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("ServeDebug did not stop with its context")
	}
}

func TestServeDebugNeedsInfo(t *testing.T) {
	err := ServeDebug(context.Background(), failingInfo{}, &bytes.Buffer{})
	require.ErrorContains(t, err, "debug mode: driver info: no info")
}

type failingInfo struct{ drivers.Driver }

func (failingInfo) Info(context.Context) (drivers.Info, error) {
	return drivers.Info{}, errors.New("no info")
}
