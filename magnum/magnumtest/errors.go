package magnumtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// testErrors checks that each refusal comes back as the same typed error.
func testErrors(t *testing.T, api magnum.API) {
	tmpl, err := api.CreateClusterTemplate(As(t, Demo), K8sTemplate("k8s"))
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		caller magnum.Caller
		call   func(ctx context.Context) error
		want   error
	}{
		{"unknown cluster", Demo, func(ctx context.Context) error {
			_, err := api.GetCluster(ctx, "f2b2d0e0-0000-4000-8000-000000000000")
			return err
		}, magnum.ErrNotFound},
		{"unknown template for a cluster", Demo, func(ctx context.Context) error {
			_, err := api.CreateCluster(ctx, magnum.ClusterCreate{Name: "x", ClusterTemplateID: "nope"})
			return err
		}, magnum.ErrTemplateNotFound},
		{"unknown COE", Demo, func(ctx context.Context) error {
			req := K8sTemplate("nomad")
			req.COE = "nomad"
			_, err := api.CreateClusterTemplate(ctx, req)
			return err
		}, magnum.ErrInvalid},
		{"bad patch", Demo, func(ctx context.Context) error {
			_, err := api.UpdateClusterTemplate(ctx, tmpl.UUID, []magnum.PatchOp{{Op: "move", Path: "/name", Value: "x"}})
			return err
		}, magnum.ErrInvalid},
		{"another project's template", Alt, func(ctx context.Context) error {
			return api.DeleteClusterTemplate(ctx, tmpl.UUID)
		}, magnum.ErrNotFound},
		{"quota set by a member", Demo, func(ctx context.Context) error {
			_, err := api.CreateQuota(ctx, magnum.Quota{ProjectID: Demo.ProjectID, Resource: magnum.QuotaResourceCluster, HardLimit: 5})
			return err
		}, magnum.ErrForbidden},
		{"services listed by a member", Demo, func(ctx context.Context) error {
			_, err := api.ListMServices(ctx)
			return err
		}, magnum.ErrForbidden},
		{"no identity", magnum.Caller{}, func(ctx context.Context) error {
			_, err := api.ListClusters(ctx, magnum.ListOptions{})
			return err
		}, magnum.ErrUnauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := As(t, tc.caller)
			if tc.caller.UserID == "" {
				ctx = context.Background()
			}
			require.ErrorIs(t, tc.call(ctx), tc.want)
		})
	}
	t.Run("quota exceeded", func(t *testing.T) {
		_, err := api.CreateQuota(As(t, Admin), magnum.Quota{ProjectID: Demo.ProjectID, Resource: magnum.QuotaResourceCluster, HardLimit: 0})
		require.NoError(t, err)
		_, err = api.CreateCluster(As(t, Demo), magnum.ClusterCreate{Name: "over", ClusterTemplateID: tmpl.UUID})
		require.ErrorIs(t, err, magnum.ErrQuotaExceeded)
	})
}
