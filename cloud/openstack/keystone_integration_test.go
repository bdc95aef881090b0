package openstack_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/gophercloud/gophercloud/v2"
	gopenstack "github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/trusts"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/openstack"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// The tests in this file run against a real Keystone (scripts/heat.sh
// start keystone; GOMAGNUM_KEYSTONE_*): Keystone runs here, Glance, Nova,
// Neutron and Octavia do not, so only the identity work is checked for
// real.

const testTrusteeDomain = "gomagnum-test-trustees"

type realKeystone struct {
	provider *gophercloud.ProviderClient
	identity *gophercloud.ServiceClient // as the admin, for set-up and checks
	auth     gophercloud.AuthOptions
	userID   string // the admin's
	project  string // the admin project's ID
}

func newRealKeystone(t *testing.T) realKeystone {
	t.Helper()
	ctx := context.Background()
	auth := gophercloud.AuthOptions{
		IdentityEndpoint: testenv.Lookup(t, testenv.KeystoneURL, "a Keystone"),
		Username:         testenv.Lookup(t, testenv.KeystoneUser, "the Keystone admin user"),
		Password:         testenv.Lookup(t, testenv.KeystonePassword, "the Keystone admin password"),
		DomainName:       "Default",
		TenantName:       testenv.Lookup(t, testenv.KeystoneProject, "the Keystone admin project"),
	}
	p, err := gopenstack.AuthenticatedClient(ctx, auth)
	require.NoError(t, err)
	identity, err := gopenstack.NewIdentityV3(p, gophercloud.EndpointOpts{})
	require.NoError(t, err)
	res := p.GetAuthResult().(tokens.CreateResult)
	user, err := res.ExtractUser()
	require.NoError(t, err)
	project, err := res.ExtractProject()
	require.NoError(t, err)

	// This Keystone's catalog has no Glance, Nova or Neutron: point them
	// at an address nothing listens on (these tests never call them), and
	// leave Octavia out.
	locate := p.EndpointLocator
	p.EndpointLocator = func(eo gophercloud.EndpointOpts) (string, error) {
		switch eo.Type {
		case "identity":
			return locate(eo)
		case "load-balancer":
			return "", &gophercloud.ErrEndpointNotFound{}
		}
		return "http://127.0.0.1:9/", nil
	}
	return realKeystone{provider: p, identity: identity, auth: auth, userID: user.ID, project: project.ID}
}

// trusteeDomain makes sure the test trustee domain exists.
func (k realKeystone) trusteeDomain(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	pages, err := domains.List(k.identity, domains.ListOpts{Name: testTrusteeDomain}).AllPages(ctx)
	require.NoError(t, err)
	found, err := domains.ExtractDomains(pages)
	require.NoError(t, err)
	if len(found) == 1 {
		return found[0].ID
	}
	d, err := domains.Create(ctx, k.identity, domains.CreateOpts{Name: testTrusteeDomain, Description: "trustees of gomagnum's tests"}).Extract()
	require.NoError(t, err)
	return d.ID
}

// member creates a user with the member role on the admin project,
// deleted at the end of the test.
func (k realKeystone) member(t *testing.T) (id, password string) {
	t.Helper()
	ctx := context.Background()
	password = uuid.NewString()
	u, err := users.Create(ctx, k.identity, users.CreateOpts{Name: "gomagnum-trustor-" + uuid.NewString()[:8], DomainID: "default", Password: password}).Extract()
	require.NoError(t, err)
	t.Cleanup(func() { _ = users.Delete(context.Background(), k.identity, u.ID).ExtractErr() })
	pages, err := roles.List(k.identity, roles.ListOpts{Name: "member"}).AllPages(ctx)
	require.NoError(t, err)
	found, err := roles.ExtractRoles(pages)
	require.NoError(t, err)
	require.Len(t, found, 1)
	require.NoError(t, roles.Assign(ctx, k.identity, found[0].ID, roles.AssignOpts{UserID: u.ID, ProjectID: k.project}).ExtractErr())
	return u.ID, password
}

func (k realKeystone) trustGone(t *testing.T, id string) bool {
	t.Helper()
	err := trusts.Get(context.Background(), k.identity, id).Err
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return true
	}
	require.NoError(t, err)
	return false
}

func TestIntegrationProject(t *testing.T) {
	k := newRealKeystone(t)
	c := newCloud(t, k.provider, openstack.WithLogger(quiet))
	p, err := c.Project(context.Background(), k.project)
	require.NoError(t, err)
	assert.Equal(t, cloud.Project{ID: k.project, Name: k.auth.TenantName, DomainID: "default"}, p)

	_, err = c.Project(context.Background(), "no-such-project-"+uuid.NewString())
	require.ErrorIs(t, err, cloud.ErrNotFound)
	assert.Contains(t, err.Error(), "Could not find project")
}

