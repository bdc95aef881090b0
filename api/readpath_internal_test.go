package api

import (
	"crypto/tls"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBaseURL: the base URL put back into cached views is the request's
// scheme and host as encoding/json encodes them, whatever the host holds.
func TestBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name, host string
		tls        bool
	}{
		{"address", "127.0.0.1:9511", false},
		{"name over TLS", "magnum.example.com", true},
		{"characters JSON escapes", `a"b\c<d>&e` + "\u2028\x01é", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/v1", nil)
			r.Host = tc.host
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			want, err := json.Marshal(hostURL(r))
			require.NoError(t, err)
			assert.Equal(t, string(want[1:len(want)-1]), string(baseURL(r)))
		})
	}
}

// TestNewRequestID: "req-" and a version 4 UUID, a new one each time.
func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newRequestID()
		rest, ok := strings.CutPrefix(id, "req-")
		require.True(t, ok, id)
		u, err := uuid.Parse(rest)
		require.NoError(t, err, id)
		assert.Equal(t, rest, u.String(), "canonical form")
		assert.Equal(t, uuid.Version(4), u.Version())
		assert.Equal(t, uuid.RFC4122, u.Variant())
		assert.False(t, seen[id], "IDs repeat")
		seen[id] = true
	}
}
