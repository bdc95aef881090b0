package drivers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/plugin"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// filler sets every field of a value to a distinct non-zero value, so a
// field the wire format forgets shows up as a difference.
type filler struct{ n int }

// anyValue is what map[string]any fields get: every JSON kind, and numbers
// that must come back as int and float64.
func anyValue() map[string]any {
	return map[string]any{
		"int": 3, "float": 1.5, "str": "v", "bool": true, "null": nil,
		"list": []any{1, "two", 3.25}, "object": map[string]any{"nested": []any{map[string]any{"n": 7}}},
	}
}

func (f *filler) fill(v reflect.Value) {
	f.n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.n))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(f.n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			f.fill(v.Field(i))
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes(fmt.Appendf(nil, "b%d", f.n))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		f.fill(s.Index(0))
		f.fill(s.Index(1))
		v.Set(s)
	case reflect.Map:
		if v.Type().Elem().Kind() == reflect.Interface {
			v.Set(reflect.ValueOf(anyValue()))
			return
		}
		m := reflect.MakeMap(v.Type())
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k)
			f.fill(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		panic("filler: unhandled kind " + v.Kind().String())
	}
}

func filled[T any](f *filler) T {
	var v T
	f.fill(reflect.ValueOf(&v).Elem())
	return v
}

// mirror is a driver that records what it is given and returns fully
// filled results.
type mirror struct {
	mu  sync.Mutex
	got []any

	info    drivers.Info
	stack   drivers.Stack
	update  heat.StackUpdate
	outputs drivers.Outputs
	health  drivers.Health
	config  drivers.ClientConfig
}

func newMirror() *mirror {
	f := &filler{}
	return &mirror{
		info:    filled[drivers.Info](f),
		stack:   filled[drivers.Stack](f),
		update:  filled[heat.StackUpdate](f),
		outputs: filled[drivers.Outputs](f),
		health:  filled[drivers.Health](f),
		config:  filled[drivers.ClientConfig](f),
	}
}

func (m *mirror) record(args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = args
}

func (m *mirror) last() []any {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.got
}

func (m *mirror) Info(context.Context) (drivers.Info, error) { return m.info, nil }
func (m *mirror) ValidateTemplate(_ context.Context, t drivers.Template) error {
	m.record(t)
	return nil
}
func (m *mirror) ValidateCluster(_ context.Context, c drivers.Cluster) error {
	m.record(c)
	return nil
}
func (m *mirror) ClusterStack(_ context.Context, c drivers.Cluster) (drivers.Stack, error) {
	m.record(c)
	return m.stack, nil
}
func (m *mirror) NodeGroupStack(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup) (drivers.Stack, error) {
	m.record(c, ng)
	return m.stack, nil
}
func (m *mirror) ResizeStack(_ context.Context, c drivers.Cluster, r drivers.Resize) (heat.StackUpdate, error) {
	m.record(c, r)
	return m.update, nil
}
func (m *mirror) UpgradeStack(_ context.Context, c drivers.Cluster, u drivers.Upgrade) (heat.StackUpdate, error) {
	m.record(c, u)
	return m.update, nil
}
func (m *mirror) RotateCAStack(_ context.Context, c drivers.Cluster) (heat.StackUpdate, error) {
	m.record(c)
	return m.update, nil
}
func (m *mirror) MapOutputs(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	m.record(c, ng, s)
	return m.outputs, nil
}
func (m *mirror) Health(_ context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.Health, error) {
	m.record(c, creds)
	return m.health, nil
}
func (m *mirror) ClientConfig(_ context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.ClientConfig, error) {
	m.record(c, creds)
	return m.config, nil
}

