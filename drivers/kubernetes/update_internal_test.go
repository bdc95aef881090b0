package kubernetes

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"v1.30.4", "v1.29.8", 1}, {"v1.29.8", "v1.30.4", -1}, {"v1.30", "v1.30.0", 0},
		{"v1.30.0-rc.1", "v1.30.0", -1}, {"3.5.15", "v3.5.9", 1}, {"latest", "v1.0", 0}, {"", "v1", 0},
		{"v1.30.0+build", "v1.30.0", 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, compareVersions(tt.a, tt.b), "%s vs %s", tt.a, tt.b)
	}
}

func FuzzCompareVersions(f *testing.F) {
	for _, s := range [][2]string{{"v1.30.4", "v1.29"}, {"1.2.3-rc", "1.2.3"}, {"x", "v1"}, {"v", "."}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		require.Equal(t, -compareVersions(b, a), compareVersions(a, b))
		require.Equal(t, 0, compareVersions(a, a))
	})
}
