package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/internal/testenv"
	"github.com/gomagnum/gomagnum/magnum"
)

// dashboard is magnumd with its dashboard on, driven by a headless
// Chromium.
type dashboard struct {
	t      *testing.T
	ctx    context.Context // the browser tab's
	base   string          // http://127.0.0.1:PORT
	shots  string          // where screenshots go
	svc    *magnum.Service
	mu     sync.Mutex
	urls   []string // every request the browser sent
	marker int
}

// uiTimeout bounds each wait on the page: a build on a loaded 2-core
// machine takes seconds, rarely a minute.
const uiTimeout = 3 * time.Minute

// startDashboard serves magnumd on the embedded defaults with the
// dashboard on, quick status syncs, servers that take seconds to build
// (so that a build's progress can be watched), and servers of clusters
// named doomed-* that find no valid host; and opens a browser tab.
func startDashboard(t *testing.T) *dashboard {
	t.Helper()
	chromium := testenv.Command(t, "chromium")
	cfg, err := LoadConfig("")
	require.NoError(t, err)
	cfg.Database.DataDir = t.TempDir()
	cfg.UI.Enabled = true
	cfg.Drivers.InProcess = true
	cfg.Intervals.Sync, cfg.Intervals.Progress, cfg.Intervals.Health = 100*time.Millisecond, 100*time.Millisecond, time.Second
	cfg.Auth.NoAuth.Tokens["reader"] = Identity{UserID: "0d5bcbd2b9a44d38ab3cbd1d34e12a10", UserName: "reader",
		ProjectID: sim.DemoProjectID, ProjectName: "demo", Roles: []string{"reader"}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx := context.Background()
	d, err := newDaemon(ctx, cfg, ln.Addr().String(), slog.New(slog.DiscardHandler), magnum.WithSimulatedCloud(
		sim.WithDelays(sim.Delays{Create: map[sim.Kind]time.Duration{sim.KindServer: 1500 * time.Millisecond}, Boot: 2 * time.Second}),
		sim.WithFaults(sim.Fault{Kind: sim.KindServer, Name: "doomed-*", Effect: sim.EffectNoValidHost})))
	require.NoError(t, err)
	srv := &http.Server{Handler: d.routes(true), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = d.Close()
	})
	admin := magnum.WithCaller(ctx, cfg.Auth.NoAuth.Default.caller())
	_, err = d.svc.CreateClusterTemplate(admin, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s-v1.30", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public", FlavorID: "m1.small",
		MasterFlavorID: "m1.medium", NetworkDriver: "flannel", Public: true, Labels: map[string]string{"kube_tag": "v1.30.1"}}})
	require.NoError(t, err)

	dash := &dashboard{t: t, base: "http://" + ln.Addr().String(), shots: artifactDir(t), svc: d.svc}
	dash.ctx = openBrowser(t, chromium)
	go dash.recordRequests()
	_, err = chromedp.Call(dash.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: cspRecorder})
	require.NoError(t, err)
	return dash
}

// cspRecorder keeps, in every page, what its Content-Security-Policy
// blocked.
const cspRecorder = `window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`

// openBrowser starts a headless Chromium that can reach loopback only: a
// proxy that refuses every connection stands for everything else, and no
// host name resolves.
func openBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("no-pings", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")), "starting %s", chromium)
	return ctx
}

// artifactDir is where the screenshots go: $GOMAGNUM_STATE/artifacts/ui,
// or the system's temporary directory.
func artifactDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("GOMAGNUM_STATE")
	if root == "" {
		root = filepath.Join(os.TempDir(), "gomagnum")
	}
	dir := filepath.Join(root, "artifacts", "ui")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// recordRequests keeps the URL of every request the tab sends.
func (d *dashboard) recordRequests() {
	for ev, err := range chromedp.Events(d.ctx, network.RequestWillBeSent) {
		if err != nil {
			return
		}
		d.mu.Lock()
		d.urls = append(d.urls, ev.Request.URL)
		d.mu.Unlock()
	}
}

// requests returns the URLs the tab requested so far.
func (d *dashboard) requests() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.urls...)
}

// do runs browser actions.
func (d *dashboard) do(actions ...chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, uiTimeout)
	defer cancel()
	require.NoError(d.t, chromedp.Do(ctx, actions...))
}

// eval evaluates a JavaScript expression.
func eval[T any](d *dashboard, expr string, opts ...chromedp.EvaluateOption) T {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, uiTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	require.NoError(d.t, err, expr)
	return v
}

