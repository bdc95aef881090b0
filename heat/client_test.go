package heat_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

const (
	sid   = "0d5ad4f1-7b7e-4c5f-9c39-5f0b1a2c3d4e"
	sname = "cluster-a"
)

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name  string
		serve func(t *testing.T, w http.ResponseWriter)
		kind  error
		msg   string
	}{
		{"400 with Heat's explanation", func(_ *testing.T, w http.ResponseWriter) {
			heatError(w, 400, "UnknownUserParameter", "The Parameter (x) was not defined in template.")
		}, heat.ErrInvalid, "The Parameter (x) was not defined in template."},
		{"401 from keystonemiddleware", func(_ *testing.T, w http.ResponseWriter) {
			writeJSON(w, 401, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
		}, heat.ErrUnauthorized, "The request you have made requires authentication."},
		{"403", func(_ *testing.T, w http.ResponseWriter) {
			heatError(w, 403, "Forbidden", "You are not authorized to complete this action.")
		}, heat.ErrUnauthorized, "You are not authorized to complete this action."},
		{"404", func(_ *testing.T, w http.ResponseWriter) {
			heatError(w, 404, "EntityNotFound", "The Stack (cluster-a) could not be found.")
		}, heat.ErrNotFound, "The Stack (cluster-a) could not be found."},
		{"409", func(_ *testing.T, w http.ResponseWriter) {
			heatError(w, 409, "ActionInProgress", "Stack cluster-a already has an action (UPDATE) in progress.")
		}, heat.ErrConflict, "already has an action (UPDATE) in progress"},
		{"413", func(_ *testing.T, w http.ResponseWriter) {
			heatError(w, 413, "RequestLimitExceeded", "Request limit exceeded: Template size exceeds maximum allowed size.")
		}, heat.ErrInvalid, "Template size exceeds"},
		{"500 in plain text", func(_ *testing.T, w http.ResponseWriter) {
			http.Error(w, "engine exploded", 500)
		}, heat.ErrUnavailable, "engine exploded"},
		{"502 without a body", func(_ *testing.T, w http.ResponseWriter) {
			w.WriteHeader(502)
		}, heat.ErrUnavailable, "HTTP 502 Bad Gateway"},
		{"503", func(_ *testing.T, w http.ResponseWriter) {
			heatError(w, 503, "ServiceUnavailable", "Heat is restarting")
		}, heat.ErrUnavailable, "Heat is restarting"},
		{"429", func(_ *testing.T, w http.ResponseWriter) {
			writeJSON(w, 429, `{"title": "Too Many Requests"}`)
		}, heat.ErrUnavailable, "Too Many Requests"},
		{"dropped connection", func(t *testing.T, w http.ResponseWriter) {
			hangUp(t, w)
		}, heat.ErrUnavailable, "EOF"},
		{"body cut short", func(_ *testing.T, w http.ResponseWriter) {
			w.Header().Set("Content-Length", "500")
			writeJSON(w, 200, `{"stack": {"id": "`)
		}, heat.ErrUnavailable, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeHeat(t, func(w http.ResponseWriter, _ *http.Request, _ int) { tt.serve(t, w) })
			_, err := f.client(t, heat.WithRetry(heat.RetryPolicy{Attempts: 1})).GetStack(t.Context(), sid)
			require.ErrorIs(t, err, tt.kind)
			var herr *heat.Error
			require.True(t, errors.As(err, &herr), "%T %v", err, err)
			assert.Contains(t, herr.Message, tt.msg)
			assert.Len(t, f.requests(), 1, "no retry with Attempts: 1")
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		c, err := heat.NewClient(t.Context(), heat.WithNoAuth(srv.URL+"/v1/p"),
			heat.WithRetry(heat.RetryPolicy{Attempts: 2, MinBackoff: time.Millisecond}))
		require.NoError(t, err)
		_, _, err = c.ListStacks(t.Context(), heat.ListOptions{})
		require.ErrorIs(t, err, heat.ErrUnavailable)
		assert.Contains(t, err.Error(), "connection refused")
	})
}

