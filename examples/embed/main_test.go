package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// logBuffer collects the program's logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var servingLine = regexp.MustCompile(`"msg":"serving",.*"addr":"([^"]+)"`)

// started is the program running in the test.
type started struct {
	url    string
	logs   *logBuffer
	stop   context.CancelFunc
	result chan error
}

// start runs the program on a free loopback port until the test ends.
func start(t *testing.T) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &started{logs: &logBuffer{}, stop: cancel, result: make(chan error, 1)}
	go func() {
		p.result <- run(ctx, []string{"-listen", "127.0.0.1:0", "-data-dir", t.TempDir(), "-sync", "300ms"}, p.logs)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.result:
		case <-time.After(time.Minute):
			t.Error("the program did not stop")
		}
	})
	require.Eventually(t, func() bool { return servingLine.MatchString(p.logs.String()) }, time.Minute,
		10*time.Millisecond, "the program serves: %s", p.logs)
	p.url = "http://" + servingLine.FindStringSubmatch(p.logs.String())[1]
	return p
}

// do sends a request and returns the status and body of the answer.
func (p *started) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, p.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("OpenStack-API-Version", "container-infra latest")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestEmbed runs the program, drives a cluster through the mounted REST
// API, reads the program's own routes and metrics, and stops it as a
// signal would.
func TestEmbed(t *testing.T) {
	p := start(t)

	t.Run("routes", func(t *testing.T) {
		tests := []struct {
			method, path string
			code         int
			body         string
		}{
			{"GET", "/", http.StatusOK, "/magnum/...  Magnum's v1 REST API"},
			{"GET", "/nope", http.StatusNotFound, "404 page not found"},
			{"POST", "/summary", http.StatusMethodNotAllowed, ""},
			{"GET", "/magnum/", http.StatusOK, `"versions"`},
			{"GET", "/magnum/v1/clustertemplates", http.StatusOK, `{"clustertemplates":[]}`},
			{"GET", "/magnum/v1/nope", http.StatusNotFound, `"errors"`},
			{"GET", "/events", http.StatusOK, "[]"},
			{"GET", "/summary", http.StatusOK, `{"clusters":0,"nodes":0,"events":0}`},
		}
		for _, tt := range tests {
			code, body := p.do(t, tt.method, tt.path, "")
			assert.Equal(t, tt.code, code, "%s %s: %s", tt.method, tt.path, body)
			assert.Contains(t, body, tt.body, "%s %s", tt.method, tt.path)
		}
	})

	t.Run("cluster through the mounted API", func(t *testing.T) {
		code, body := p.do(t, "POST", "/magnum/v1/clustertemplates", `{"name": "k8s", "coe": "kubernetes",
			"image_id": "fedora-coreos-40", "external_network_id": "public", "flavor_id": "m1.small",
			"master_flavor_id": "m1.medium", "keypair_id": "default", "docker_storage_driver": "overlay2"}`)
		require.Equal(t, http.StatusCreated, code, body)
		code, body = p.do(t, "POST", "/magnum/v1/clusters",
			`{"name": "c1", "cluster_template_id": "k8s", "node_count": 2, "master_count": 1}`)
		require.Equal(t, http.StatusAccepted, code, body)
		var created struct{ UUID string }
		require.NoError(t, json.Unmarshal([]byte(body), &created))

		var events []eventView
		require.Eventually(t, func() bool {
			_, body := p.do(t, "GET", "/events", "")
			require.NoError(t, json.Unmarshal([]byte(body), &events))
			return len(events) > 0 && events[len(events)-1].Outcome != magnum.OutcomePending
		}, 2*time.Minute, 100*time.Millisecond, "the sink receives the cluster's events")
		last := events[len(events)-1]
		assert.Equal(t, eventView{Type: "magnum.cluster.create", Outcome: magnum.OutcomeSuccess, Cluster: created.UUID,
			Name: "c1", Status: string(magnum.CreateComplete), Time: last.Time}, last)

		code, body = p.do(t, "GET", "/summary", "")
		assert.Equal(t, http.StatusOK, code)
		assert.JSONEq(t, `{"clusters":1,"nodes":3,"events":`+itoa(len(events))+`}`, body, "the Go API sees the REST API's cluster")

	})

	t.Run("metrics", func(t *testing.T) {
		code, body := p.do(t, "GET", "/metrics", "")
		require.Equal(t, http.StatusOK, code)
		for _, want := range []string{
			`magnum_api_requests_total{code="202",method="POST",route="POST /v1/clusters"} 1`,
			`magnum_clusters{status="CREATE_COMPLETE"} 1`,
			`embed_cluster_events_total{event_type="magnum.cluster.create",outcome="success"} 1`,
			`magnum_conductor_sync_pass_duration_seconds_count`,
			`go_goroutines`,
		} {
			assert.Contains(t, body, want)
		}
	})

	t.Run("logs", func(t *testing.T) {
		assert.Regexp(t, `\{"time":"[^"]+","level":"INFO","msg":"request","service":"embed",`+
			`"method":"POST","path":"/v1/clusters",.*"request_id":"req-`, p.logs.String(),
			"the API logs requests with the program's logger")
	})

	p.stop()
	select {
	case err := <-p.result:
		require.NoError(t, err)
		p.result <- err
	case <-time.After(time.Minute):
		t.Fatal("the program did not stop")
	}
	assert.Regexp(t, `"msg":"stopped","service":"embed"}\n$`, p.logs.String(), "the last line")
	_, err := http.Get(p.url + "/")
	assert.Error(t, err, "the listener is closed")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-nope"}, "flag provided but not defined: -nope"},
		{"bad duration", []string{"-sync", "soon"}, `invalid value "soon" for flag -sync`},
		{"not loopback", []string{"-listen", "0.0.0.0:0"}, errNotLoopback.Error()},
		{"bad address", []string{"-listen", "127.0.0.1:99999"}, "invalid port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), append(tt.args, "-data-dir", t.TempDir()), &out)
			require.Error(t, err)
			assert.Contains(t, err.Error()+out.String(), tt.want)
		})
	}
}

func TestSinkKeepsTheLatest(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, err := newSink(reg, 3)
	require.NoError(t, err)
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		s.record(context.Background(), magnum.Event{Type: "magnum.cluster.create", Outcome: magnum.OutcomePending,
			Cluster: magnum.Cluster{Name: name}})
	}
	var names []string
	for _, e := range s.events {
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"c", "d", "e"}, names)
	assert.Equal(t, 5, s.count())
	_, err = newSink(reg, 3)
	assert.Error(t, err, "one sink per registry")
}