// waitFor waits until a JavaScript expression is true; evaluations that
// fail while a page is replaced are tried again.
func (d *dashboard) waitFor(expr string) {
	d.t.Helper()
	deadline := time.Now().Add(uiTimeout)
	for {
		ctx, cancel := context.WithTimeout(d.ctx, 30*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || d.ctx.Err() != nil {
			d.t.Fatalf("waiting for %s (last error %v); the page says: %s", expr, err, d.text())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// text is the page's text, for failure messages.
func (d *dashboard) text() string {
	ctx, cancel := context.WithTimeout(d.ctx, 10*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return s
}

// open loads a page of the dashboard.
func (d *dashboard) open(path string) {
	d.t.Helper()
	d.do(chromedp.Navigate(d.base + path))
	d.waitFor(`document.readyState === "complete"`)
}

// mark tags the loaded page; loaded reports whether it is still the page
// marked, which a reload or a navigation would have replaced.
func (d *dashboard) mark() int {
	d.t.Helper()
	d.marker++
	eval[chromedp.Void](d, fmt.Sprintf(`window.__mark = %d`, d.marker))
	return d.marker
}

func (d *dashboard) loaded(mark int) bool {
	return eval[bool](d, fmt.Sprintf(`window.__mark === %d`, mark))
}

// submit clicks a button that sends a form and waits for the page that
// answers it.
func (d *dashboard) submit(button string) {
	d.t.Helper()
	m := d.mark()
	d.t.Logf("pressing %s", button)
	d.do(chromedp.Click(chromedp.CSS(button)))
	d.waitFor(fmt.Sprintf(`window.__mark !== %d && document.readyState === "complete"`, m))
}

// signIn signs in with a noauth token through the sign-in page.
func (d *dashboard) signIn(token string) {
	d.t.Helper()
	d.open("/ui/login")
	d.do(chromedp.SendKeys(chromedp.ID("token"), token))
	d.submit(`form[action="/ui/login"] button`)
	d.waitFor(`document.querySelector("#clusters") !== null`)
	assert.Contains(d.t, eval[string](d, `document.querySelector("#who").innerText`), token)
}

// screenshot writes the page as a PNG artefact.
func (d *dashboard) screenshot(name string) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, time.Minute)
	defer cancel()
	assert.Empty(d.t, eval[[]string](d, `window.__csp || []`), "what the CSP blocked on %s", name)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(d.t, err)
	path := filepath.Join(d.shots, name+".png")
	require.NoError(d.t, os.WriteFile(path, png, 0o644))
	d.t.Logf("screenshot: %s", path)
}

// createCluster fills the create form and returns the new cluster's UUID,
// from the page the form leads to.
func (d *dashboard) createCluster(name string) string {
	d.t.Helper()
	d.open("/ui/clusters")
	d.submit(`#create-cluster`) // a link; the form page loads
	d.do(chromedp.SendKeys(chromedp.ID("c-name"), name), chromedp.SetValue(chromedp.ID("c-nodes"), "1"))
	d.screenshot("create-form")
	d.submit(`#create-button`)
	d.waitFor(`document.querySelector("#status") !== null`)
	loc := eval[string](d, `location.pathname`)
	require.True(d.t, strings.HasPrefix(loc, "/ui/clusters/"), "after the create form: %s: %s", loc, d.text())
	return strings.TrimPrefix(loc, "/ui/clusters/")
}

// TestDashboardInBrowser drives the dashboard in a real headless
// Chromium: the cluster list, a create through the form whose progress
// bar moves to complete without a reload, a resize, a failed cluster's
// coded reason, a delete; another project's user sees none of it, a
// reader cannot press what policy forbids, forged form posts are refused,
// and the browser never leaves loopback.
func TestDashboardInBrowser(t *testing.T) {
	d := startDashboard(t)
	d.signIn("demo")
	assert.Contains(t, d.text(), "No clusters.")
	d.screenshot("clusters-empty")

	uuid := d.createCluster("web")
	watchBuild(t, d, uuid)
	resize(t, d, uuid)
	configDownload(t, d, uuid)
	failedCluster(t, d)
	forgedPosts(t, d, uuid)
	otherPages(t, d)

	d.submit(`form[action="/ui/logout"] button`)
	d.signIn("alt")
	otherProject(t, d, uuid)
	d.submit(`form[action="/ui/logout"] button`)
	d.signIn("reader")
	readOnly(t, d, uuid)
	d.submit(`form[action="/ui/logout"] button`)
	d.signIn("demo")
	deleteCluster(t, d, uuid)
	phoneWidth(t, d)

	for _, u := range d.requests() {
		p, err := url.Parse(u)
		require.NoError(t, err)
		if p.Scheme == "about" || p.Scheme == "data" {
			continue
		}
		assert.Contains(t, []string{"127.0.0.1"}, p.Hostname(), "the browser requested %s", u)
	}
}

// watchBuild watches a cluster's page while it builds: the progress bar
// moves through intermediate values to complete, and the page is never
// reloaded.
func watchBuild(t *testing.T, d *dashboard, uuid string) {
	mark := d.mark()
	seen := map[int]bool{}
	deadline := time.Now().Add(uiTimeout)
	shot := false
	for time.Now().Before(deadline) {
		v := eval[int](d, `(() => { const p = document.querySelector("#build-progress");
			return p && p.hasAttribute("value") ? Number(p.getAttribute("value")) : -1 })()`)
		seen[v] = true
		if v > 0 && v < 100 && !shot {
			d.screenshot("cluster-building")
			shot = true
		}
		if eval[string](d, `document.querySelector("#status").innerText`) == "CREATE_COMPLETE" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, "CREATE_COMPLETE", eval[string](d, `document.querySelector("#status").innerText`), d.text())
	assert.True(t, d.loaded(mark), "the page was reloaded")
	var between []int
	for v := range seen {
		if v > 0 && v < 100 {
			between = append(between, v)
		}
	}
	assert.NotEmpty(t, between, "the progress bar showed no value between 0 and 100: %v", seen)
	assert.Equal(t, 100, eval[int](d, `Number(document.querySelector("#build-progress").getAttribute("value"))`))
	assert.Contains(t, d.text(), "default-worker")
	d.waitFor(`document.querySelector("#health").innerText === "HEALTHY"`)
	assert.True(t, d.loaded(mark), "the page was reloaded")
	d.screenshot("cluster-complete")
}

// resize grows the cluster through its resize form and watches it update.
func resize(t *testing.T, d *dashboard, uuid string) {
	d.do(chromedp.SetValue(chromedp.ID("resize-count"), "2"))
	d.submit(`#resize-button`)
	assert.Empty(t, eval[string](d, `document.querySelector("#error") ? document.querySelector("#error").innerText : ""`))
	mark := d.mark()
	d.waitFor(`document.querySelector("#status").innerText === "UPDATE_COMPLETE"`)
	assert.Equal(t, "2", eval[string](d, `document.querySelector("#node-count").innerText`))
	assert.True(t, d.loaded(mark), "the page was reloaded")
	c, err := d.svc.GetCluster(magnum.WithCaller(context.Background(), magnum.Caller{ProjectID: sim.DemoProjectID,
		UserID: sim.DemoUserID, Roles: []string{"member"}}), uuid)
	require.NoError(t, err)
	assert.Equal(t, 2, c.NodeCount)
}

// configDownload fetches the cluster's client configuration as the
// download link does.
func configDownload(t *testing.T, d *dashboard, uuid string) {
	d.open("/ui/clusters/" + uuid)
	got := eval[string](d, `fetch(document.querySelector("#config-link").href).then(async r =>
		r.status + " " + r.headers.get("Content-Type") + " " + (await r.arrayBuffer()).byteLength)`, chromedp.EvalAwaitPromise)
	parts := strings.Fields(got)
	require.Len(t, parts, 3, got)
	assert.Equal(t, "200", parts[0], got)
	assert.Equal(t, "application/zip", parts[1])
	assert.NotEqual(t, "0", parts[2])
}

// failedCluster creates a cluster whose servers find no valid host and
// reads its coded reason on its page.
func failedCluster(t *testing.T, d *dashboard) {
	d.createCluster("doomed")
	d.waitFor(`document.querySelector("#status").innerText === "CREATE_FAILED"`)
	d.waitFor(`document.querySelector("#fault-code") !== null`)
	assert.Equal(t, "NO_VALID_HOST", eval[string](d, `document.querySelector("#fault-code").innerText`))
	assert.NotEmpty(t, eval[string](d, `document.querySelector("#fault-resource").innerText`))
	assert.Equal(t, "OS::Nova::Server", eval[string](d, `document.querySelector("#fault-type").innerText`))
	assert.Contains(t, eval[string](d, `document.querySelector("#fault-reason").innerText`), "No valid host was found")
	d.screenshot("cluster-failed")
	d.open("/ui/clusters?status=CREATE_FAILED")
	assert.Contains(t, d.text(), "doomed")
	assert.NotContains(t, d.text(), "web")
}

// forgedPosts sends the delete form without its CSRF token, from the
// dashboard's page and from another origin: both are refused.
func forgedPosts(t *testing.T, d *dashboard, uuid string) {
	d.open("/ui/clusters/" + uuid)
	m := d.mark()
	eval[chromedp.Void](d, `document.querySelector('#delete-form input[name="csrf_token"]').remove();
		document.querySelector("#delete-form").submit()`)
	d.waitFor(fmt.Sprintf(`window.__mark !== %d && document.readyState === "complete"`, m))
	assert.Contains(t, d.text(), "CSRF token is missing or wrong")

	forge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/ui/clusters/%s/delete"></form>`+
			`<script>document.getElementById("f").submit()</script>`, d.base, uuid)
	}))
	defer forge.Close()
	d.do(chromedp.Navigate(forge.URL))
	d.waitFor(fmt.Sprintf(`location.href.startsWith(%q) && document.readyState === "complete"`, d.base))
	assert.Contains(t, d.text(), "refused")
	d.open("/ui/clusters/" + uuid)
	assert.Equal(t, "UPDATE_COMPLETE", eval[string](d, `document.querySelector("#status").innerText`), "the cluster was not deleted")
}

