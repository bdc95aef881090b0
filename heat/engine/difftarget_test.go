package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// target is one side of the differential tests: an orchestrator, its
// template validation and the exception type it names with an error.
type target struct {
	o        heat.Orchestrator
	validate func(context.Context, heat.StackSpec) error
	errType  func(error) string
}

// engineTarget is the embedded engine: Validate, and the type of its
// *hot.Error.
func engineTarget(e *Engine) target {
	return target{o: e, validate: Validate, errType: func(err error) string {
		var he *hot.Error
		if errors.As(err, &he) {
			return he.Type
		}
		return ""
	}}
}

// realTarget is a real Heat: its client, POST /validate, and the type of
// the last fault it answered with.
func realTarget(t *testing.T, url string) target {
	rec := &faultRecorder{next: http.DefaultTransport}
	hc := &http.Client{Transport: rec}
	client, err := heat.NewClient(context.Background(), heat.WithNoAuth(url), heat.WithHTTPClient(hc))
	require.NoError(t, err)
	return target{o: client,
		validate: func(ctx context.Context, spec heat.StackSpec) error { return validateReal(ctx, hc, url, spec) },
		errType:  func(error) string { return rec.last() },
	}
}

// fault is Heat's error document.
type fault struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"error"`
}

// faultRecorder remembers the type of the last fault Heat answered a
// request other than a GET with: the client looks a stack up after an
// ambiguous create, and that look-up's answer is not the create's.
type faultRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	typ  string
}

func (r *faultRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil || resp.StatusCode < 400 || req.Method == http.MethodGet {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var f fault
	if json.Unmarshal(body, &f) == nil {
		r.mu.Lock()
		r.typ = f.Error.Type
		r.mu.Unlock()
	}
	return resp, nil
}

func (r *faultRecorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.typ
}

// validateReal posts a stack's template, files, environment and
// parameters to Heat's template validation; a refusal comes back as a
// *hot.Error carrying Heat's exception type and message.
func validateReal(ctx context.Context, hc *http.Client, url string, spec heat.StackSpec) error {
	body := map[string]any{"template": string(spec.Template), "environment": spec.Environment}
	if len(spec.Files) > 0 {
		body["files"] = spec.Files
	}
	if spec.Parameters != nil {
		body["parameters"] = spec.Parameters
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/validate", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "noauth")
	req.Header.Set("X-Auth-Project", path.Base(url))
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode == http.StatusOK {
		return err
	}
	var f fault
	if err := json.Unmarshal(out, &f); err != nil {
		return fmt.Errorf("validate answered %d: %s", resp.StatusCode, out)
	}
	return &hot.Error{Type: f.Error.Type, Message: f.Error.Message}
}
