package drivers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// levelTrace is the slog level of hclog's trace messages.
const levelTrace = slog.LevelDebug - 4

// stderrBridge re-emits what a plugin writes to its stderr, JSON lines in
// hclog's format, as slog records of the host's logger. It parses the lines
// itself (go-plugin's parser panics on some malformed lines) and keeps the
// last few for the error of a plugin that fails to start.
type stderrBridge struct {
	logger *slog.Logger

	mu      sync.Mutex
	partial []byte
	tail    []string
}

const (
	maxLogLine = 1 << 20
	tailLines  = 5
)

func (b *stderrBridge) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.partial = append(b.partial, p...)
	for {
		i := bytes.IndexByte(b.partial, '\n')
		if i < 0 {
			break
		}
		b.emit(b.partial[:i])
		b.partial = b.partial[i+1:]
	}
	if len(b.partial) > maxLogLine {
		b.emit(b.partial)
		b.partial = nil
	}
	if len(b.partial) == 0 {
		b.partial = nil // let the buffer go
	}
	return len(p), nil
}

func (b *stderrBridge) emit(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	r := parseLogLine(line, time.Now())
	b.tail = append(b.tail, r.Message)
	if len(b.tail) > tailLines {
		b.tail = b.tail[1:]
	}
	ctx := context.Background()
	if h := b.logger.Handler(); h.Enabled(ctx, r.Level) {
		_ = h.Handle(ctx, r)
	}
}

// lastLines returns what the plugin logged last, oldest first.
func (b *stderrBridge) lastLines() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.tail, "; ")
}

// parseLogLine turns one line of a plugin's stderr into a record. A JSON
// object in hclog's format keeps its level, message, time and fields; any
// other line becomes a warning carrying the line as its message.
func parseLogLine(line []byte, now time.Time) slog.Record {
	var fields map[string]any
	if err := json.Unmarshal(line, &fields); err != nil || fields == nil {
		return slog.NewRecord(now, slog.LevelWarn, string(line), 0)
	}
	msg, _ := fields["@message"].(string)
	level, _ := fields["@level"].(string)
	if ts, ok := fields["@timestamp"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			now = t
		}
	}
	r := slog.NewRecord(now, levelFromName(level), msg, 0)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		if k != "@message" && k != "@level" && k != "@timestamp" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		r.AddAttrs(slog.Any(strings.TrimPrefix(k, "@"), fields[k]))
	}
	return r
}

// levelFromName maps hclog's level names to slog levels; unknown names are
// Info.
func levelFromName(name string) slog.Level {
	switch strings.ToLower(name) {
	case "trace":
		return levelTrace
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// levelName is the hclog name of a slog level, as plugins expect it in their
// log-level setting.
func levelName(l slog.Level) string {
	switch {
	case l <= levelTrace:
		return "trace"
	case l <= slog.LevelDebug:
		return "debug"
	case l <= slog.LevelInfo:
		return "info"
	case l <= slog.LevelWarn:
		return "warn"
	default:
		return "error"
	}
}

// lowestLevel is the lowest level the logger keeps.
func lowestLevel(l *slog.Logger) slog.Level {
	for _, lv := range []slog.Level{levelTrace, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
		if l.Enabled(context.Background(), lv) {
			return lv
		}
	}
	return slog.LevelError
}

// hclogAdapter passes go-plugin's own log (starting, exiting...) to slog.
// Named(mute) returns a silent logger: go-plugin names its stderr logger
// after the plugin binary, and stderrBridge handles that stream instead.
type hclogAdapter struct {
	logger *slog.Logger
	name   string
	args   []any
	mute   string
}

var _ hclog.Logger = (*hclogAdapter)(nil)

func (a *hclogAdapter) Log(level hclog.Level, msg string, args ...any) {
	a.logger.Log(context.Background(), slogLevel(level), msg, args...)
}
func (a *hclogAdapter) Trace(msg string, args ...any) { a.Log(hclog.Trace, msg, args...) }
func (a *hclogAdapter) Debug(msg string, args ...any) { a.Log(hclog.Debug, msg, args...) }
func (a *hclogAdapter) Info(msg string, args ...any)  { a.Log(hclog.Info, msg, args...) }
func (a *hclogAdapter) Warn(msg string, args ...any)  { a.Log(hclog.Warn, msg, args...) }
func (a *hclogAdapter) Error(msg string, args ...any) { a.Log(hclog.Error, msg, args...) }
func (a *hclogAdapter) IsTrace() bool                 { return a.enabled(hclog.Trace) }
func (a *hclogAdapter) IsDebug() bool                 { return a.enabled(hclog.Debug) }
func (a *hclogAdapter) IsInfo() bool                  { return a.enabled(hclog.Info) }
func (a *hclogAdapter) IsWarn() bool                  { return a.enabled(hclog.Warn) }
func (a *hclogAdapter) IsError() bool                 { return a.enabled(hclog.Error) }
func (a *hclogAdapter) ImpliedArgs() []any            { return a.args }
func (a *hclogAdapter) Name() string                  { return a.name }
func (a *hclogAdapter) SetLevel(hclog.Level)          {} // the slog handler decides

func (a *hclogAdapter) enabled(l hclog.Level) bool {
	return a.logger.Enabled(context.Background(), slogLevel(l))
}

func (a *hclogAdapter) With(args ...any) hclog.Logger {
	c := *a
	c.logger = a.logger.With(args...)
	c.args = append(slices.Clip(a.args), args...)
	return &c
}

func (a *hclogAdapter) Named(name string) hclog.Logger {
	if a.name != "" {
		return a.ResetNamed(a.name + "." + name)
	}
	return a.ResetNamed(name)
}

func (a *hclogAdapter) ResetNamed(name string) hclog.Logger {
	if a.mute != "" && strings.HasSuffix(name, a.mute) {
		return silentLogger{hclog.NewNullLogger()}
	}
	c := *a
	c.name = name
	c.logger = a.logger.With("logger", name)
	return &c
}

func (a *hclogAdapter) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if a.enabled(l) {
			return l
		}
	}
	return hclog.Off
}

func (a *hclogAdapter) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(a.StandardWriter(opts), "", 0)
}

func (a *hclogAdapter) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	level := slog.LevelInfo
	if opts != nil && opts.ForceLevel != hclog.NoLevel {
		level = slogLevel(opts.ForceLevel)
	}
	return slog.NewLogLogger(a.logger.Handler(), level).Writer()
}

func slogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return levelTrace
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// silentLogger discards everything and says so: go-plugin then skips the
// stream it would log through it.
type silentLogger struct{ hclog.Logger }

func (silentLogger) GetLevel() hclog.Level { return hclog.Off }
