package heat_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// fault is what the proxy does to one request.
type fault int

const (
	forward    fault = iota // pass it to Heat
	reject503               // answer 503 without passing it on
	dropBefore              // close the connection without passing it on
	dropAfter               // pass it to Heat, then close the connection without answering
)

func (f fault) String() string {
	return [...]string{"forward", "503", "drop-before", "drop-after"}[f]
}

// faultProxy sits in front of a real Heat and injects the faults planned
// for the next requests of each HTTP method.
type faultProxy struct {
	t    testing.TB
	srv  *httptest.Server
	heat *httputil.ReverseProxy

	mu   sync.Mutex
	plan map[string][]fault
	seen map[string]int // requests per method
}

func newFaultProxy(t testing.TB, target string) *faultProxy {
	u, err := url.Parse(target)
	require.NoError(t, err)
	p := &faultProxy{t: t, plan: map[string][]fault{}, seen: map[string]int{}}
	p.heat = &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.Out.Host = r.In.Host // Heat builds its redirects from Host: keep them on the proxy
	}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

// inject plans faults for the next requests of method, in order.
func (p *faultProxy) inject(method string, faults ...fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan[method] = append(p.plan[method], faults...)
}

// pending returns the planned faults not yet applied.
func (p *faultProxy) pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, fs := range p.plan {
		n += len(fs)
	}
	return n
}

// requests returns how many requests of method the proxy received.
func (p *faultProxy) requests(method string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[method]
}