// serveDebug serves d in debug mode in this process and attaches a host
// to it through the line debug mode prints.
func serveDebug(t *testing.T, d drivers.Driver) *drivers.Plugin {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- plugin.ServeDebug(ctx, d, out) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	var line string
	require.Eventually(t, func() bool {
		line = out.String()
		return strings.Contains(line, "'\n")
	}, 10*time.Second, 5*time.Millisecond)
	_, env, ok := strings.Cut(line, drivers.EnvReattach+"='")
	require.True(t, ok, "debug mode prints the reattach line: %s", line)
	env, _, _ = strings.Cut(env, "'")
	t.Setenv(drivers.EnvReattach, env)

	plugins, err := newHost(t, nil).AttachFromEnv(t.Context())
	require.NoError(t, err)
	require.Len(t, plugins, 1)
	return plugins[0]
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

func TestWireRoundTrip(t *testing.T) {
	m := newMirror()
	p := serveDebug(t, m)
	ctx := t.Context()
	f := &filler{n: 1000}
	cluster := filled[drivers.Cluster](f)
	ng := filled[drivers.NodeGroup](f)
	creds := filled[drivers.Credentials](f)

	info, err := p.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, m.info, info)

	tmpl := filled[drivers.Template](f)
	require.NoError(t, p.ValidateTemplate(ctx, tmpl))
	assert.Equal(t, []any{tmpl}, m.last())

	require.NoError(t, p.ValidateCluster(ctx, cluster))
	assert.Equal(t, []any{cluster}, m.last())

	st, err := p.ClusterStack(ctx, cluster)
	require.NoError(t, err)
	assert.Equal(t, m.stack, st)
	assert.Equal(t, []any{cluster}, m.last())

	st, err = p.NodeGroupStack(ctx, cluster, ng)
	require.NoError(t, err)
	assert.Equal(t, m.stack, st)
	assert.Equal(t, []any{cluster, ng}, m.last())

	resize := filled[drivers.Resize](f)
	u, err := p.ResizeStack(ctx, cluster, resize)
	require.NoError(t, err)
	assert.Equal(t, m.update, u)
	assert.Equal(t, []any{cluster, resize}, m.last())

	upgrade := filled[drivers.Upgrade](f)
	u, err = p.UpgradeStack(ctx, cluster, upgrade)
	require.NoError(t, err)
	assert.Equal(t, m.update, u)
	assert.Equal(t, []any{cluster, upgrade}, m.last())

	u, err = p.RotateCAStack(ctx, cluster)
	require.NoError(t, err)
	assert.Equal(t, m.update, u)

	state := filled[drivers.StackState](f)
	out, err := p.MapOutputs(ctx, cluster, ng, state)
	require.NoError(t, err)
	assert.Equal(t, m.outputs, out)
	assert.Equal(t, []any{cluster, ng, state}, m.last())

	h, err := p.Health(ctx, cluster, creds)
	require.NoError(t, err)
	assert.Equal(t, m.health, h)
	assert.Equal(t, []any{cluster, creds}, m.last())

	cfg, err := p.ClientConfig(ctx, cluster, creds)
	require.NoError(t, err)
	assert.Equal(t, m.config, cfg)
	assert.Equal(t, []any{cluster, creds}, m.last())
}

func TestWireKeepsEmptyAndAbsent(t *testing.T) {
	m := newMirror()
	m.update = heat.StackUpdate{Template: []byte{}}
	m.stack = drivers.Stack{}
	p := serveDebug(t, m)

	u, err := p.RotateCAStack(t.Context(), drivers.Cluster{})
	require.NoError(t, err)
	assert.NotNil(t, u.Template, "an empty template is not an absent one")
	assert.Nil(t, u.Environment)

	st, err := p.ClusterStack(t.Context(), drivers.Cluster{})
	require.NoError(t, err)
	assert.Equal(t, drivers.Stack{}, st)
	assert.Equal(t, []any{drivers.Cluster{}}, m.last())
}

func TestWireRefusesUnencodableValues(t *testing.T) {
	m := newMirror()
	m.stack = drivers.Stack{Parameters: map[string]any{"ch": make(chan int)}}
	p := serveDebug(t, m)
	_, err := p.ClusterStack(t.Context(), drivers.Cluster{})
	require.ErrorContains(t, err, "the driver returned a result that cannot be encoded")

	_, err = p.MapOutputs(t.Context(), drivers.Cluster{}, drivers.NodeGroup{},
		drivers.StackState{Outputs: map[string]any{"f": func() {}}})
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

func TestAttach(t *testing.T) {
	h := newHost(t, nil)
	for _, tc := range []struct {
		name string
		r    drivers.Reattach
		want error
	}{
		{"other protocol version", drivers.Reattach{Protocol: "grpc", ProtocolVersion: 2, Network: "unix", Addr: "/x"}, nil},
		{"net/rpc", drivers.Reattach{Protocol: "netrpc", ProtocolVersion: 1, Network: "unix", Addr: "/x"}, drivers.ErrInvalid},
		{"network", drivers.Reattach{Protocol: "grpc", ProtocolVersion: 1, Network: "udp", Addr: "x"}, drivers.ErrInvalid},
		{"nobody listens", drivers.Reattach{Protocol: "grpc", ProtocolVersion: 1, Network: "unix", Addr: "/nonexistent/sock"}, drivers.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.Attach(t.Context(), "x", tc.r)
			require.Error(t, err)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			} else {
				var verr *drivers.ProtocolVersionError
				require.ErrorAs(t, err, &verr)
				assert.Equal(t, 2, verr.Plugin)
			}
		})
	}
	t.Run("bad environment", func(t *testing.T) {
		t.Setenv(drivers.EnvReattach, "{")
		_, err := h.AttachFromEnv(t.Context())
		require.ErrorIs(t, err, drivers.ErrInvalid)
	})
	t.Run("unset environment", func(t *testing.T) {
		t.Setenv(drivers.EnvReattach, "")
		plugins, err := h.AttachFromEnv(t.Context())
		require.NoError(t, err)
		assert.Empty(t, plugins)
	})
}

// TestReattachJSON pins the format debug mode prints and hosts read.
func TestReattachJSON(t *testing.T) {
	b, err := json.Marshal(drivers.Reattach{Protocol: "grpc", ProtocolVersion: 1, Network: "unix", Addr: "/tmp/s", PID: 42})
	require.NoError(t, err)
	assert.JSONEq(t, `{"protocol":"grpc","protocol_version":1,"network":"unix","addr":"/tmp/s","pid":42}`, string(b))
}