func TestRetries(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) {
		if !redirectByID(w, r, sname, sid) {
			writeJSON(w, 200, stackJSON(sname, sid, "CREATE_COMPLETE"))
		}
	}
	tests := []struct {
		name     string
		failures int // requests answered with a fault before Heat answers
		fault    func(t *testing.T, w http.ResponseWriter)
		wantErr  error
		requests int
	}{
		{"succeeds at once", 0, nil, nil, 2},
		{"one 503", 1, func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(503) }, nil, 3},
		{"two drops", 2, func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) }, nil, 4},
		{"500 then 504", 2, func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(500) }, nil, 4},
		{"exhausted", 3, func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(503) }, heat.ErrUnavailable, 3},
		{"404 is final", 1, func(_ *testing.T, w http.ResponseWriter) { heatError(w, 404, "EntityNotFound", "gone") }, heat.ErrNotFound, 1},
		{"400 is final", 1, func(_ *testing.T, w http.ResponseWriter) { heatError(w, 400, "Invalid", "bad") }, heat.ErrInvalid, 1},
		{"409 is final", 1, func(_ *testing.T, w http.ResponseWriter) { heatError(w, 409, "Conflict", "busy") }, heat.ErrConflict, 1},
		{"401 is final", 1, func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(401) }, heat.ErrUnauthorized, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n < tt.failures {
					tt.fault(t, w)
					return
				}
				ok(w, r)
			})
			st, err := f.client(t).GetStack(t.Context(), sid)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, sname, st.Name)
			}
			assert.Len(t, f.requests(), tt.requests, "%v", f.requests())
		})
	}
}

func TestRetryAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			<-release // the first attempt hangs
			return
		}
		writeJSON(w, 200, `{"stacks": []}`)
	})
	c := f.client(t, heat.WithRetry(heat.RetryPolicy{Attempts: 2, MinBackoff: time.Millisecond, AttemptTimeout: 50 * time.Millisecond}))
	stacks, _, err := c.ListStacks(t.Context(), heat.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, stacks)
	assert.Len(t, f.requests(), 2)
}

func TestRetryHonoursCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	f := newFakeHeat(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		cancel() // the caller gives up while the client backs off
		w.WriteHeader(503)
	})
	c := f.client(t, heat.WithRetry(heat.RetryPolicy{Attempts: 5, MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	start := time.Now()
	_, _, err := c.ListStacks(ctx, heat.ListOptions{})
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, errors.Is(err, heat.ErrUnavailable))
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Len(t, f.requests(), 1)
}

// TestAddressing checks that stacks are changed only through
// /stacks/{name}/{id}: Heat redirects /stacks/{id}, and net/http would
// turn a redirected PATCH or DELETE into a GET.
func TestAddressing(t *testing.T) {
	f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch {
		case r.Method == http.MethodGet && redirectByID(w, r, sname, sid):
		case r.Method != http.MethodGet && !strings.HasSuffix(r.URL.Path, "/"+sname+"/"+sid):
			t.Errorf("%s %s: changes must address /stacks/{name}/{id}", r.Method, r.URL.Path)
			http.Redirect(w, r, "/v1/proj/stacks/"+sname+"/"+sid, http.StatusFound)
		case r.Method == http.MethodGet:
			writeJSON(w, 200, stackJSON(sname, sid, "UPDATE_IN_PROGRESS"))
		case r.Method == http.MethodPatch:
			w.WriteHeader(202)
		case r.Method == http.MethodDelete:
			w.WriteHeader(204)
		}
	})
	c := f.client(t)
	ctx := t.Context()
	require.NoError(t, c.UpdateStack(ctx, sid, heat.StackUpdate{Parameters: map[string]any{"number_of_minions": 3}}))
	require.NoError(t, c.DeleteStack(ctx, sid))
	_, err := c.GetStack(ctx, sid)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GET /v1/proj/stacks/" + sid, // resolve the name once
		"GET /v1/proj/stacks/" + sname + "/" + sid,
		"PATCH /v1/proj/stacks/" + sname + "/" + sid,
		"DELETE /v1/proj/stacks/" + sname + "/" + sid,
		"GET /v1/proj/stacks/" + sname + "/" + sid, // cached: no redirect
	}, f.requests())
	patch := f.call(2)
	assert.Equal(t, map[string]any{"parameters": map[string]any{"number_of_minions": float64(3)}, "disable_rollback": true}, patch.Body)
	assert.Equal(t, "proj", patch.Header.Get("X-Auth-Project"), "noauth Heat files stacks under this project")
	assert.NotEmpty(t, patch.Header.Get("X-Auth-Token"))

	// A name works as a key too, and is resolved every time (names can be reused).
	f2 := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch {
		case redirectByID(w, r, sname, sid):
		case r.Method == http.MethodGet:
			writeJSON(w, 200, stackJSON(sname, sid, "CREATE_COMPLETE"))
		default:
			w.WriteHeader(204)
		}
	})
	require.NoError(t, f2.client(t).DeleteStack(ctx, sname))
	assert.Equal(t, []string{
		"GET /v1/proj/stacks/" + sname, "GET /v1/proj/stacks/" + sname + "/" + sid, "DELETE /v1/proj/stacks/" + sname + "/" + sid,
	}, f2.requests())
}

