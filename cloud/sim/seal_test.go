package sim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/internal/atrest"
	"github.com/gomagnum/gomagnum/internal/testkeys"
)

// checkSealed checks that every object of blobs is sealed and that none
// holds a secret in clear.
func checkSealed(t *testing.T, blobs *sim.MemBlobs, secrets ...string) {
	t.Helper()
	all, err := blobs.List(context.Background(), "")
	require.NoError(t, err)
	require.NotEmpty(t, all)
	for key, b := range all {
		for _, s := range secrets {
			assert.NotContains(t, string(b), s, key)
		}
		_, _, err := atrest.Open(nil, "sim", key, b)
		assert.ErrorIs(t, err, atrest.ErrNoSealer, "%s is sealed", key)
	}
}

// holds reports whether some object of blobs holds s in clear.
func holds(t *testing.T, blobs *sim.MemBlobs, s string) bool {
	t.Helper()
	all, err := blobs.List(context.Background(), "")
	require.NoError(t, err)
	for _, b := range all {
		if strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}

// TestObjectsStoredInClearAreSealedOnLoad: the objects a cloud without a
// sealer stored load into a cloud with one and are sealed then; a key
// rotation seals them again under the new key, after which the old key
// can go. Without the key, sealed objects do not load.
func TestObjectsStoredInClearAreSealedOnLoad(t *testing.T) {
	const userData = "#cloud-config\nwrite_files: [{content: s3cret-key}]\n"
	ctx := asDemo()
	blobs := &sim.MemBlobs{}
	c := newCloud(t, sim.WithBlobs(blobs))
	srv, err := c.CreateServer(ctx, sim.ServerSpec{Name: "master", Image: "fedora-coreos-40", Flavor: "m1.small",
		UserData: userData, Networks: []sim.NIC{{Network: "private"}}})
	require.NoError(t, err)
	trustee, err := c.CreateTrustee(ctx, cloud.TrusteeRequest{ClusterUUID: "c1", ProjectID: sim.DemoProjectID, TrustorUserID: sim.DemoUserID})
	require.NoError(t, err)
	before := takeSnapshot(t, c)
	require.True(t, holds(t, blobs, "s3cret-key"), "a cloud without a sealer stores in clear")
	require.True(t, holds(t, blobs, trustee.Password))

	for _, ring := range []*certs.Keyring{testkeys.Keyring(t, "k1"), testkeys.Keyring(t, "k2", "k1"), testkeys.Keyring(t, "k2")} {
		c := newCloud(t, sim.WithBlobs(blobs), sim.WithSealer(ring))
		checkSealed(t, blobs, "s3cret-key", trustee.Password)
		assert.Equal(t, before, takeSnapshot(t, c), "primary key %s", ring.Primary())
		got, err := c.Server(ctx, srv.ID)
		require.NoError(t, err)
		assert.Equal(t, userData, got.UserData)
	}

	_, err = sim.New(context.Background(), sim.WithBlobs(blobs))
	require.ErrorIs(t, err, atrest.ErrNoSealer)
	_, err = sim.New(context.Background(), sim.WithBlobs(blobs), sim.WithSealer(testkeys.Keyring(t, "k1")))
	require.ErrorIs(t, err, certs.ErrDecrypt, "k1 is retired")
}
