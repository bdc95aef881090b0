package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/testenv"
)

// readmeMarker introduces a code block of the README that a test runs.
var readmeMarker = regexp.MustCompile(`^<!-- readme-test: ([a-z]+) -->$`)

// maxReadmeBlocks bounds the blocks readmeBlocks collects.
const maxReadmeBlocks = 16

// readmeBlocks returns the text of the indented code blocks that follow a
// readme-test marker, by the marker's name, without their indentation.
func readmeBlocks(text string) (map[string]string, error) {
	blocks := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	var name string
	var lines []string
	flush := func() {
		if name != "" {
			blocks[name] = strings.TrimSpace(strings.Join(lines, "\n"))
		}
		name, lines = "", nil
	}
	for sc.Scan() {
		line := sc.Text()
		switch m := readmeMarker.FindStringSubmatch(line); {
		case m != nil:
			flush()
			if _, dup := blocks[m[1]]; dup {
				return nil, fmt.Errorf("README: block %q twice", m[1])
			}
			if len(blocks) == maxReadmeBlocks {
				return nil, fmt.Errorf("README: more than %d blocks", maxReadmeBlocks)
			}
			name = m[1]
		case name == "":
		case strings.HasPrefix(line, "    "):
			lines = append(lines, line[4:])
		case strings.TrimSpace(line) == "" && len(lines) == 0:
		case strings.TrimSpace(line) == "":
			flush()
		default:
			return nil, fmt.Errorf("README: block %q: %q is not an indented code line", name, line)
		}
	}
	flush()
	for n, b := range blocks {
		if b == "" {
			return nil, fmt.Errorf("README: block %q is empty", n)
		}
	}
	return blocks, sc.Err()
}

func TestReadmeBlocks(t *testing.T) {
	tests := []struct {
		name, text string
		want       map[string]string
		err        string
	}{
		{name: "none", text: "# title\n\n    code\n", want: map[string]string{}},
		{name: "one", text: "text\n<!-- readme-test: a -->\n    echo 1 \\\n        2\n    echo 3\n\nafter\n    not this\n",
			want: map[string]string{"a": "echo 1 \\\n    2\necho 3"}},
		{name: "blank line before the block", text: "<!-- readme-test: a -->\n\n    x\n", want: map[string]string{"a": "x"}},
		{name: "two", text: "<!-- readme-test: a -->\n    x\n<!-- readme-test: b -->\n    y\n",
			want: map[string]string{"a": "x", "b": "y"}},
		{name: "at the end without newline", text: "<!-- readme-test: a -->\n    x", want: map[string]string{"a": "x"}},
		{name: "twice", text: "<!-- readme-test: a -->\n    x\n<!-- readme-test: a -->\n    y\n", err: `block "a" twice`},
		{name: "prose after the marker", text: "<!-- readme-test: a -->\nprose\n", err: `"prose" is not an indented code line`},
		{name: "empty", text: "<!-- readme-test: a -->\n\n\n", err: `block "a" is empty`},
		{name: "as many as allowed", text: manyBlocks(maxReadmeBlocks), want: wantBlocks(maxReadmeBlocks)},
		{name: "too many", text: manyBlocks(maxReadmeBlocks + 1), err: "more than 16 blocks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readmeBlocks(tt.text)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// manyBlocks is n README blocks with distinct names.
func manyBlocks(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "<!-- readme-test: %s -->\n    x\n", strings.Repeat("z", i+1))
	}
	return b.String()
}

// wantBlocks is what readmeBlocks returns for manyBlocks(n).
func wantBlocks(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[strings.Repeat("z", i+1)] = "x"
	}
	return m
}

// readmeURL is the API address the README's commands use: magnumd's
// default.
const readmeURL = "http://127.0.0.1:9511"

// TestReadmeCLI runs the README's "Use it with the real CLI" commands as
// written: magnumd with the README's arguments (on a free loopback port and
// a data directory of the test instead of the defaults), then each CLI
// block through bash with the real openstack CLI and no OS_* variables, so
// that the README's auth flags are what makes them work.
func TestReadmeCLI(t *testing.T) {
	text, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	blocks, err := readmeBlocks(string(text))
	require.NoError(t, err)
	for _, name := range []string{"magnumd", "cli", "cleanup"} {
		require.Contains(t, blocks, name, "README has a readme-test block %q", name)
	}
	cfg, err := LoadConfig("")
	require.NoError(t, err)
	require.Equal(t, readmeURL, "http://"+cfg.Listen, "the README's commands use magnumd's default address")

	start, ok := strings.CutPrefix(blocks["magnumd"], "go run ./cmd/magnumd")
	require.True(t, ok, "the magnumd block starts magnumd: %q", blocks["magnumd"])
	require.NotContains(t, start, "\n", "the magnumd block is one command")
	bash := testenv.Command(t, "bash")
	testenv.Command(t, "openstack")
	d := startDaemon(t, strings.Fields(start)...)

	home := t.TempDir()
	runBlock := func(name string) string {
		t.Helper()
		script := strings.ReplaceAll(blocks[name], readmeURL, d.url)
		cmd := exec.Command(bash, "-euo", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = home, readmeEnv(home)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "README block %q:\n%s\n%s", name, script, out)
		return string(out)
	}

	out := runBlock("cli")
	assert.Contains(t, out, "Request to create cluster template")
	assert.Contains(t, out, "Request to create cluster")
	// The README says the cluster reaches CREATE_COMPLETE; the REST API
	// tells (the CLI would spend seconds per look).
	var clusters []readmeCluster
	require.Eventually(t, func() bool {
		clusters = listClusters(t, d)
		return len(clusters) > 0 && !strings.HasSuffix(clusters[0].Status, "_IN_PROGRESS")
	}, 3*time.Minute, 500*time.Millisecond, "the README's commands create a cluster that builds")
	require.Len(t, clusters, 1)
	assert.Equal(t, "CREATE_COMPLETE", clusters[0].Status, clusters[0].StatusReason)

	runBlock("cleanup")
	require.Eventually(t, func() bool { return len(listClusters(t, d)) == 0 }, 2*time.Minute, 500*time.Millisecond,
		"the README's cleanup deletes the cluster")

	require.NoError(t, d.stop(t))
	assert.Regexp(t, `msg="magnumd stopped".*\n$`, d.logs.String(), "the README's last word on magnumd")
}

// readmeCluster is what TestReadmeCLI reads of a cluster.
type readmeCluster struct {
	Name         string `json:"name"`
	Status       string `json:"status"`
	StatusReason string `json:"status_reason"`
}

// listClusters lists the clusters of magnumd's default noauth identity.
func listClusters(t *testing.T, d *runningDaemon) []readmeCluster {
	t.Helper()
	resp, err := http.Get(d.url + "/v1/clusters")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var body struct{ Clusters []readmeCluster }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return body.Clusters
}

// readmeEnv is the test's environment without the OpenStack client
// variables, in an empty home.
func readmeEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home)
}