// otherPages shows the templates, quotas and stats.
func otherPages(t *testing.T, d *dashboard) {
	d.open("/ui/templates")
	assert.Contains(t, d.text(), "k8s-v1.30")
	d.screenshot("templates")
	d.open("/ui/quotas")
	assert.Equal(t, "2", eval[string](d, `document.querySelector("#stat-clusters").innerText`))
	d.screenshot("quotas")
	d.open("/ui/services")
	assert.Contains(t, d.text(), "Policy doesn't allow magnum-service:get_all to be performed.")
	d.open("/ui/clusters")
	d.screenshot("clusters")
}

// otherProject: a user of another project sees none of demo's clusters.
func otherProject(t *testing.T, d *dashboard, uuid string) {
	assert.Contains(t, d.text(), "No clusters.")
	assert.NotContains(t, d.text(), "web")
	d.open("/ui/clusters/" + uuid)
	assert.Contains(t, d.text(), "could not be found")
	assert.NotContains(t, d.text(), "UPDATE_COMPLETE")
}

// readOnly: a reader of demo's project sees the cluster, with its
// actions disabled.
func readOnly(t *testing.T, d *dashboard, uuid string) {
	assert.Contains(t, d.text(), "web")
	assert.Nil(t, eval[any](d, `document.querySelector("#create-cluster")`), "no create button")
	d.open("/ui/clusters/" + uuid)
	for _, b := range []string{"#resize-button", "#upgrade-button", "#delete-button"} {
		assert.True(t, eval[bool](d, fmt.Sprintf(`document.querySelector(%q).matches(":disabled")`, b)), b)
	}
	m := d.mark()
	d.do(chromedp.Click(chromedp.CSS("#delete-button"), chromedp.NodeReady))
	time.Sleep(500 * time.Millisecond)
	assert.True(t, d.loaded(m), "pressing a disabled button sent its form")
	d.screenshot("cluster-reader")
}

// deleteCluster deletes the cluster through its form; it leaves the list
// without a reload.
func deleteCluster(t *testing.T, d *dashboard, uuid string) {
	d.open("/ui/clusters/" + uuid)
	d.submit("#delete-button")
	require.Equal(t, "/ui/clusters", eval[string](d, `location.pathname`), d.text())
	mark := d.mark()
	d.waitFor(fmt.Sprintf(`document.querySelector('tr[data-uuid=%q]') === null`, uuid))
	assert.True(t, d.loaded(mark), "the page was reloaded")
}

// phoneWidth shows the pages at a phone's width.
func phoneWidth(t *testing.T, d *dashboard) {
	d.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	d.open("/ui/clusters")
	assert.LessOrEqual(t, eval[int](d, `document.documentElement.scrollWidth`), 400, "the page is wider than the phone")
	d.screenshot("clusters-phone")
	d.do(chromedp.ResetViewport())
}
