package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstart runs the quickstart: it tells its story, its first
// progress line has a reason, it prints the kubeconfig's path, and it
// leaves nothing in the temporary directory.
func TestQuickstart(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out), out.String())
	text := out.String()

	lines := strings.Split(text, "\n")
	var progress []string
	for _, l := range lines {
		if strings.HasPrefix(l, "  ") {
			progress = append(progress, l)
		}
	}
	require.NotEmpty(t, progress)
	assert.Regexp(t, `^  CREATE_IN_PROGRESS: \S`, progress[0], "the first progress line has a reason")
	assert.Contains(t, progress, "  CREATE_COMPLETE: CREATE completed successfully")
	path := regexp.MustCompile(`wrote the kubeconfig to (\S+)`).FindStringSubmatch(text)
	require.Len(t, path, 2, text)
	assert.True(t, strings.HasPrefix(path[1], tmp) && strings.HasSuffix(path[1], "/config"), path[1])
	assert.Contains(t, text, "signed a client certificate for CN=demo")
	assert.Contains(t, text, "deleted: the project has 0 clusters and 0 nodes")

	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "the quickstart leaves nothing behind")
}
