package stacktest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gomagnum/gomagnum/internal/testenv"
)

// RunFunctions runs body in bash with the named functions of a boot
// script (a path relative to the test's directory) defined, and returns
// what it prints. The node library's functions are stood in for:
// magnum_log prints to stderr, magnum_curl is curl with every port in
// ports sent to api instead (a test server on loopback), and docker
// prints its arguments.
func RunFunctions(t *testing.T, script string, funcs []string, env []string, api *httptest.Server, ports []string, body string) string {
	t.Helper()
	bash := testenv.Command(t, "bash")
	testenv.Command(t, "curl")
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatalf("read %s: %v", script, err)
	}
	var defs strings.Builder
	for _, f := range funcs {
		m := regexp.MustCompile(`(?ms)^` + regexp.QuoteMeta(f) + `\(\) \{\n.*?^\}\n`).Find(src)
		if m == nil {
			t.Fatalf("%s has no function %s", script, f)
		}
		defs.Write(m)
	}
	u, err := url.Parse(api.URL)
	if err != nil {
		t.Fatalf("test server: %v", err)
	}
	var rewrite strings.Builder
	rewrite.WriteString(`args=("$@")` + "\n")
	for _, p := range ports {
		rewrite.WriteString(`args=("${args[@]/127.0.0.1:` + p + `/127.0.0.1:` + u.Port() + `}")` + "\n")
	}
	stubs := "magnum_log() { echo \"$*\" >&2; }\n" +
		"magnum_curl() {\n" + rewrite.String() + "curl --silent --show-error --fail \"${args[@]}\"\n}\n" +
		"docker() { echo \"docker $*\"; }\nsleep() { :; }\nseq() { echo 1 2; }\n"
	cmd := exec.Command(bash, "-c", "set -euo pipefail\n"+stubs+defs.String()+body)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", script, err, out)
	}
	return string(out)
}

// JSONHandler answers each path of paths with its JSON body, 404 for any
// other.
func JSONHandler(paths map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := paths[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
}
