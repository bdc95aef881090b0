package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDashboardSetting: the dashboard is served under /ui/ only when the
// configuration enables it.
func TestDashboardSetting(t *testing.T) {
	for _, enabled := range []bool{false, true} {
		t.Run(fmt.Sprint(enabled), func(t *testing.T) {
			cfg, err := LoadConfig(writeConfig(t, fmt.Sprintf("ui: {enabled: %t}\ndrivers: {in_process: true}\n", enabled)))
			require.NoError(t, err)
			cfg.Database.DataDir = t.TempDir()
			d, err := newDaemon(context.Background(), cfg, "127.0.0.1:0", slog.New(slog.DiscardHandler))
			require.NoError(t, err)
			defer d.Close()
			for _, metrics := range []bool{false, true} {
				w := httptest.NewRecorder()
				d.routes(metrics).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/ui/clusters", nil))
				if enabled {
					assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
					assert.Contains(t, w.Header().Get("Content-Security-Policy"), "default-src 'none'")
				} else {
					assert.Equal(t, http.StatusNotFound, w.Code)
				}
				w = httptest.NewRecorder()
				d.routes(metrics).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/mservices", nil))
				assert.Equal(t, http.StatusOK, w.Code, "the API is still served")
			}
		})
	}
}

// TestDashboardKeystoneSignIn: in the keystone mode, the dashboard asks
// for a token and acts as whoever the real Keystone says it belongs to.
func TestDashboardKeystoneSignIn(t *testing.T) {
	k := lookupKeystone(t)
	cfg, err := LoadConfig(writeConfig(t, k.config("ui: {enabled: true}\n")))
	require.NoError(t, err)
	cfg.Database.DataDir = t.TempDir()
	d, err := newDaemon(context.Background(), cfg, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer d.Close()
	srv := httptest.NewServer(d.routes(true))
	defer srv.Close()

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string) {
		resp, err := client.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	signIn := func(token string) int {
		_, page := get("/ui/login")
		m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
		require.NotNil(t, m, page)
		resp, err := client.PostForm(srv.URL+"/ui/login", url.Values{"token": {token}, "csrf_token": {m[1]}})
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	status, _ := get("/ui/services")
	assert.Equal(t, http.StatusSeeOther, status, "no token: sign in first")
	assert.Equal(t, http.StatusUnauthorized, signIn("forged"))
	require.Equal(t, http.StatusSeeOther, signIn(k.token(t)))
	status, body := get("/ui/services")
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, ">"+k.user+" · "+k.project+" · ")
	assert.True(t, strings.Contains(body, "magnum-conductor") || strings.Contains(body, "No services have reported."), body)
}