func TestIntegrationTrusteeLifecycle(t *testing.T) {
	k := newRealKeystone(t)
	domain := k.trusteeDomain(t)
	c := newCloud(t, k.provider, openstack.WithTrusteeDomainName(testTrusteeDomain), openstack.WithLogger(quiet))
	ctx := context.Background()
	req := cloud.TrusteeRequest{ClusterUUID: uuid.NewString(), ProjectID: k.project, TrustorUserID: k.userID}

	first, err := c.CreateTrustee(ctx, req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.DeleteTrustee(context.Background(), first) })
	assert.Equal(t, domain, first.DomainID)
	assert.Equal(t, req.ClusterUUID+"_"+k.project, first.UserName)

	trust, err := trusts.Get(ctx, k.identity, first.TrustID).Extract()
	require.NoError(t, err)
	assert.True(t, trust.Impersonation)
	assert.Equal(t, k.userID, trust.TrustorUserID)
	assert.Equal(t, first.UserID, trust.TrusteeUserID)
	assert.Equal(t, k.project, trust.ProjectID)
	assert.Zero(t, trust.RedelegationCount)
	assert.NotEmpty(t, trust.Roles)

	// The cluster's nodes log in as the trustee through the trust.
	_, err = gopenstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: k.auth.IdentityEndpoint, UserID: first.UserID, Password: first.Password,
		Scope: &gophercloud.AuthScope{TrustID: first.TrustID},
	})
	require.NoError(t, err)

	// A retried create takes the user over with a new password.
	second, err := c.CreateTrustee(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, first.UserID, second.UserID)
	assert.NotEqual(t, first.Password, second.Password)
	assert.NotEqual(t, first.TrustID, second.TrustID)

	require.NoError(t, c.DeleteTrustee(ctx, second))
	assert.True(t, k.trustGone(t, second.TrustID))
	assert.True(t, k.trustGone(t, first.TrustID), "Keystone deleted the earlier trust with its trustee")
	require.NoError(t, c.DeleteTrustee(ctx, second), "deleting again is fine")
	require.NoError(t, c.DeleteTrustee(ctx, first))
}

func TestIntegrationTrustor(t *testing.T) {
	k := newRealKeystone(t)
	k.trusteeDomain(t)
	trustor, password := k.member(t)
	ctx := context.Background()
	req := cloud.TrusteeRequest{ClusterUUID: uuid.NewString(), ProjectID: k.project, TrustorUserID: trustor}

	// Without a way to log in as the trustor, Keystone refuses the trust
	// and the trustee user is deleted again.
	c := newCloud(t, k.provider, openstack.WithTrusteeDomainName(testTrusteeDomain), openstack.WithLogger(quiet))
	_, err := c.CreateTrustee(ctx, req)
	require.ErrorIs(t, err, cloud.ErrForbidden)
	pages, err := users.List(k.identity, users.ListOpts{Name: req.ClusterUUID + "_" + k.project}).AllPages(ctx)
	require.NoError(t, err)
	left, err := users.ExtractUsers(pages)
	require.NoError(t, err)
	assert.Empty(t, left)

	// With one, the trust is the trustor's, with the trustor's roles.
	c = newCloud(t, k.provider, openstack.WithTrusteeDomainName(testTrusteeDomain), openstack.WithLogger(quiet),
		openstack.WithTrustor(func(ctx context.Context, userID, projectID string) (*gophercloud.ProviderClient, error) {
			return gopenstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
				IdentityEndpoint: k.auth.IdentityEndpoint, UserID: userID, Password: password,
				Scope: &gophercloud.AuthScope{ProjectID: projectID},
			})
		}))
	tr, err := c.CreateTrustee(ctx, req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.DeleteTrustee(context.Background(), tr) })
	trust, err := trusts.Get(ctx, k.identity, tr.TrustID).Extract()
	require.NoError(t, err)
	assert.Equal(t, trustor, trust.TrustorUserID)
	var names []string
	for _, r := range trust.Roles {
		names = append(names, r.Name)
	}
	assert.Contains(t, names, "member")
	assert.NotContains(t, names, "admin")
	require.NoError(t, c.DeleteTrustee(ctx, tr))
	assert.True(t, k.trustGone(t, tr.TrustID))
}

// TestIntegrationTokenTrustor: the trust is made with the token of the
// user who asked for the cluster, passed along in the context.
func TestIntegrationTokenTrustor(t *testing.T) {
	k := newRealKeystone(t)
	k.trusteeDomain(t)
	trustor, password := k.member(t)
	ctx := context.Background()
	p, err := gopenstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: k.auth.IdentityEndpoint,
		UserID: trustor, Password: password, Scope: &gophercloud.AuthScope{ProjectID: k.project}})
	require.NoError(t, err)
	token := p.Token()

	c := newCloud(t, k.provider, openstack.WithTrusteeDomainName(testTrusteeDomain), openstack.WithLogger(quiet),
		openstack.WithTrustor(openstack.TokenTrustor(k.auth.IdentityEndpoint)))
	req := cloud.TrusteeRequest{ClusterUUID: uuid.NewString(), ProjectID: k.project, TrustorUserID: trustor}
	_, err = c.CreateTrustee(ctx, req)
	require.ErrorIs(t, err, openstack.ErrInvalid, "no token in the context")

	tr, err := c.CreateTrustee(cloud.WithTrustorToken(ctx, token), req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.DeleteTrustee(context.Background(), tr) })
	trust, err := trusts.Get(ctx, k.identity, tr.TrustID).Extract()
	require.NoError(t, err)
	assert.Equal(t, trustor, trust.TrustorUserID)
}
