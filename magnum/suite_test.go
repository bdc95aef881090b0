package magnum_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/magnum/magnumtest"
)

// TestSuite runs the suite of magnum.API against the embedded service.
func TestSuite(t *testing.T) {
	magnumtest.Run(t, func(t *testing.T) magnum.API {
		s := newLiveService(t)
		require.NoError(t, s.Heartbeat(context.Background()))
		return s
	})
}
