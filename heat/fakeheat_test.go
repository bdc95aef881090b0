package heat_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// call is one request a fakeHeat received.
type call struct {
	Method, Path, Query string
	Header              http.Header
	Body                map[string]any
}

func (c call) String() string { return c.Method + " " + c.Path }

// fakeHeat is an httptest server speaking just enough of Heat's API for
// the unit tests; handle answers the n-th request (from 0).
type fakeHeat struct {
	t      testing.TB
	srv    *httptest.Server
	handle func(w http.ResponseWriter, r *http.Request, n int)

	mu    sync.Mutex
	calls []call
}

func newFakeHeat(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int)) *fakeHeat {
	f := &fakeHeat{t: t, handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeHeat) serve(w http.ResponseWriter, r *http.Request) {
	c := call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()}
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		if err := json.Unmarshal(b, &c.Body); err != nil {
			f.t.Errorf("fake heat: %s %s: body is not a JSON object: %v", r.Method, r.URL.Path, err)
		}
	}
	f.mu.Lock()
	n := len(f.calls)
	f.calls = append(f.calls, c)
	handle := f.handle
	f.mu.Unlock()
	handle(w, r, n)
}

// setHandle replaces the handler for the next requests.
func (f *fakeHeat) setHandle(h func(w http.ResponseWriter, r *http.Request, n int)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handle = h
}

// base is the noauth endpoint of project "proj".
func (f *fakeHeat) base() string { return f.srv.URL + "/v1/proj" }

// client returns a noauth Client of the fake with quick retries.
func (f *fakeHeat) client(t testing.TB, opts ...heat.Option) *heat.Client {
	quick := heat.RetryPolicy{Attempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	c, err := heat.NewClient(t.Context(), append([]heat.Option{heat.WithRetry(quick), heat.WithNoAuth(f.base())}, opts...)...)
	require.NoError(t, err)
	return c
}

// requests returns "METHOD path" of every request, in order.
func (f *fakeHeat) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.String()
	}
	return out
}

func (f *fakeHeat) call(i int) call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[i]
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// heatError writes Heat's error document.
func heatError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, fmt.Sprintf(`{"code": %d, "title": %q, "explanation": "explained", "error": {"type": %q, "message": %q, "traceback": null}}`,
		status, http.StatusText(status), typ, msg))
}

// stackJSON is Heat's GET answer for a stack.
func stackJSON(name, id, status string) string {
	return fmt.Sprintf(`{"stack": {"id": %q, "stack_name": %q, "stack_status": %q, "stack_status_reason": "because",
		"outputs": [{"output_key": "api_address", "output_value": "10.0.0.5"}, {"output_key": "nodes", "output_value": ["a", "b"]}],
		"parameters": {"count": "2", "OS::stack_name": %q}, "tags": ["t1"],
		"creation_time": "2026-11-27T06:38:41Z", "updated_time": "2026-11-27T06:40:00Z"}}`, id, name, status, name)
}

// hangUp closes the connection without an answer.
func hangUp(t testing.TB, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// redirectByID answers GET /stacks/{key} the way Heat does: 302 to
// /stacks/{name}/{id}. It reports whether it handled the request.
func redirectByID(w http.ResponseWriter, r *http.Request, name, id string) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/proj/stacks/")
	if !ok || strings.Contains(rest, "/") || (rest != id && rest != name) {
		return false
	}
	http.Redirect(w, r, "/v1/proj/stacks/"+name+"/"+id, http.StatusFound)
	return true
}
