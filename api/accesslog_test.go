package api_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gomagnum/gomagnum/api"
)

// TestAccessLogLevels checks which requests get an access-log line at
// which level: successful reads at debug (or the level asked for), every
// other request at info.
func TestAccessLogLevels(t *testing.T) {
	svc := newService(t)
	tests := []struct {
		name      string
		opts      []api.Option
		logLevel  slog.Level
		c         call
		wantLevel string // "" when no line is expected
	}{
		{"read at info", nil, slog.LevelInfo, call{method: "GET", path: "/v1/clustertemplates"}, ""},
		{"read at debug", nil, slog.LevelDebug, call{method: "GET", path: "/v1/clustertemplates"}, "DEBUG"},
		{"read at info when asked", []api.Option{api.WithReadLogLevel(slog.LevelInfo)}, slog.LevelInfo,
			call{method: "GET", path: "/v1/clustertemplates"}, "INFO"},
		{"failed read", nil, slog.LevelInfo, call{method: "GET", path: "/v1/clusters/nope"}, "INFO"},
		{"write", nil, slog.LevelInfo, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(nil)}, "INFO"},
		{"refused write", nil, slog.LevelInfo, call{method: "POST", path: "/v1/clustertemplates", body: "{"}, "INFO"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tc.logLevel}))
			srv := newServer(t, svc, append([]api.Option{api.WithLogger(log)}, tc.opts...)...)
			r := do(t, srv, tc.c)
			assert.Less(t, r.status, 500)
			if tc.wantLevel == "" {
				assert.NotContains(t, buf.String(), `"msg":"request"`)
				return
			}
			assert.Contains(t, buf.String(), `"level":"`+tc.wantLevel+`","msg":"request"`)
			assert.Contains(t, buf.String(), `"method":"`+tc.c.method+`"`)
		})
	}
}