func TestGetStackConverts(t *testing.T) {
	f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if !redirectByID(w, r, sname, sid) {
			writeJSON(w, 200, stackJSON(sname, sid, "CREATE_COMPLETE"))
		}
	})
	st, err := f.client(t).GetStack(t.Context(), sid)
	require.NoError(t, err)
	assert.Equal(t, &heat.Stack{
		ID: sid, Name: sname, Status: heat.CreateComplete, StatusReason: "because",
		Outputs:    map[string]any{"api_address": "10.0.0.5", "nodes": []any{"a", "b"}},
		Parameters: map[string]string{"count": "2", "OS::stack_name": sname},
		Tags:       []string{"t1"},
		CreatedAt:  time.Date(2026, 11, 27, 6, 38, 41, 0, time.UTC),
		UpdatedAt:  time.Date(2026, 11, 27, 6, 40, 0, 0, time.UTC),
	}, st)
}

func TestCreateStackBody(t *testing.T) {
	f := newFakeHeat(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, 201, `{"stack": {"id": "`+sid+`", "links": []}}`)
	})
	id, err := f.client(t).CreateStack(t.Context(), heat.StackSpec{
		Name:     sname,
		Template: []byte("heat_template_version: 2018-08-31\nresources:\n  n: {type: node.yaml}\n"),
		Files:    map[string]string{"node.yaml": "heat_template_version: 2018-08-31\n"},
		Environment: heat.Environment{
			ParameterDefaults: map[string]any{"flavor": "m1.small"},
			ResourceRegistry:  map[string]any{"OS::Nova::Server": "OS::Heat::None"},
		},
		Parameters: map[string]any{"count": 2, "enabled": true},
		Timeout:    61*time.Minute + time.Second,
		Tags:       []string{"magnum", "cluster-a"},
	})
	require.NoError(t, err)
	assert.Equal(t, sid, id)
	require.Equal(t, []string{"POST /v1/proj/stacks"}, f.requests())
	assert.Equal(t, map[string]any{
		"stack_name": sname,
		"template":   "heat_template_version: 2018-08-31\nresources:\n  n: {type: node.yaml}\n",
		"files":      map[string]any{"node.yaml": "heat_template_version: 2018-08-31\n"},
		"environment": map[string]any{
			"parameter_defaults": map[string]any{"flavor": "m1.small"},
			"resource_registry":  map[string]any{"OS::Nova::Server": "OS::Heat::None"},
		},
		"parameters":       map[string]any{"count": float64(2), "enabled": true},
		"timeout_mins":     float64(62),
		"disable_rollback": true,
		"tags":             "magnum,cluster-a",
	}, f.call(0).Body)
}

