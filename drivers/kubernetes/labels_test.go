package kubernetes_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers/kubernetes"
)

// TestLabelsDocumented checks that doc.go's table lists every label with
// its default.
func TestLabelsDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	for _, l := range kubernetes.Labels {
		def := l.Default
		if def == "" {
			def = `""`
		}
		re := regexp.MustCompile(`(?m)^//\t` + regexp.QuoteMeta(l.Name) + `\s+` + regexp.QuoteMeta(def) + `(\s|$)`)
		assert.Regexp(t, re, string(doc), "label %s with default %s", l.Name, def)
	}
}
