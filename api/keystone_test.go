package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// keystoneAuth returns password credentials for the real Keystone the
// environment names.
func keystoneAuth(t *testing.T) gophercloud.AuthOptions {
	return gophercloud.AuthOptions{
		IdentityEndpoint: testenv.Lookup(t, testenv.KeystoneURL, "a Keystone"),
		Username:         testenv.Lookup(t, testenv.KeystoneUser, "a Keystone user"),
		Password:         testenv.Lookup(t, testenv.KeystonePassword, "a Keystone password"),
		DomainName:       "Default",
		Scope: &gophercloud.AuthScope{ProjectName: testenv.Lookup(t, testenv.KeystoneProject, "a Keystone project"),
			DomainName: "Default"},
	}
}

// userToken issues a fresh token and returns it with its project and user.
func userToken(t *testing.T, ctx context.Context, identity *gophercloud.ServiceClient, ao gophercloud.AuthOptions) (token, project, user string) {
	t.Helper()
	res := tokens.Create(ctx, identity, &tokens.AuthOptions{IdentityEndpoint: ao.IdentityEndpoint, Username: ao.Username,
		Password: ao.Password, DomainName: ao.DomainName, Scope: tokens.Scope{ProjectName: ao.Scope.ProjectName, DomainName: ao.Scope.DomainName}})
	tok, err := res.ExtractTokenID()
	require.NoError(t, err)
	p, err := res.ExtractProject()
	require.NoError(t, err)
	u, err := res.ExtractUser()
	require.NoError(t, err)
	return tok, p.ID, u.ID
}

func TestKeystoneAuthentication(t *testing.T) {
	ao := keystoneAuth(t)
	ctx := context.Background()
	provider, err := openstack.AuthenticatedClient(ctx, ao)
	require.NoError(t, err)
	identity, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{})
	require.NoError(t, err)
	token, project, user := userToken(t, ctx, identity, ao)

	svc := newService(t)
	cached := newServer(t, svc, withAuth(api.NewKeystone(identity, api.WithTokenCacheTTL(time.Minute))))
	uncached := newServer(t, svc, withAuth(api.NewKeystone(identity, api.WithTokenCacheTTL(0))))

	r := do(t, cached, call{method: "POST", path: "/v1/clustertemplates", token: token,
		body: templateBody(map[string]any{"keypair_id": nil})})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	assert.Equal(t, project, r.body["project_id"], "the caller is the token's")
	assert.Equal(t, user, r.body["user_id"])
	r = do(t, cached, call{method: "GET", path: "/v1/mservices", token: token})
	assert.Equal(t, http.StatusOK, r.status, "the token's admin role reaches the policy: %s", r.raw)

	for _, tok := range []string{"", "not-a-token"} {
		r := do(t, cached, call{method: "GET", path: "/v1/clusters", token: tok})
		assert.Equal(t, http.StatusUnauthorized, r.status, "token %q: %s", tok, r.raw)
	}

	require.NoError(t, tokens.Revoke(ctx, identity, token).Err)
	r = do(t, cached, call{method: "GET", path: "/v1/clusters", token: token})
	assert.Equal(t, http.StatusOK, r.status, "a revoked token stays valid for the cache TTL")
	r = do(t, uncached, call{method: "GET", path: "/v1/clusters", token: token})
	assert.Equal(t, http.StatusUnauthorized, r.status, "without a cache, revocation shows at once")
}

func TestKeystoneUnreachable(t *testing.T) {
	provider := &gophercloud.ProviderClient{}
	provider.SetToken("service-token")
	identity := &gophercloud.ServiceClient{ProviderClient: provider, Endpoint: "http://127.0.0.1:1/v3/"}
	srv := newServer(t, newService(t), withAuth(api.NewKeystone(identity)))
	r := do(t, srv, call{method: "GET", path: "/v1/clusters", token: "some-token"})
	assert.Equal(t, http.StatusServiceUnavailable, r.status, r.raw)
}