// TestCreateStackAmbiguous checks that a create is resent only when Heat
// does not have the stack, and is never duplicated.
func TestCreateStackAmbiguous(t *testing.T) {
	created := `{"stack": {"id": "` + sid + `", "links": []}}`
	notFound := func(w http.ResponseWriter) {
		heatError(w, 404, "EntityNotFound", "The Stack ("+sname+") could not be found.")
	}
	found := func(w http.ResponseWriter, r *http.Request) {
		if !redirectByID(w, r, sname, sid) {
			writeJSON(w, 200, stackJSON(sname, sid, "CREATE_IN_PROGRESS"))
		}
	}
	tests := []struct {
		name  string
		posts []func(t *testing.T, w http.ResponseWriter) // answers to the successive POSTs
		// lookups answers the look-ups by name; true means Heat has the stack.
		lookups  []bool
		wantErr  error
		wantReqs []string
	}{
		{"503, not stored, sent again", []func(*testing.T, http.ResponseWriter){
			func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(503) },
			func(_ *testing.T, w http.ResponseWriter) { writeJSON(w, 201, created) },
		}, []bool{false}, nil, []string{"POST", "GET", "POST"}},
		{"500, but stored: found, not sent again", []func(*testing.T, http.ResponseWriter){
			func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(500) },
		}, []bool{true}, nil, []string{"POST", "GET", "GET"}},
		{"dropped, not yet visible, then 409: ours after all", []func(*testing.T, http.ResponseWriter){
			func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) },
			func(_ *testing.T, w http.ResponseWriter) {
				heatError(w, 409, "StackExists", "The Stack ("+sname+") already exists.")
			},
		}, []bool{false, true}, nil, []string{"POST", "GET", "POST", "GET", "GET"}},
		{"409 at once: the name is taken", []func(*testing.T, http.ResponseWriter){
			func(_ *testing.T, w http.ResponseWriter) {
				heatError(w, 409, "StackExists", "The Stack ("+sname+") already exists.")
			},
		}, nil, heat.ErrConflict, []string{"POST"}},
		{"400: refused, not retried", []func(*testing.T, http.ResponseWriter){
			func(_ *testing.T, w http.ResponseWriter) {
				heatError(w, 400, "StackValidationFailed", "Property error")
			},
		}, nil, heat.ErrInvalid, []string{"POST"}},
		{"never reaches Heat: bounded", []func(*testing.T, http.ResponseWriter){
			func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(503) },
			func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(503) },
			func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(503) },
		}, []bool{false, false, false}, heat.ErrUnavailable, []string{"POST", "GET", "POST", "GET", "POST", "GET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var posts, lookups atomic.Int32 // the fake's handlers run on several goroutines
			f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				switch {
				case r.Method == http.MethodPost:
					tt.posts[posts.Add(1)-1](t, w)
				case strings.HasSuffix(r.URL.Path, "/stacks/"+sname):
					if tt.lookups[lookups.Add(1)-1] {
						found(w, r)
					} else {
						notFound(w)
					}
				default:
					found(w, r)
				}
			})
			id, err := f.client(t).CreateStack(t.Context(), heat.StackSpec{Name: sname, Template: []byte("x: y")})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, sid, id)
			}
			var methods []string
			for _, r := range f.requests() {
				methods = append(methods, strings.Fields(r)[0])
			}
			assert.Equal(t, tt.wantReqs, methods, "%v", f.requests())
		})
	}
}

