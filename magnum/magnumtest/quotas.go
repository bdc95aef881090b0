package magnumtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

func testQuotas(t *testing.T, api magnum.API) {
	ctx := As(t, Admin)
	q, err := api.CreateQuota(ctx, magnum.Quota{ProjectID: Alt.ProjectID, Resource: magnum.QuotaResourceCluster, HardLimit: 3})
	require.NoError(t, err)
	assert.Equal(t, 3, q.HardLimit)
	_, err = api.CreateQuota(ctx, magnum.Quota{ProjectID: Alt.ProjectID, Resource: magnum.QuotaResourceCluster, HardLimit: 4})
	require.ErrorIs(t, err, magnum.ErrConflict)
	q, err = api.UpdateQuota(ctx, Alt.ProjectID, magnum.QuotaResourceCluster, 7)
	require.NoError(t, err)
	assert.Equal(t, 7, q.HardLimit)
	q, err = api.GetQuota(As(t, Alt), Alt.ProjectID, magnum.QuotaResourceCluster)
	require.NoError(t, err)
	assert.Equal(t, 7, q.HardLimit)
	list, err := api.ListQuotas(ctx, magnum.QuotaListOptions{AllTenants: true})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, Alt.ProjectID, list[0].ProjectID)
	require.NoError(t, api.DeleteQuota(ctx, Alt.ProjectID, magnum.QuotaResourceCluster))
	_, err = api.UpdateQuota(ctx, Alt.ProjectID, magnum.QuotaResourceCluster, 2)
	require.ErrorIs(t, err, magnum.ErrNotFound)
}

func testService(t *testing.T, api magnum.API) {
	svcs, err := api.ListMServices(As(t, Admin))
	require.NoError(t, err)
	require.NotEmpty(t, svcs)
	assert.Equal(t, "up", svcs[0].State)
	st, err := api.Stats(As(t, Admin), Alt.ProjectID, "cluster")
	require.NoError(t, err)
	assert.Equal(t, magnum.Stats{}, *st)
}
