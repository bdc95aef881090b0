package drivers

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func attrsOf(r slog.Record) map[string]any {
	m := map[string]any{}
	r.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.Any()
		return true
	})
	return m
}

func TestParseLogLine(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		line  string
		level slog.Level
		msg   string
		time  time.Time
		attrs map[string]any
	}{
		{"hclog", `{"@level":"debug","@message":"serving","@module":"plugin","@timestamp":"2025-06-07T08:09:10.123456Z","address":"/tmp/x"}`,
			slog.LevelDebug, "serving", time.Date(2025, 6, 7, 8, 9, 10, 123456000, time.UTC),
			map[string]any{"module": "plugin", "address": "/tmp/x"}},
		{"slog json", `{"@timestamp":"2025-06-07T08:09:10.5Z","@level":"warn","@message":"careful","n":2,"nested":{"a":true}}`,
			slog.LevelWarn, "careful", time.Date(2025, 6, 7, 8, 9, 10, 500000000, time.UTC),
			map[string]any{"n": 2.0, "nested": map[string]any{"a": true}}},
		{"trace", `{"@level":"TRACE","@message":"t"}`, levelTrace, "t", now, map[string]any{}},
		{"error", `{"@level":"error","@message":"e"}`, slog.LevelError, "e", now, map[string]any{}},
		{"unknown level", `{"@level":"loud","@message":"x"}`, slog.LevelInfo, "x", now, map[string]any{}},
		{"bad timestamp", `{"@message":"x","@timestamp":"yesterday"}`, slog.LevelInfo, "x", now, map[string]any{}},
		{"message not a string", `{"@message":42,"@level":7}`, slog.LevelInfo, "", now, map[string]any{}},
		{"plain text", `panic: runtime error`, slog.LevelWarn, "panic: runtime error", now, map[string]any{}},
		{"json but not an object", `[1,2]`, slog.LevelWarn, "[1,2]", now, map[string]any{}},
		{"null", `null`, slog.LevelWarn, "null", now, map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := parseLogLine([]byte(tc.line), now)
			assert.Equal(t, tc.level, r.Level)
			assert.Equal(t, tc.msg, r.Message)
			assert.True(t, tc.time.Equal(r.Time), "time %v", r.Time)
			assert.Equal(t, tc.attrs, attrsOf(r))
		})
	}
}

func FuzzParseLogLine(f *testing.F) {
	for _, s := range []string{
		`{"@level":"info","@message":"m","k":"v"}`, `{"@message":{"x":1}}`, `{}`, `plain`, ``, `{"@timestamp":5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		r := parseLogLine(line, time.Unix(0, 0))
		var m map[string]any
		if json.Unmarshal(line, &m) != nil || m == nil {
			require.Equal(t, string(line), r.Message, "a line that is no JSON object is kept whole")
		}
	})
}

type collect struct{ records []slog.Record }

func (c *collect) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }
func (c *collect) Handle(_ context.Context, r slog.Record) error {
	c.records = append(c.records, r)
	return nil
}
func (c *collect) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *collect) WithGroup(string) slog.Handler      { return c }

func TestStderrBridge(t *testing.T) {
	c := &collect{}
	b := &stderrBridge{logger: slog.New(c)}
	// go-plugin writes a line and its newline separately, and long lines
	// in pieces.
	for _, w := range []string{`{"@level":"info","@message":"one"}`, "\n", `{"@level":"info",`, `"@message":"two"}` + "\n\n  \n",
		`{"@level":"debug","@message":"dropped"}` + "\n", "tail without newline"} {
		n, err := b.Write([]byte(w))
		require.NoError(t, err)
		require.Equal(t, len(w), n)
	}
	var msgs []string
	for _, r := range c.records {
		msgs = append(msgs, r.Message)
	}
	assert.Equal(t, []string{"one", "two"}, msgs, "lines below the host's level are dropped")
	assert.Equal(t, "one; two; dropped", b.lastLines())

	_, _ = b.Write(bytes.Repeat([]byte("x"), maxLogLine+1))
	assert.Len(t, c.records, 3, "an endless line is flushed")
	for range 10 {
		_, _ = b.Write([]byte("line\n"))
	}
	assert.Equal(t, strings.Repeat("line; ", tailLines-1)+"line", b.lastLines())
}

func TestHCLogAdapter(t *testing.T) {
	c := &collect{}
	a := &hclogAdapter{logger: slog.New(c), mute: "my-driver"}
	assert.Equal(t, hclog.Info, a.GetLevel())
	assert.False(t, a.IsDebug())
	assert.True(t, a.IsError())
	a.Debug("hidden")
	a.Named("plugin").With("k", "v").Warn("shown")
	require.Len(t, c.records, 1)
	assert.Equal(t, slog.LevelWarn, c.records[0].Level)

	muted := a.Named("my-driver")
	assert.Equal(t, hclog.Off, muted.GetLevel(), "go-plugin then leaves stderr to the bridge")
	muted.Error("never")
	assert.Len(t, c.records, 1)

	a.StandardLogger(nil).Print("via log")
	assert.Len(t, c.records, 2)
}

func TestLevelNames(t *testing.T) {
	for _, l := range []slog.Level{levelTrace, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		assert.Equal(t, l, levelFromName(levelName(l)))
	}
	assert.Equal(t, slog.LevelInfo, lowestLevel(slog.New(&collect{})))
}

func TestBackoff(t *testing.T) {
	p := &Plugin{cfg: &hostConfig{backoffMin: 100 * time.Millisecond, backoffMax: time.Second}}
	var got []time.Duration
	for p.failures = 1; p.failures <= 7; p.failures++ {
		got = append(got, p.backoff())
	}
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second, time.Second, time.Second}, got)
	p.failures = 1 << 20
	assert.Equal(t, time.Second, p.backoff(), "no overflow after many failures")
}