// TestChangesSentOnce checks that an update or a delete whose answer was
// lost is sent again only when Heat did not take it.
func TestChangesSentOnce(t *testing.T) {
	const earlier, later = "2026-11-27T06:40:00Z", "2026-11-27T06:41:00Z"
	type heatState struct {
		status, updated string // the stack as GET shows it after the first change
		gone            bool
	}
	tests := []struct {
		name    string
		change  string // PATCH or DELETE
		answers []func(t *testing.T, w http.ResponseWriter)
		after   heatState
		wantErr error
		sent    int
	}{
		{"update lost, Heat took it", http.MethodPatch,
			[]func(*testing.T, http.ResponseWriter){func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) }},
			heatState{status: "UPDATE_IN_PROGRESS", updated: later}, nil, 1},
		{"update lost, Heat took it and finished", http.MethodPatch,
			[]func(*testing.T, http.ResponseWriter){func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(502) }},
			heatState{status: "UPDATE_COMPLETE", updated: later}, nil, 1},
		{"update refused with 503: sent again", http.MethodPatch,
			[]func(*testing.T, http.ResponseWriter){
				func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(503) },
				func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(202) },
			}, heatState{status: "CREATE_COMPLETE", updated: earlier}, nil, 2},
		{"update resent meets a conflict", http.MethodPatch,
			[]func(*testing.T, http.ResponseWriter){
				func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(503) },
				func(_ *testing.T, w http.ResponseWriter) { heatError(w, 409, "ActionInProgress", "busy") },
			}, heatState{status: "CREATE_COMPLETE", updated: earlier}, heat.ErrConflict, 2},
		{"delete lost, Heat is deleting", http.MethodDelete,
			[]func(*testing.T, http.ResponseWriter){func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) }},
			heatState{status: "DELETE_IN_PROGRESS", updated: earlier}, nil, 1},
		{"delete lost, stack gone", http.MethodDelete,
			[]func(*testing.T, http.ResponseWriter){func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) }},
			heatState{gone: true}, nil, 1},
		{"delete refused with 500: sent again", http.MethodDelete,
			[]func(*testing.T, http.ResponseWriter){
				func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(500) },
				func(_ *testing.T, w http.ResponseWriter) { w.WriteHeader(204) },
			}, heatState{status: "DELETE_FAILED", updated: earlier}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent atomic.Int32
			f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				switch {
				case redirectByID(w, r, sname, sid):
				case r.Method == tt.change:
					tt.answers[sent.Add(1)-1](t, w)
				case r.Method != http.MethodGet:
					t.Errorf("unexpected %s", r.Method)
				case sent.Load() == 0:
					writeJSON(w, 200, stackAt(sid, "CREATE_COMPLETE", earlier))
				case tt.after.gone:
					heatError(w, 404, "EntityNotFound", "gone")
				default:
					writeJSON(w, 200, stackAt(sid, tt.after.status, tt.after.updated))
				}
			})
			c := f.client(t)
			var err error
			if tt.change == http.MethodPatch {
				err = c.UpdateStack(t.Context(), sid, heat.StackUpdate{Parameters: map[string]any{"count": 3}})
			} else {
				err = c.DeleteStack(t.Context(), sid)
			}
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.sent, int(sent.Load()), "%v", f.requests())
		})
	}
}

// stackAt is a stack of GET with the given status and update time.
func stackAt(id, status, updated string) string {
	return fmt.Sprintf(`{"stack": {"id": %q, "stack_name": %q, "stack_status": %q, "updated_time": %q}}`,
		id, sname, status, updated)
}

func TestListStacksQuery(t *testing.T) {
	f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			writeJSON(w, 200, `{"stacks": [
				{"id": "i1", "stack_name": "s1", "stack_status": "CREATE_COMPLETE", "tags": ["a", "b"], "creation_time": "2026-11-27T06:38:41Z"},
				{"id": "i2", "stack_name": "s2", "stack_status": "UPDATE_FAILED", "stack_status_reason": "no", "tags": null}]}`)
			return
		}
		writeJSON(w, 200, `{"stacks": [{"id": "i3", "stack_name": "s3", "stack_status": "DELETE_IN_PROGRESS"}]}`)
	})
	c := f.client(t)
	page, next, err := c.ListStacks(t.Context(), heat.ListOptions{Tags: []string{"a", "b"}, Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, "i2", next)
	require.Len(t, page, 2)
	assert.Equal(t, heat.Stack{ID: "i1", Name: "s1", Status: heat.CreateComplete, Tags: []string{"a", "b"},
		CreatedAt: time.Date(2026, 11, 27, 6, 38, 41, 0, time.UTC)}, page[0])
	assert.Equal(t, heat.UpdateFailed, page[1].Status)
	assert.Equal(t, "no", page[1].StatusReason)
	assert.Equal(t, "limit=2&sort_dir=desc&sort_keys=created_at&tags=a%2Cb", f.call(0).Query)

	page, next, err = c.ListStacks(t.Context(), heat.ListOptions{Tags: []string{"a", "b"}, Limit: 2, Marker: next})
	require.NoError(t, err)
	assert.Empty(t, next, "a short page is the last")
	assert.Len(t, page, 1)
	assert.Contains(t, f.call(1).Query, "marker=i2")

	// The listed names are cached: a change needs no look-up.
	f.setHandle(func(w http.ResponseWriter, _ *http.Request, _ int) { w.WriteHeader(204) })
	require.NoError(t, c.DeleteStack(t.Context(), "i3"))
	assert.Equal(t, "DELETE /v1/proj/stacks/s3/i3", f.requests()[2])
}

