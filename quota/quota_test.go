package quota_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/quota"
)

type counter struct {
	limits map[string]int
	used   map[string]int
	err    error
}

func (c counter) HardLimit(_ context.Context, p string, _ quota.Resource) (int, bool, error) {
	n, ok := c.limits[p]
	return n, ok, c.err
}

func (c counter) Used(_ context.Context, p string, _ quota.Resource) (int, error) {
	return c.used[p], c.err
}

func TestCheck(t *testing.T) {
	c := counter{limits: map[string]int{"small": 1, "zero": 0}, used: map[string]int{"small": 1, "busy": 20, "some": 19}}
	for _, tc := range []struct {
		project string
		limits  quota.Limits
		wantErr bool
		limit   int
	}{
		{project: "small", limits: quota.NewLimits(nil), wantErr: true, limit: 1},
		{project: "zero", limits: quota.NewLimits(nil), wantErr: true, limit: 0},
		{project: "busy", limits: quota.NewLimits(nil), wantErr: true, limit: 20},
		{project: "some", limits: quota.NewLimits(nil)},
		{project: "busy", limits: quota.NewLimits(map[quota.Resource]int{quota.Cluster: 21})},
	} {
		t.Run(tc.project, func(t *testing.T) {
			err := tc.limits.Check(context.Background(), c, tc.project, quota.Cluster, 1)
			if !tc.wantErr {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, quota.ErrExceeded)
			var ee *quota.ExceededError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, tc.limit, ee.Limit)
			assert.Contains(t, err.Error(), "You have reached the maximum clusters per project")
		})
	}
	boom := errors.New("boom")
	err := quota.NewLimits(nil).Check(context.Background(), counter{err: boom}, "p", quota.Cluster, 1)
	require.ErrorIs(t, err, boom)
}
