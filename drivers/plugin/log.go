package plugin

import (
	"io"
	"log/slog"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// levelTrace is the slog level of hclog's trace messages.
const levelTrace = slog.LevelDebug - 4

// newLogger returns a logger writing JSON lines in hclog's format, which the
// host re-emits through its own slog logger.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: hclogKeys}))
}

// hclogKeys renames slog's built-in keys to hclog's.
func hclogKeys(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		a.Key = "@timestamp"
	case slog.MessageKey:
		a.Key = "@message"
	case slog.LevelKey:
		a.Key = "@level"
		if l, ok := a.Value.Any().(slog.Level); ok {
			a.Value = slog.StringValue(hclogLevel(l).String())
		}
	}
	return a
}

func hclogLevel(l slog.Level) hclog.Level {
	switch {
	case l <= levelTrace:
		return hclog.Trace
	case l <= slog.LevelDebug:
		return hclog.Debug
	case l <= slog.LevelInfo:
		return hclog.Info
	case l <= slog.LevelWarn:
		return hclog.Warn
	default:
		return hclog.Error
	}
}

// levelFromName parses the host's log-level setting; Info when unknown.
func levelFromName(name string) slog.Level {
	switch strings.ToLower(name) {
	case "trace":
		return levelTrace
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// newHCLogger is go-plugin's own logger, in the same format.
func newHCLogger(w io.Writer, level slog.Level) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Output: w, Level: hclogLevel(level), JSONFormat: true})
}
