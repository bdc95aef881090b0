package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// seededMarker names the file that says a data directory holds the
// benchmark's objects.
const seededMarker = "magnumbench-seeded"

// bench runs the whole benchmark.
func bench(ctx context.Context, o options) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "magnumbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.dataDir == "" {
		o.dataDir = filepath.Join(tmp, "data")
	}
	bin, err := buildMagnumd(ctx, root, tmp)
	if err != nil {
		return err
	}
	listen, err := freeAddr()
	if err != nil {
		return err
	}
	config, err := writeConfig(tmp, o.dataDir, listen)
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(tmp, "magnumd.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	s := &session{o: o, bin: bin, config: config, listen: listen, log: logFile, tmp: tmp}
	if err := s.seedOnce(ctx); err != nil {
		return err
	}
	var results []runResult
	for i := range o.runs {
		r, err := s.measure(ctx)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		results = append(results, r)
		r.print(os.Stdout, i+1, o)
	}
	if o.creates {
		d, err := createsBenchmark(ctx, root)
		if err != nil {
			return err
		}
		fmt.Printf("1,000 concurrent creates to CREATE_COMPLETE (BenchmarkCreateClusters): %.1f s\n", d.Seconds())
	}
	if len(results) > 1 {
		printSummary(os.Stdout, results, o)
	}
	return nil
}

// moduleRoot is the directory of the module the benchmark runs in.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run magnumbench inside the gomagnum module")
	}
	return filepath.Dir(mod), nil
}

// session is magnumd's build and configuration for the runs.
type session struct {
	o                         options
	bin, config, listen, tmp  string
	log                       *os.File
	templatePath, clusterPath string
}

func (s *session) client() *client {
	return &client{base: "http://" + s.listen, http: &http.Client{Timeout: 5 * time.Minute}}
}

// seedOnce fills the data directory unless an earlier invocation did.
func (s *session) seedOnce(ctx context.Context) error {
	marker := filepath.Join(s.o.dataDir, seededMarker)
	want := fmt.Sprintf("%d templates, %d clusters\n", s.o.templates, s.o.clusters)
	if got, err := os.ReadFile(marker); err == nil {
		if string(got) != want {
			return fmt.Errorf("%s holds %s, not %s: use another -data", s.o.dataDir, strings.TrimSpace(string(got)), want)
		}
		return nil
	}
	d, err := startMagnumd(ctx, s.bin, s.config, s.listen, s.log)
	if err != nil {
		return err
	}
	t0 := time.Now()
	fmt.Printf("creating %d templates and %d clusters through the API...\n", s.o.templates, s.o.clusters)
	err = seed(ctx, s.client(), s.o.templates, s.o.clusters)
	fmt.Printf("created in %s\n", time.Since(t0).Round(time.Second))
	err = errors.Join(err, d.stop())
	if err != nil {
		return err
	}
	return os.WriteFile(marker, []byte(want), 0o600)
}

// runResult is what one run measured.
type runResult struct {
	start            time.Duration
	rssRest, rssLoad int64
	// idleCores is the CPU over the first -idle after the loads, when
	// the health pass after a start still reads each cluster's
	// credentials, issues its simulated API's certificate and opens its
	// connection; steadyCores over the next -idle, when it does not.
	idleCores, steadyCores float64
	loads                  []endpointResult
}

// endpointResult compares magnumd and the bare handler on one GET.
type endpointResult struct {
	name        string
	bytes       int
	magnum, raw loadResult
}

func (e endpointResult) ratio() float64 { return e.magnum.rate() / e.raw.rate() }

// measure restarts magnumd and measures everything once.
func (s *session) measure(ctx context.Context) (runResult, error) {
	var r runResult
	d, err := startMagnumd(ctx, s.bin, s.config, s.listen, s.log)
	if err != nil {
		return r, err
	}
	defer d.stop()
	r.start = d.started
	if err := sleep(ctx, s.o.settle); err != nil {
		return r, err
	}
	if r.rssRest, err = rssOf(d.pid()); err != nil {
		return r, err
	}
	if err := s.pickTargets(ctx); err != nil {
		return r, err
	}
	targets := []struct{ name, path string }{
		{"GET one template", s.templatePath},
		{fmt.Sprintf("GET list of %d templates", s.o.templates), "/v1/clustertemplates"},
		{fmt.Sprintf("GET page of 100 among %d clusters", s.o.clusters), s.clusterPath},
	}
	peak := watchRSS(d.pid())
	for _, t := range targets {
		e, err := s.compare(ctx, d, t.name, t.path)
		if err != nil {
			return r, err
		}
		r.loads = append(r.loads, e)
	}
	r.rssLoad = peak()
	r.idleCores, err = idleCPU(ctx, d.pid(), s.o.idle)
	if err != nil {
		return r, err
	}
	r.steadyCores, err = idleCPU(ctx, d.pid(), s.o.idle)
	return r, err
}

