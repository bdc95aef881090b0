package api

import (
	"log/slog"
	"net/http"
	"time"
)

// WithReadLogLevel sets the level of the access-log lines of successful
// reads (GET and HEAD answered below 400): slog.LevelDebug by default, so
// that at the usual info level the reads, by far the most frequent and
// cheapest requests, cost no log line. Every other request (writes,
// errors) is logged at info.
func WithReadLogLevel(l slog.Level) Option { return func(h *Handler) { h.readLevel = l } }

// accessLog writes the access-log line of a request, building it only when
// its level is enabled.
func (h *Handler) accessLog(r *http.Request, route string, rec *statusRecorder, elapsed time.Duration) {
	level := slog.LevelInfo
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && rec.status < 400 {
		level = h.readLevel
	}
	ctx := r.Context()
	if !h.log.Enabled(ctx, level) {
		return
	}
	h.log.LogAttrs(ctx, level, "request",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
		slog.Int("status", rec.status), slog.Int("bytes", rec.bytes), slog.Duration("duration", elapsed))
}
