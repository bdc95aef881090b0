package heat_test

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// TestIntegrationKeystoneAuth covers the three ways to authenticate and
// the re-authentication on an expired token, against the real Keystone.
func TestIntegrationKeystoneAuth(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	auth := keystoneAuth(t)
	h := keystoneHeat(t)
	provider := h.client.ServiceClient().ProviderClient
	listOK := func(t *testing.T, c *heat.Client) {
		t.Helper()
		_, _, err := c.ListStacks(ctx, heat.ListOptions{Limit: 1})
		require.NoError(t, err)
	}

	t.Run("password", func(t *testing.T) { listOK(t, h.client) })

	t.Run("token as it is", func(t *testing.T) {
		c, err := heat.NewClient(ctx, heat.WithAuth(gophercloud.AuthOptions{
			IdentityEndpoint: auth.IdentityEndpoint,
			TokenID:          provider.Token(),
		}))
		require.NoError(t, err)
		listOK(t, c)
	})

	t.Run("token rescoped", func(t *testing.T) {
		c, err := heat.NewClient(ctx, heat.WithAuth(gophercloud.AuthOptions{
			IdentityEndpoint: auth.IdentityEndpoint,
			TokenID:          provider.Token(),
			Scope:            &gophercloud.AuthScope{ProjectName: auth.TenantName, DomainName: auth.DomainName},
		}))
		require.NoError(t, err)
		listOK(t, c)
		p := c.ServiceClient().ProviderClient
		assert.NotEqual(t, provider.Token(), p.Token(), "a new token of the scope")
		p.SetToken("expired-token")
		listOK(t, c)
	})

	t.Run("application credential", func(t *testing.T) {
		identity, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{})
		require.NoError(t, err)
		user, err := provider.GetAuthResult().(tokens.CreateResult).ExtractUser()
		require.NoError(t, err)
		cred, err := applicationcredentials.Create(ctx, identity, user.ID, applicationcredentials.CreateOpts{
			Name: stackName("gm-appcred"),
		}).Extract()
		require.NoError(t, err)
		t.Cleanup(func() {
			assert.NoError(t, applicationcredentials.Delete(ctx, identity, user.ID, cred.ID).ExtractErr())
		})
		c, err := heat.NewClient(ctx, heat.WithAuth(gophercloud.AuthOptions{
			IdentityEndpoint:            auth.IdentityEndpoint,
			ApplicationCredentialID:     cred.ID,
			ApplicationCredentialSecret: cred.Secret,
		}))
		require.NoError(t, err)
		listOK(t, c)
	})

	t.Run("wrong password", func(t *testing.T) {
		bad := auth
		bad.Password = "not-" + auth.Password
		_, err := heat.NewClient(ctx, heat.WithAuth(bad))
		require.ErrorIs(t, err, heat.ErrUnauthorized)
	})

	t.Run("re-authenticates when Heat refuses the token", func(t *testing.T) {
		c := keystoneHeat(t).client
		p := c.ServiceClient().ProviderClient
		p.SetToken("expired-token")
		listOK(t, c)
		assert.NotEqual(t, "expired-token", p.Token())
	})

	t.Run("a bad token without credentials is unauthorized", func(t *testing.T) {
		sc := *h.client.ServiceClient()
		p := &gophercloud.ProviderClient{}
		p.SetToken("not-a-token")
		sc.ProviderClient = p
		c, err := heat.NewClient(ctx, heat.WithServiceClient(&sc))
		require.NoError(t, err)
		_, _, err = c.ListStacks(ctx, heat.ListOptions{})
		require.ErrorIs(t, err, heat.ErrUnauthorized)
	})
}
