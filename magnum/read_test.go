package magnum_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// TestRevisionedReads reads templates by revision: what the caller holds
// is not decoded, a change gives a new revision, and a read without Known
// decodes everything.
func TestRevisionedReads(t *testing.T) {
	s := newService(t)
	ctx := as(demo)
	a := mustTemplate(t, s, demo, k8sTemplate("a"))
	mustTemplate(t, s, demo, k8sTemplate("b"))

	first, err := s.ListClusterTemplateRevisions(ctx, magnum.ListOptions{}, magnum.ReadCache{})
	require.NoError(t, err)
	all := first.Items
	require.Len(t, all, 2)
	held := map[magnum.Revision]bool{}
	for _, v := range all {
		require.NotNil(t, v.Object)
		assert.Equal(t, v.UUID, v.Object.UUID)
		held[v.Revision] = true
	}
	var asked []string
	known := func(r magnum.Revision) bool { asked = append(asked, r.UUID); return held[r] }

	heldPage := func(p magnum.Page) bool { return p == first.Page }
	page, err := s.ListClusterTemplateRevisions(ctx, magnum.ListOptions{}, magnum.ReadCache{Pages: heldPage})
	require.NoError(t, err)
	assert.True(t, page.Held, "an unchanged page is held")
	assert.Equal(t, first.Page, page.Page)
	assert.Nil(t, page.Items)
	other, err := s.ListClusterTemplateRevisions(as(alt), magnum.ListOptions{}, magnum.ReadCache{Pages: heldPage})
	require.NoError(t, err)
	assert.False(t, other.Held, "another project's page is another page")
	assert.Empty(t, other.Items)

	cached, err := s.ListClusterTemplateRevisions(ctx, magnum.ListOptions{}, magnum.ReadCache{Objects: known})
	require.NoError(t, err)
	assert.Equal(t, []string{all[0].UUID, all[1].UUID}, asked, "asked once per object, in order")
	for i, v := range cached.Items {
		assert.Nil(t, v.Object, "held revisions are not decoded")
		assert.Equal(t, all[i].Revision, v.Revision)
	}

	_, err = s.UpdateClusterTemplate(ctx, a.UUID, []magnum.PatchOp{{Op: magnum.PatchReplace, Path: "/name", Value: "a2"}})
	require.NoError(t, err)
	one, err := s.GetClusterTemplateRevision(ctx, a.UUID, known)
	require.NoError(t, err)
	require.NotNil(t, one.Object, "a changed template is read again")
	assert.Equal(t, "a2", one.Object.Name)
	assert.Equal(t, all[0].Row, one.Row)
	assert.Greater(t, one.Version, all[0].Version)
	after, err := s.ListClusterTemplateRevisions(ctx, magnum.ListOptions{}, magnum.ReadCache{Pages: heldPage})
	require.NoError(t, err)
	assert.False(t, after.Held, "a write makes a new page")
	assert.NotEqual(t, first.Page, after.Page)
	require.Len(t, after.Items, 2)

	_, err = s.GetClusterTemplateRevision(as(alt), a.UUID, func(magnum.Revision) bool { return true })
	assert.ErrorIs(t, err, magnum.ErrNotFound, "a held revision does not lift project scoping")
}

// TestClusterPagesFollowWrites names a page of clusters after each kind
// of cluster write, the API's and the conductor's: every one gives a new
// page (the change feed's newest change names it), so that no cached page
// outlives a write.
func TestClusterPagesFollowWrites(t *testing.T) {
	s := newLiveService(t)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	ctx := as(demo)
	page := func() magnum.Page {
		l, err := s.ListClusterRevisions(ctx, magnum.ListOptions{}, magnum.ReadCache{})
		require.NoError(t, err)
		return l.Page
	}
	var id string
	writes := []struct {
		name  string
		write func() error
	}{
		{"create", func() (err error) {
			id, err = s.CreateCluster(ctx, magnum.ClusterCreate{Name: "c", ClusterTemplateID: "k8s", NodeCount: ptr(1)})
			return err
		}},
		{"status sync", func() error { waitDone(t, s, demo, id, magnum.CreateComplete); return nil }},
		{"update", func() error {
			_, err := s.UpdateCluster(ctx, id, []magnum.PatchOp{{Op: magnum.PatchReplace, Path: "/node_count", Value: 2}},
				magnum.UpdateOptions{})
			return err
		}},
		{"update done", func() error { waitDone(t, s, demo, id, magnum.UpdateComplete); return nil }},
		{"delete", func() error { return s.DeleteCluster(ctx, id) }},
		{"gone", func() error {
			require.Eventually(t, func() bool {
				l, err := s.ListClusterRevisions(ctx, magnum.ListOptions{}, magnum.ReadCache{})
				return err == nil && len(l.Items) == 0
			}, time.Minute, 10*time.Millisecond)
			return nil
		}},
	}
	before := page()
	assert.Equal(t, before, page(), "reads do not change the page")
	for _, w := range writes {
		require.NoError(t, w.write(), w.name)
		after := page()
		assert.NotEqual(t, before, after, w.name)
		before = after
	}
}