// idleCPU returns the cores a process and its children use over a
// period.
func idleCPU(ctx context.Context, pid int, period time.Duration) (float64, error) {
	cpu0, err := treeCPU(pid)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := sleep(ctx, period); err != nil {
		return 0, err
	}
	cpu1, err := treeCPU(pid)
	if err != nil {
		return 0, err
	}
	return (cpu1 - cpu0).Seconds() / time.Since(t0).Seconds(), nil
}

// pickTargets finds the template to GET and the marker of the page of
// clusters (the middle of the list), once.
func (s *session) pickTargets(ctx context.Context) error {
	if s.templatePath != "" {
		return nil
	}
	c := s.client()
	var page struct {
		ClusterTemplates []struct {
			UUID string `json:"uuid"`
		} `json:"clustertemplates"`
	}
	if err := c.call(ctx, "GET", "/v1/clustertemplates?limit=1", nil, http.StatusOK, &page); err != nil {
		return err
	}
	if len(page.ClusterTemplates) == 0 {
		return errors.New("no template")
	}
	s.templatePath = "/v1/clustertemplates/" + page.ClusterTemplates[0].UUID
	s.clusterPath = "/v1/clusters?limit=100"
	if s.o.clusters > 200 {
		marker, err := clusterAt(ctx, c, s.o.clusters/2)
		if err != nil {
			return err
		}
		s.clusterPath += "&marker=" + marker
	}
	return nil
}

// compare loads one GET of magnumd and the same bytes from a bare
// handler, in turns.
func (s *session) compare(ctx context.Context, d *daemon, name, path string) (endpointResult, error) {
	e := endpointResult{name: name}
	body, err := s.client().raw(ctx, path)
	if err != nil {
		return e, err
	}
	e.bytes = len(body)
	file := filepath.Join(s.tmp, "body.json")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		return e, err
	}
	b, err := startBare(ctx, file)
	if err != nil {
		return e, err
	}
	defer b.stop()
	warm := min(time.Second, s.o.duration)
	for _, url := range []string{d.url + path, b.url + path} {
		if _, err := load(ctx, url, body, s.o.conns, warm); err != nil {
			return e, err
		}
	}
	// Short slices, alternating between the two servers, so that both see
	// the same share of whatever else loads the machine.
	slice := s.o.duration / turns
	for range turns {
		m, err := load(ctx, d.url+path, body, s.o.conns, slice)
		if err != nil {
			return e, err
		}
		r, err := load(ctx, b.url+path, body, s.o.conns, slice)
		if err != nil {
			return e, err
		}
		e.magnum, e.raw = e.magnum.add(m), e.raw.add(r)
	}
	return e, nil
}

// turns is how many slices a load is cut into (see compare).
const turns = 10

// watchRSS samples a process's RSS every 100 ms until the returned
// function is called, which returns the largest sample.
func watchRSS(pid int) func() int64 {
	var mu sync.Mutex
	var most int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, err := rssOf(pid); err == nil {
				mu.Lock()
				most = max(most, rss)
				mu.Unlock()
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() int64 {
		close(done)
		wg.Wait()
		return most
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

var nsPerOp = regexp.MustCompile(`BenchmarkCreateClusters\S*\s+\d+\s+(\d+) ns/op`)

// createsBenchmark runs the Go benchmark of 1,000 concurrent creates once
// and returns its time.
func createsBenchmark(ctx context.Context, root string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkCreateClusters$",
		"-benchtime", "1x", "-count", "1", "-timeout", "30m", "./magnum")
	cmd.Dir, cmd.Stderr = root, os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("BenchmarkCreateClusters: %w\n%s", err, out)
	}
	m := nsPerOp.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("BenchmarkCreateClusters: no result in\n%s", out)
	}
	ns, err := strconv.ParseInt(string(m[1]), 10, 64)
	return time.Duration(ns), err
}