func (p *faultProxy) next(method string) fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen[method]++
	fs := p.plan[method]
	if len(fs) == 0 {
		return forward
	}
	p.plan[method] = fs[1:]
	return fs[0]
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	f := p.next(r.Method)
	if f != forward {
		p.t.Logf("proxy: %s %s → %s", r.Method, r.URL.Path, f)
	}
	switch f {
	case forward:
		p.heat.ServeHTTP(w, r)
	case reject503:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"code": 503, "title": "Service Unavailable", "explanation": "injected by the test proxy"}`)
	case dropBefore:
		p.hangUp(w)
	case dropAfter:
		p.heat.ServeHTTP(httptest.NewRecorder(), r)
		p.hangUp(w)
	}
}

// hangUp closes the client's connection without a response.
func (p *faultProxy) hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		p.t.Errorf("proxy: hijack: %v", err)
		return
	}
	conn.Close()
}

// countByTag lists the stacks carrying tag straight from Heat (not through
// the proxy) and counts them by name.
func countByTag(t testing.TB, c *heat.Client, tag string) map[string]int {
	t.Helper()
	stacks, next, err := c.ListStacks(t.Context(), heat.ListOptions{Tags: []string{tag}})
	require.NoError(t, err)
	require.Empty(t, next)
	n := map[string]int{}
	for _, s := range stacks {
		n[s.Name]++
	}
	return n
}

// TestIntegrationFaults puts a proxy that injects 503s and dropped
// connections between the client and the real Heat: every call succeeds
// after retries, no create is ever duplicated, and no change Heat took is
// sent twice.
func TestIntegrationFaults(t *testing.T) {
	forEachHeat(t, func(t *testing.T, h realHeat) {
		ctx := t.Context()
		u, err := url.Parse(h.client.ServiceClient().Endpoint)
		require.NoError(t, err)
		proxy := newFaultProxy(t, u.Scheme+"://"+u.Host)
		policy := heat.RetryPolicy{Attempts: 4, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
		c := h.via(t, proxy.srv.URL, heat.WithRetry(policy))
		tag := "gm-fault-" + suffix()
		applied := func(t *testing.T) {
			t.Helper()
			require.Zero(t, proxy.pending(), "every planned fault was injected")
		}

		// The create reaches Heat but its answer is lost, and the first
		// look-up by name fails too: the client finds the stack it made.
		landed := stackName("landed")
		proxy.inject(http.MethodPost, dropAfter)
		proxy.inject(http.MethodGet, reject503)
		posts := proxy.requests(http.MethodPost)
		landedID, err := c.CreateStack(ctx, mainStack(t, landed, 1, tag))
		require.NoError(t, err)
		applied(t)
		assert.Equal(t, 1, proxy.requests(http.MethodPost)-posts, "never sent again once Heat had it")
		t.Cleanup(func() { _ = h.client.DeleteStack(ctx, landedID) })

		// The first two creates never reach Heat: the client checks, sends again, and succeeds.
		lost := stackName("lost")
		proxy.inject(http.MethodPost, reject503, dropBefore)
		posts = proxy.requests(http.MethodPost)
		lostID, err := c.CreateStack(ctx, heat.StackSpec{Name: lost, Template: template(t, "one.yaml"), Tags: []string{tag}})
		require.NoError(t, err)
		applied(t)
		assert.Equal(t, 3, proxy.requests(http.MethodPost)-posts)
		t.Cleanup(func() { _ = h.client.DeleteStack(ctx, lostID) })

		assert.Equal(t, map[string]int{landed: 1, lost: 1}, countByTag(t, h.client, tag), "no create duplicated")

		// Idempotent reads ride out faults.
		proxy.inject(http.MethodGet, reject503, dropBefore, reject503)
		st, err := c.GetStack(ctx, landedID)
		require.NoError(t, err)
		assert.Equal(t, landed, st.Name)
		applied(t)

		proxy.inject(http.MethodGet, dropAfter, reject503)
		listed, _, err := c.ListStacks(ctx, heat.ListOptions{Tags: []string{tag}})
		require.NoError(t, err)
		assert.Len(t, listed, 2)
		applied(t)

		waitStatus(t, c, landedID, heat.CreateComplete)
		proxy.inject(http.MethodGet, reject503, dropAfter)
		res, err := c.Resources(ctx, landedID, 1)
		require.NoError(t, err)
		assert.NotEmpty(t, res)
		applied(t)

		proxy.inject(http.MethodGet, dropBefore)
		events, _, err := c.Events(ctx, landedID, heat.EventOptions{Limit: 3})
		require.NoError(t, err)
		assert.Len(t, events, 3)
		applied(t)

		// An update that never reached Heat is sent again; once Heat took
		// it, it is not sent again although the answer was lost (a second
		// update would cancel the first one's nested stacks).
		proxy.inject(http.MethodPatch, reject503, dropAfter)
		patches := proxy.requests(http.MethodPatch)
		require.NoError(t, c.UpdateStack(ctx, landedID, heat.StackUpdate{Parameters: map[string]any{"count": 2}}))
		applied(t)
		assert.Equal(t, 2, proxy.requests(http.MethodPatch)-patches)
		st = waitStatus(t, c, landedID, heat.UpdateComplete)
		assert.Equal(t, "2", st.Parameters["count"])

		// Likewise a delete.
		proxy.inject(http.MethodDelete, reject503, dropAfter)
		deletes := proxy.requests(http.MethodDelete)
		require.NoError(t, c.DeleteStack(ctx, landedID))
		applied(t)
		assert.Equal(t, 2, proxy.requests(http.MethodDelete)-deletes)
		waitGone(t, c, landedID)

		// Retries are bounded.
		gets := proxy.requests(http.MethodGet)
		proxy.inject(http.MethodGet, reject503, reject503, reject503, reject503)
		_, err = c.GetStack(ctx, lostID)
		require.ErrorIs(t, err, heat.ErrUnavailable)
		assert.Contains(t, err.Error(), "injected by the test proxy")
		assert.Equal(t, policy.Attempts, proxy.requests(http.MethodGet)-gets)
		applied(t)

		// A create refused outright (400) is not retried.
		posts = proxy.requests(http.MethodPost)
		_, err = c.CreateStack(ctx, heat.StackSpec{Name: stackName("bad"), Template: []byte("nonsense: [")})
		require.ErrorIs(t, err, heat.ErrInvalid)
		assert.Equal(t, 1, proxy.requests(http.MethodPost)-posts)
		assert.False(t, strings.Contains(err.Error(), "injected"))
	})
}
