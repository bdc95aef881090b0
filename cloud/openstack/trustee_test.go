package openstack_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	gopenstack "github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/openstack"
)

// trustorAs returns a TrustorFunc that logs in as user on the fake, and
// records the users it was asked for.
func trustorAs(f *fakeCloud, t *testing.T, user, password string, asked *[]string) openstack.TrustorFunc {
	return func(_ context.Context, userID, projectID string) (*gophercloud.ProviderClient, error) {
		*asked = append(*asked, userID+"@"+projectID)
		return f.provider(t, user, password), nil
	}
}

func TestCreateTrustee(t *testing.T) {
	var asked []string
	cases := []struct {
		name      string
		opts      func(*fakeCloud) []openstack.Option
		req       cloud.TrusteeRequest
		wantRoles []string
		wantAsked []string
	}{
		{name: "the provider's user is the trustor; its effective roles",
			req:       cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser},
			wantRoles: []string{adminRole, memberRole, readerRole}},
		{name: "roles of the request",
			req:       cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser, Roles: []string{"member"}},
			wantRoles: []string{memberRole}},
		{name: "configured roles win over the request's",
			opts: func(*fakeCloud) []openstack.Option {
				return []openstack.Option{openstack.WithTrustRoles("reader")}
			},
			req:       cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser, Roles: []string{"admin"}},
			wantRoles: []string{readerRole}},
		{name: "another trustor through WithTrustor",
			opts: func(f *fakeCloud) []openstack.Option {
				return []openstack.Option{openstack.WithTrustor(trustorAs(f, t, "alice", "alice-pw", &asked))}
			},
			req:       cloud.TrusteeRequest{ClusterUUID: clusterTwo, ProjectID: demoProject, TrustorUserID: aliceUser},
			wantRoles: []string{memberRole, readerRole, stackOwner},
			wantAsked: []string{aliceUser + "@" + demoProject}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			asked = nil
			f := newFake(t)
			opts := []openstack.Option{openstack.WithTrusteeDomainID(magnumDomain)}
			if tc.opts != nil {
				opts = append(opts, tc.opts(f)...)
			}
			got, err := f.cloud(t, opts...).CreateTrustee(context.Background(), tc.req)
			require.NoError(t, err)

			assert.Equal(t, tc.req.ClusterUUID+"_"+tc.req.ProjectID, got.UserName)
			assert.Equal(t, magnumDomain, got.DomainID)
			assert.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9]{18}$`), got.Password)
			user := f.user(got.UserID)
			require.NotNil(t, user, "the trustee user exists")
			assert.Equal(t, got.UserName, user["name"])
			assert.Equal(t, magnumDomain, user["domain_id"])
			assert.Equal(t, got.Password, user["password"])
			assert.Equal(t, true, user["enabled"])

			trust := f.trust(got.TrustID)
			require.NotNil(t, trust, "the trust exists")
			assert.Equal(t, tc.req.TrustorUserID, trust["trustor_user_id"])
			assert.Equal(t, got.UserID, trust["trustee_user_id"])
			assert.Equal(t, tc.req.ProjectID, trust["project_id"])
			assert.Equal(t, true, trust["impersonation"])
			assert.NotEqual(t, true, trust["allow_redelegation"], "delegation depth 0")
			var roles []string
			for _, r := range trust["roles"].([]object) {
				roles = append(roles, r["id"].(string))
			}
			assert.ElementsMatch(t, tc.wantRoles, roles)
			assert.Equal(t, tc.wantAsked, asked)
		})
	}
}

// TestTrusteeCanUseTrust logs in as the new trustee through its trust,
// as the cluster's nodes do.
func TestTrusteeCanUseTrust(t *testing.T) {
	f := newFake(t)
	c := f.cloud(t, openstack.WithTrusteeDomainName("magnum"))
	tr, err := c.CreateTrustee(context.Background(), cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser})
	require.NoError(t, err)
	assert.Equal(t, magnumDomain, tr.DomainID, "the domain name was resolved")

	_, err = gopenstack.AuthenticatedClient(context.Background(), gophercloud.AuthOptions{
		IdentityEndpoint: f.url("identity") + "/v3/", UserID: tr.UserID, Password: tr.Password,
		Scope: &gophercloud.AuthScope{TrustID: tr.TrustID},
	})
	require.NoError(t, err)
}

func TestCreateTrusteeFailures(t *testing.T) {
	valid := cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser}
	cases := []struct {
		name    string
		opts    func(*fakeCloud) []openstack.Option
		req     cloud.TrusteeRequest
		fail    map[string]fault
		wantErr error
		wantMsg string
		// usersCreated is how many POST /v3/users were sent.
		usersCreated int
	}{
		{name: "no trustee domain configured", opts: func(*fakeCloud) []openstack.Option { return nil },
			req: valid, wantErr: openstack.ErrInvalid, wantMsg: "no trustee domain"},
		{name: "no cluster UUID", req: cloud.TrusteeRequest{ProjectID: demoProject, TrustorUserID: adminUser}, wantErr: openstack.ErrInvalid},
		{name: "no project", req: cloud.TrusteeRequest{ClusterUUID: clusterOne, TrustorUserID: adminUser}, wantErr: openstack.ErrInvalid},
		{name: "no trustor", req: cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject}, wantErr: openstack.ErrInvalid},
		{name: "trustor is not the provider's user", usersCreated: 1,
			req:     cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: aliceUser},
			wantErr: cloud.ErrForbidden, wantMsg: "identity:create_trust"},
		{name: "trustor without a role on the project", usersCreated: 1,
			req:     cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: bobUser},
			wantErr: cloud.ErrForbidden, wantMsg: "the trustor has no role to delegate"},
		{name: "a role the trustor does not hold", usersCreated: 1,
			req:     cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser, Roles: []string{"heat_stack_owner"}},
			wantErr: cloud.ErrNotFound, wantMsg: "Could not find role: " + stackOwner},
		{name: "trustor login fails", usersCreated: 1, req: valid, wantMsg: "authenticate trustor " + adminUser + ": login refused",
			opts: func(*fakeCloud) []openstack.Option {
				return []openstack.Option{openstack.WithTrusteeDomainID(magnumDomain), openstack.WithTrustor(
					func(context.Context, string, string) (*gophercloud.ProviderClient, error) {
						return nil, errors.New("login refused")
					})}
			}},
		{name: "trustor function returns nothing", usersCreated: 1, req: valid, wantErr: openstack.ErrInvalid,
			opts: func(*fakeCloud) []openstack.Option {
				return []openstack.Option{openstack.WithTrusteeDomainID(magnumDomain), openstack.WithTrustor(
					func(context.Context, string, string) (*gophercloud.ProviderClient, error) { return nil, nil })}
			}},
		{name: "trustee domain does not exist", usersCreated: 1, req: valid, wantErr: cloud.ErrNotFound,
			wantMsg: "Could not find domain: nosuch.",
			opts: func(*fakeCloud) []openstack.Option {
				return []openstack.Option{openstack.WithTrusteeDomainID("nosuch")}
			}},
		{name: "user creation refused", usersCreated: 1, req: valid, wantErr: cloud.ErrForbidden,
			fail: map[string]fault{"POST /v3/users": {status: 403, message: "You are not authorized to perform the requested action: identity:create_user."}}},
		{name: "user creation fails", usersCreated: 1, req: valid, wantMsg: "keystone answered 500 to POST",
			fail: map[string]fault{"POST /v3/users": {status: 500, message: "An unexpected error prevented the server from fulfilling your request."}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			for k, fl := range tc.fail {
				method, path, _ := strings.Cut(k, " ")
				f.fail(method, path, fl.status, fl.message)
			}
			opts := []openstack.Option{openstack.WithTrusteeDomainID(magnumDomain)}
			if tc.opts != nil {
				opts = tc.opts(f)
			}
			c := f.cloud(t, opts...)
			f.resetCalls()
			got, err := c.CreateTrustee(context.Background(), tc.req)
			require.Error(t, err)
			assert.Zero(t, got)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			}
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.Len(t, f.callsTo("keystone POST /v3/users"), tc.usersCreated)
			assert.Nil(t, f.userNamed(tc.req.ClusterUUID+"_"+tc.req.ProjectID), "no trustee user is left behind")
		})
	}
}

// userNamed returns the user of that name, or nil.
func (f *fakeCloud) userNamed(name string) object {
	f.mu.Lock()
	defer f.mu.Unlock()
	return find(f.fx.Users, "name", name)
}

// TestCreateTrusteeTakesOverLeftover: a user left by an interrupted
// attempt is reused with the new password.
func TestCreateTrusteeTakesOverLeftover(t *testing.T) {
	f := newFake(t)
	name := clusterOne + "_" + demoProject
	f.mu.Lock()
	f.fx.Users = append(f.fx.Users, object{"id": "1eff0e500000400080000000000000aa", "name": name, "domain_id": magnumDomain,
		"enabled": false, "password": "old-password", "options": object{}, "password_expires_at": nil})
	f.mu.Unlock()

	got, err := f.cloud(t, openstack.WithTrusteeDomainID(magnumDomain)).CreateTrustee(context.Background(),
		cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser})
	require.NoError(t, err)
	assert.Equal(t, "1eff0e500000400080000000000000aa", got.UserID)
	user := f.user(got.UserID)
	assert.Equal(t, got.Password, user["password"])
	assert.Equal(t, true, user["enabled"])
	require.NotNil(t, f.trust(got.TrustID))
	assert.Equal(t, got.UserID, f.trust(got.TrustID)["trustee_user_id"])
}

func TestDeleteTrustee(t *testing.T) {
	cases := []struct {
		name    string
		fail    map[string]int // "METHOD kind" ("DELETE trust", "DELETE user") -> status
		wantErr error
		wantMsg string
	}{
		{name: "both deleted"},
		{name: "trust refused: gone with its trustee", fail: map[string]int{"DELETE trust": 403}},
		{name: "trust fails: gone with its trustee", fail: map[string]int{"DELETE trust": 500}},
		{name: "user refused", fail: map[string]int{"DELETE user": 403}, wantErr: cloud.ErrForbidden, wantMsg: "trustee user"},
		{name: "user fails", fail: map[string]int{"DELETE user": 500}, wantMsg: "keystone answered 500 to DELETE"},
		{name: "both refused", fail: map[string]int{"DELETE trust": 403, "DELETE user": 403}, wantErr: cloud.ErrForbidden,
			wantMsg: "trust "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			c := f.cloud(t, openstack.WithTrusteeDomainID(magnumDomain))
			ctx := context.Background()
			tr, err := c.CreateTrustee(ctx, cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser})
			require.NoError(t, err)
			if s, ok := tc.fail["DELETE trust"]; ok {
				f.fail("DELETE", "/v3/OS-TRUST/trusts/"+tr.TrustID, s, http.StatusText(s))
			}
			if s, ok := tc.fail["DELETE user"]; ok {
				f.fail("DELETE", "/v3/users/"+tr.UserID, s, http.StatusText(s))
			}

			err = c.DeleteTrustee(ctx, tr)
			if tc.wantErr == nil && tc.wantMsg == "" {
				require.NoError(t, err)
				assert.Nil(t, f.user(tr.UserID))
				assert.Nil(t, f.trust(tr.TrustID))
				return
			}
			require.Error(t, err)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			}
			assert.Contains(t, err.Error(), tc.wantMsg)
			assert.NotNil(t, f.user(tr.UserID))
		})
	}
}

func TestDeleteTrusteeAlreadyGone(t *testing.T) {
	f := newFake(t)
	c := f.cloud(t, openstack.WithTrusteeDomainID(magnumDomain))
	ctx := context.Background()
	tr, err := c.CreateTrustee(ctx, cloud.TrusteeRequest{ClusterUUID: clusterOne, ProjectID: demoProject, TrustorUserID: adminUser})
	require.NoError(t, err)
	require.NoError(t, c.DeleteTrustee(ctx, tr))

	f.resetCalls()
	require.NoError(t, c.DeleteTrustee(ctx, tr), "deleting again is fine")
	assert.Equal(t, 1, f.count("keystone DELETE /v3/OS-TRUST/trusts/"+tr.TrustID))
	assert.Equal(t, 1, f.count("keystone DELETE /v3/users/"+tr.UserID))

	f.resetCalls()
	require.NoError(t, c.DeleteTrustee(ctx, cloud.Trustee{}), "a cluster without trustee")
	assert.Empty(t, f.callsTo("keystone DELETE"))

	require.NoError(t, c.DeleteTrustee(ctx, cloud.Trustee{TrustID: "0000000000000000000000000000dead"}), "a trust without user")
}
