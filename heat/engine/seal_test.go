package engine

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/atrest"
	"github.com/gomagnum/gomagnum/internal/testkeys"
)

// testSealer seals the records of the engines and clouds engineOnCloud
// starts, so that their restarts read sealed records.
var testSealer = func() *certs.Keyring {
	sum := sha256.Sum256([]byte("test"))
	r, err := certs.NewKeyring(certs.EncryptionKey{ID: "test", Secret: sum[:]})
	if err != nil {
		panic(err)
	}
	return r
}()

// sealedEngineOnCloud starts an engine over a simulated cloud, each
// storing in its own blobs, both sealing their records with sealer
// (none when nil).
func sealedEngineOnCloud(t *testing.T, blobs Blobs, cloudBlobs sim.Blobs, sealer Sealer) (*sim.Cloud, *Engine, error) {
	t.Helper()
	ctx := context.Background()
	simOpts, opts := []sim.Option{sim.WithBlobs(cloudBlobs)}, []Option{WithBlobs(blobs)}
	if sealer != nil {
		simOpts, opts = append(simOpts, sim.WithSealer(sealer)), append(opts, WithSealer(sealer))
	}
	c, err := sim.New(ctx, simOpts...)
	if err != nil {
		return nil, nil, err
	}
	e, err := New(ctx, append(opts, WithCloud(c))...)
	return c, e, err
}

// hiddenSecret passes a hidden parameter on to a resource's properties
// and attributes, the members of a group (whose nested template holds
// it), a software config, a file's text and a server's user data.
const hiddenSecret = `
heat_template_version: 2018-08-31
parameters:
  secret: {type: string, hidden: true}
resources:
  value: {type: OS::Heat::Value, properties: {value: {get_param: secret}}}
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: OS::Heat::TestResource
        properties: {value: {get_param: secret}}
  config:
    type: OS::Heat::SoftwareConfig
    properties:
      config:
        str_replace:
          template: {get_file: boot.sh}
          params: {__KEY__: {get_param: secret}}
  server:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: m1.tiny
      networks: [{network: private}]
      user_data_format: RAW
      user_data: {get_attr: [config, config]}
outputs:
  value: {value: {get_attr: [value, value]}}
  group: {value: {get_attr: [group, output]}}
`

const (
	theSecret  = "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCnMzY3JldAo="
	secretFile = "KEY='__KEY__'\nFILE_SECRET=f1l3-s3cret\n"
)

// createSecretStack creates hiddenSecret and waits for it.
func createSecretStack(t *testing.T, e *Engine) *heat.Stack {
	t.Helper()
	id, err := e.CreateStack(context.Background(), heat.StackSpec{Name: "secret", Template: []byte(hiddenSecret),
		Files: map[string]string{"boot.sh": secretFile}, Parameters: map[string]any{"secret": theSecret}})
	require.NoError(t, err)
	st := waitStack(t, e, id)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
	return st
}

// checkSealed checks that every record of blobs is sealed, so that no
// secret is in clear, in any encoding.
func checkSealed(t *testing.T, blobs Blobs, domain string) {
	t.Helper()
	all, err := blobs.List(context.Background(), "")
	require.NoError(t, err)
	require.NotEmpty(t, all)
	for key, b := range all {
		for _, s := range []string{theSecret, "f1l3-s3cret"} {
			assert.NotContains(t, string(b), s, "%s/%s", domain, key)
		}
		_, _, err := atrest.Open(nil, domain, key, b)
		assert.ErrorIs(t, err, atrest.ErrNoSealer, "%s/%s is sealed", domain, key)
	}
}

// containsSecret reports whether some record of blobs holds the secret
// in clear.
func containsSecret(t *testing.T, blobs Blobs) bool {
	t.Helper()
	all, err := blobs.List(context.Background(), "")
	require.NoError(t, err)
	for _, b := range all {
		if strings.Contains(string(b), theSecret) {
			return true
		}
	}
	return false
}

// TestRecordsAreSealedAtRest: an engine and a cloud with a sealer store
// no record in clear; their restart reads the stack back whole, and
// without the key they refuse to load.
func TestRecordsAreSealedAtRest(t *testing.T) {
	ctx := context.Background()
	ring := testkeys.Keyring(t, "k1")
	blobs, cloudBlobs := NewMemoryBlobs(), &sim.MemBlobs{}
	_, e1, err := sealedEngineOnCloud(t, blobs, cloudBlobs, ring)
	require.NoError(t, err)
	st := createSecretStack(t, e1)
	assert.Equal(t, "******", st.Parameters["secret"], "a hidden parameter is masked")
	assert.Equal(t, theSecret, st.Outputs["value"])
	require.NoError(t, e1.Close())
	checkSealed(t, blobs, "engine")
	checkSealed(t, cloudBlobs, "sim")

	c2, e2, err := sealedEngineOnCloud(t, blobs, cloudBlobs, ring)
	require.NoError(t, err)
	again, err := e2.GetStack(ctx, st.ID)
	require.NoError(t, err)
	assert.Equal(t, st.Outputs["value"], again.Outputs["value"])
	servers, err := c2.Servers(ctx, "")
	require.NoError(t, err)
	require.Len(t, servers, 1)
	require.NoError(t, e2.DeleteStack(ctx, st.ID))
	assert.Equal(t, heat.DeleteComplete, waitStack(t, e2, st.ID).Status)
	require.NoError(t, e2.Close())

	_, _, err = sealedEngineOnCloud(t, blobs, cloudBlobs, nil)
	require.ErrorIs(t, err, atrest.ErrNoSealer, "sealed records do not load without the key")
	_, _, err = sealedEngineOnCloud(t, blobs, cloudBlobs, testkeys.Keyring(t, "k2"))
	require.ErrorIs(t, err, certs.ErrDecrypt, "nor with another key")
}

// TestRecordsStoredInClearAreSealedOnLoad: the records of an engine and
// a cloud that did not seal load into ones that do, and are sealed
// then; a key rotation seals them again under the new key.
func TestRecordsStoredInClearAreSealedOnLoad(t *testing.T) {
	ctx := context.Background()
	blobs, cloudBlobs := NewMemoryBlobs(), &sim.MemBlobs{}
	_, e1, err := sealedEngineOnCloud(t, blobs, cloudBlobs, nil)
	require.NoError(t, err)
	st := createSecretStack(t, e1)
	require.NoError(t, e1.Close())
	require.True(t, containsSecret(t, blobs), "an engine without a sealer stores in clear")
	require.True(t, containsSecret(t, cloudBlobs), "so does a cloud")

	for _, ring := range []*certs.Keyring{testkeys.Keyring(t, "k1"), testkeys.Keyring(t, "k2", "k1"), testkeys.Keyring(t, "k2")} {
		c, e, err := sealedEngineOnCloud(t, blobs, cloudBlobs, ring)
		require.NoError(t, err, "primary key %s", ring.Primary())
		checkSealed(t, blobs, "engine")
		checkSealed(t, cloudBlobs, "sim")
		again, err := e.GetStack(ctx, st.ID)
		require.NoError(t, err)
		assert.Equal(t, heat.CreateComplete, again.Status)
		assert.Equal(t, st.Outputs["value"], again.Outputs["value"])
		servers, err := c.Servers(ctx, "")
		require.NoError(t, err)
		assert.Len(t, servers, 1)
		require.NoError(t, e.Close())
	}
}
