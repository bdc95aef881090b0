package magnum_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/store/storetest"
	"github.com/gomagnum/gomagnum/magnum"
)

// TestConcurrentCreatesRespectQuota: 50 goroutines create clusters in a
// project whose quota is 10; exactly 10 succeed, on SQLite and on
// PostgreSQL.
func TestConcurrentCreatesRespectQuota(t *testing.T) {
	for _, db := range []struct {
		name string
		opts func(t *testing.T) []magnum.Option
	}{
		{"sqlite", func(*testing.T) []magnum.Option { return nil }},
		{"postgres", func(t *testing.T) []magnum.Option {
			return []magnum.Option{magnum.WithDatabase(storetest.PostgresDSN(t))}
		}},
	} {
		t.Run(db.name, func(t *testing.T) {
			s := newService(t, db.opts(t)...)
			mustTemplate(t, s, demo, k8sTemplate("k8s"))
			_, err := s.CreateQuota(as(admin), magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 10})
			require.NoError(t, err)

			var wg sync.WaitGroup
			errs := make([]error, 50)
			for i := range errs {
				wg.Go(func() {
					_, errs[i] = s.CreateCluster(as(demo), magnum.ClusterCreate{ClusterTemplateID: "k8s"})
				})
			}
			wg.Wait()
			var created, refused int
			for _, err := range errs {
				switch {
				case err == nil:
					created++
				case errors.Is(err, magnum.ErrQuotaExceeded):
					refused++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			assert.Equal(t, 10, created)
			assert.Equal(t, 40, refused)

			clusters, err := s.ListClusters(as(demo), magnum.ListOptions{})
			require.NoError(t, err)
			require.Len(t, clusters, 10)
			groups := 0
			for _, c := range clusters {
				ngs, err := s.ListNodeGroups(as(demo), c.UUID, magnum.NodeGroupListOptions{})
				require.NoError(t, err)
				groups += len(ngs)
			}
			assert.Equal(t, 20, groups)
		})
	}
}