func TestResourcesAndFailed(t *testing.T) {
	fixture := mustRead(t, "testdata/resources_nested.json")
	const root = "09fc77bf-9ef5-41d0-aa5d-84cd17e1f449"
	f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if redirectByID(w, r, "probe1", root) {
			return
		}
		if strings.HasSuffix(r.URL.Path, "/resources") {
			writeJSON(w, 200, fixture)
			return
		}
		writeJSON(w, 200, stackJSON("probe1", root, "CREATE_FAILED"))
	})
	c := f.client(t)
	failed, err := c.FailedResources(t.Context(), root)
	require.NoError(t, err)
	require.Len(t, failed, 3)
	assert.Equal(t, []string{"leaf", "0", "grp"}, []string{failed[0].Name, failed[1].Name, failed[2].Name})
	assert.Equal(t, []int{2, 1, 0}, []int{failed[0].Depth, failed[1].Depth, failed[2].Depth})
	assert.Equal(t, "ValueError: resources.leaf: Test Resource failed leaf", failed[0].StatusReason)
	assert.Equal(t, "0", failed[0].Parent)
	assert.Equal(t, "nested_depth=100", f.call(2).Query)

	_, err = c.Resources(t.Context(), root, 2)
	require.NoError(t, err)
	assert.Equal(t, "nested_depth=2", f.call(3).Query)
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func TestEventsQuery(t *testing.T) {
	f := newFakeHeat(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if redirectByID(w, r, sname, sid) {
			return
		}
		if strings.HasSuffix(r.URL.Path, "/events") {
			writeJSON(w, 200, `{"events": [
				{"id": "e1", "resource_name": "cluster-a", "physical_resource_id": "`+sid+`", "resource_status": "CREATE_IN_PROGRESS",
				 "resource_status_reason": "Stack CREATE started", "event_time": "2026-11-27T06:38:41Z", "links": []},
				{"id": "e2", "resource_name": "kube_masters", "resource_status": "CREATE_FAILED", "resource_status_reason": "boom",
				 "event_time": "2026-11-27T06:38:42Z", "links": []}]}`)
			return
		}
		writeJSON(w, 200, stackJSON(sname, sid, "CREATE_FAILED"))
	})
	c := f.client(t)
	events, next, err := c.Events(t.Context(), sid, heat.EventOptions{Limit: 2, Marker: "e0"})
	require.NoError(t, err)
	assert.Equal(t, "e2", next)
	assert.Equal(t, []heat.Event{
		{ID: "e1", ResourceName: sname, PhysicalID: sid, Status: heat.CreateInProgress, StatusReason: "Stack CREATE started",
			Time: time.Date(2026, 11, 27, 6, 38, 41, 0, time.UTC)},
		{ID: "e2", ResourceName: "kube_masters", Status: heat.CreateFailed, StatusReason: "boom",
			Time: time.Date(2026, 11, 27, 6, 38, 42, 0, time.UTC)},
	}, events)
	assert.Equal(t, "limit=2&marker=e0&sort_dir=asc", f.call(2).Query)
	assert.Len(t, f.requests(), 3, "one page only")

	_, next, err = c.Events(t.Context(), sid, heat.EventOptions{Newest: true})
	require.NoError(t, err)
	assert.Empty(t, next)
	assert.Equal(t, "sort_dir=desc", f.call(3).Query)
}

