package drivers_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// logStore keeps the records a test host logs.
type logStore struct {
	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	Level slog.Level
	Msg   string
	Attrs map[string]any
}

func (s *logStore) logger() *slog.Logger { return slog.New(recordHandler{store: s}) }

// waitFor waits until a record matches.
func (s *logStore) waitFor(t *testing.T, match func(logEntry) bool) logEntry {
	t.Helper()
	var found logEntry
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		i := slices.IndexFunc(s.entries, match)
		if i >= 0 {
			found = s.entries[i]
		}
		return i >= 0
	}, 20*time.Second, 10*time.Millisecond, "no such log record")
	return found
}

// count counts the records that match.
func (s *logStore) count(match func(logEntry) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.entries {
		if match(e) {
			n++
		}
	}
	return n
}

type recordHandler struct {
	store *logStore
	attrs []slog.Attr
}

func (h recordHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelDebug }

func (h recordHandler) Handle(_ context.Context, r slog.Record) error {
	e := logEntry{Level: r.Level, Msg: r.Message, Attrs: map[string]any{}}
	for _, a := range h.attrs {
		e.Attrs[a.Key] = a.Value.Any()
	}
	r.Attrs(func(a slog.Attr) bool {
		e.Attrs[a.Key] = a.Value.Any()
		return true
	})
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	h.store.entries = append(h.store.entries, e)
	return nil
}

func (h recordHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return recordHandler{store: h.store, attrs: append(slices.Clip(h.attrs), as...)}
}

func (h recordHandler) WithGroup(string) slog.Handler { return h }
