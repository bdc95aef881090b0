package heat_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// BenchmarkCreateOneResource measures the latency of a one-resource stack
// (OS::Heat::None) from CreateStack to CREATE_COMPLETE seen by polling
// GetStack every 20 ms, through the Client, against the real Heats.
func BenchmarkCreateOneResource(b *testing.B) {
	for _, mode := range []struct {
		name string
		heat func(testing.TB) realHeat
	}{{"noauth", noauthHeat}, {"keystone", keystoneHeat}} {
		b.Run(mode.name, func(b *testing.B) {
			c := mode.heat(b).client
			tmpl := template(b, "one.yaml")
			var ids []string
			for b.Loop() {
				id, err := c.CreateStack(b.Context(), heat.StackSpec{Name: stackName("bench"), Template: tmpl})
				require.NoError(b, err)
				ids = append(ids, id)
				st, err := waitSettled(b.Context(), c, id, 20*time.Millisecond)
				require.NoError(b, err)
				require.Equal(b, heat.CreateComplete, st.Status, st.StatusReason)
			}
			b.StopTimer()
			for _, id := range ids {
				require.NoError(b, c.DeleteStack(b.Context(), id))
			}
		})
	}
}