// TestInputChecks covers arguments refused before any request.
func TestInputChecks(t *testing.T) {
	f := newFakeHeat(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		t.Error("no request expected")
		w.WriteHeader(500)
	})
	c := f.client(t)
	ctx := t.Context()
	tmpl := []byte("heat_template_version: 2018-08-31\n")
	creates := map[string]heat.StackSpec{
		"empty name":         {Template: tmpl},
		"name with a slash":  {Name: "a/b", Template: tmpl},
		"name with a digit":  {Name: "1abc", Template: tmpl},
		"name too long":      {Name: "a" + strings.Repeat("b", 255), Template: tmpl},
		"query in name":      {Name: "a?b=c", Template: tmpl},
		"no template":        {Name: "a"},
		"tag with a comma":   {Name: "a", Template: tmpl, Tags: []string{"x,y"}},
		"empty tag":          {Name: "a", Template: tmpl, Tags: []string{""}},
		"negative timeout":   {Name: "a", Template: tmpl, Timeout: -time.Second},
		"unencodable params": {Name: "a", Template: tmpl, Parameters: map[string]any{"c": make(chan int)}},
	}
	for name, spec := range creates {
		_, err := c.CreateStack(ctx, spec)
		assert.ErrorIs(t, err, heat.ErrInvalid, name)
	}
	for _, key := range []string{"", "../other", "a/b", "-x", "a b", "x?y"} {
		_, err := c.GetStack(ctx, key)
		assert.ErrorIs(t, err, heat.ErrInvalid, "GetStack(%q)", key)
		assert.ErrorIs(t, c.DeleteStack(ctx, key), heat.ErrInvalid, "DeleteStack(%q)", key)
	}
	assert.ErrorIs(t, c.UpdateStack(ctx, sid, heat.StackUpdate{Template: []byte{}}), heat.ErrInvalid)
	assert.ErrorIs(t, c.UpdateStack(ctx, sid, heat.StackUpdate{Timeout: -1}), heat.ErrInvalid)
	_, err := c.Resources(ctx, sid, -1)
	assert.ErrorIs(t, err, heat.ErrInvalid)
	_, _, err = c.ListStacks(ctx, heat.ListOptions{Limit: -1})
	assert.ErrorIs(t, err, heat.ErrInvalid)
	_, _, err = c.ListStacks(ctx, heat.ListOptions{Tags: []string{"a,b"}})
	assert.ErrorIs(t, err, heat.ErrInvalid)
	_, _, err = c.ListStacks(ctx, heat.ListOptions{Marker: "../x"})
	assert.ErrorIs(t, err, heat.ErrInvalid)
	_, _, err = c.Events(ctx, sid, heat.EventOptions{Limit: -1})
	assert.ErrorIs(t, err, heat.ErrInvalid)
	assert.Empty(t, f.requests())
}

func TestNewClientConfig(t *testing.T) {
	ctx := t.Context()
	tests := map[string][]heat.Option{
		"nothing":              nil,
		"two ways":             {heat.WithNoAuth("http://h/v1/p"), heat.WithServiceClient(&gophercloud.ServiceClient{})},
		"not a URL":            {heat.WithNoAuth("h:8004")},
		"no project":           {heat.WithNoAuth("http://h:8004/")},
		"ftp":                  {heat.WithNoAuth("ftp://h/v1/p")},
		"empty service client": {heat.WithServiceClient(&gophercloud.ServiceClient{})},
		"no identity endpoint": {heat.WithAuth(gophercloud.AuthOptions{Username: "u", Password: "p"})},
	}
	for name, opts := range tests {
		_, err := heat.NewClient(ctx, opts...)
		assert.ErrorIs(t, err, heat.ErrClientConfig, name)
	}

	t.Run("keystone unreachable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		_, err := heat.NewClient(ctx, heat.WithAuth(gophercloud.AuthOptions{
			IdentityEndpoint: srv.URL + "/v3", Username: "u", Password: "p", DomainName: "Default", TenantName: "p",
		}))
		assert.ErrorIs(t, err, heat.ErrUnavailable)
	})
}
