package openstack

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/trusts"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"

	"github.com/gomagnum/gomagnum/cloud"
)

// passwordLength is the length of a trustee's random password (Magnum's).
const passwordLength = 18

const passwordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// CreateTrustee creates the trustee user of a cluster, named
// "<cluster uuid>_<project id>", in the trustee domain with an
// 18-character random password, then a trust from req.TrustorUserID to it
// on req.ProjectID, with impersonation and no redelegation. The trust
// delegates the WithTrustRoles roles, else req.Roles, else every role the
// trustor holds on the project.
//
// A user of that name left by an earlier, interrupted attempt is reused
// with a new password. If the trust cannot be created the new user is
// deleted again.
func (c *Cloud) CreateTrustee(ctx context.Context, req cloud.TrusteeRequest) (cloud.Trustee, error) {
	if err := c.checkTrusteeRequest(req); err != nil {
		return cloud.Trustee{}, err
	}
	name := req.ClusterUUID + "_" + req.ProjectID
	password := newPassword()
	userID, err := c.ensureTrusteeUser(ctx, name, password)
	if err != nil {
		return cloud.Trustee{}, err
	}
	trustID, err := c.createTrust(ctx, req, userID)
	if err != nil {
		c.dropUser(ctx, userID)
		return cloud.Trustee{}, err
	}
	return cloud.Trustee{
		UserID:   userID,
		UserName: name,
		Password: password,
		DomainID: c.trusteeDomainID,
		TrustID:  trustID,
	}, nil
}

func (c *Cloud) checkTrusteeRequest(req cloud.TrusteeRequest) error {
	switch {
	case c.trusteeDomainID == "":
		return fmt.Errorf("%w: no trustee domain configured (WithTrusteeDomainID or WithTrusteeDomainName)", ErrInvalid)
	case req.ClusterUUID == "" || req.ProjectID == "" || req.TrustorUserID == "":
		return fmt.Errorf("%w: a trustee request needs a cluster UUID, a project ID and a trustor user ID", ErrInvalid)
	}
	return nil
}

// newPassword returns passwordLength random letters and digits.
func newPassword() string {
	const limit = 256 - 256%len(passwordAlphabet) // keeps the draw uniform
	out := make([]byte, 0, passwordLength)
	buf := make([]byte, 2*passwordLength)
	for len(out) < passwordLength {
		rand.Read(buf) // never fails (crypto/rand, Go 1.24+)
		for _, b := range buf {
			if int(b) < limit && len(out) < passwordLength {
				out = append(out, passwordAlphabet[int(b)%len(passwordAlphabet)])
			}
		}
	}
	return string(out)
}

// ensureTrusteeUser creates the trustee user, or takes over the one of
// that name and sets its password.
func (c *Cloud) ensureTrusteeUser(ctx context.Context, name, password string) (string, error) {
	what := subject("trustee user", name)
	enabled := true
	u, err := users.Create(ctx, c.identity, users.CreateOpts{
		Name: name, DomainID: c.trusteeDomainID, Password: password, Enabled: &enabled,
	}).Extract()
	if err == nil {
		return u.ID, nil
	}
	if !gophercloud.ResponseCodeIs(err, http.StatusConflict) {
		return "", classify("keystone", what, err)
	}
	pages, err := users.List(c.identity, users.ListOpts{Name: name, DomainID: c.trusteeDomainID}).AllPages(ctx)
	if err != nil {
		return "", classify("keystone", what, err)
	}
	found, err := users.ExtractUsers(pages)
	if err != nil {
		return "", classify("keystone", what, err)
	}
	if len(found) != 1 {
		return "", fmt.Errorf("keystone: %s: creation conflicts, but %d users have that name in domain %s", what, len(found), c.trusteeDomainID)
	}
	id := found[0].ID
	if _, err := users.Update(ctx, c.identity, url.PathEscape(id), users.UpdateOpts{Password: password, Enabled: &enabled}).Extract(); err != nil {
		return "", classify("keystone", what, err)
	}
	c.log.InfoContext(ctx, "reusing trustee user left by an earlier attempt", "user", name, "user_id", id)
	return id, nil
}

// createTrust creates the trust from the trustor to trusteeID.
func (c *Cloud) createTrust(ctx context.Context, req cloud.TrusteeRequest, trusteeID string) (string, error) {
	what := fmt.Sprintf("trust from user %s on project %s", req.TrustorUserID, req.ProjectID)
	delegated, err := c.delegatedRoles(ctx, req)
	if err != nil {
		return "", err
	}
	client, err := c.trustorClient(ctx, req)
	if err != nil {
		return "", err
	}
	t, err := trusts.Create(ctx, client, trusts.CreateOpts{
		TrustorUserID: req.TrustorUserID,
		TrusteeUserID: trusteeID,
		ProjectID:     req.ProjectID,
		Impersonation: true,
		Roles:         delegated,
	}).Extract()
	if err != nil {
		return "", classify("keystone", what, err)
	}
	return t.ID, nil
}

// delegatedRoles returns the roles a trust delegates: the configured ones,
// else the request's, else the trustor's effective roles on the project.
func (c *Cloud) delegatedRoles(ctx context.Context, req cloud.TrusteeRequest) ([]trusts.Role, error) {
	names := c.trustRoles
	if len(names) == 0 {
		names = req.Roles
	}
	var out []trusts.Role
	for _, n := range names {
		out = append(out, trusts.Role{Name: n})
	}
	if len(out) > 0 {
		return out, nil
	}
	what := fmt.Sprintf("roles of user %s on project %s", req.TrustorUserID, req.ProjectID)
	effective := true
	pages, err := roles.ListAssignments(c.identity, roles.ListAssignmentsOpts{
		UserID: req.TrustorUserID, ScopeProjectID: req.ProjectID, Effective: &effective,
	}).AllPages(ctx)
	if err != nil {
		return nil, classify("keystone", what, err)
	}
	assignments, err := roles.ExtractRoleAssignments(pages)
	if err != nil {
		return nil, classify("keystone", what, err)
	}
	seen := make(map[string]bool)
	for _, a := range assignments {
		if !seen[a.Role.ID] {
			seen[a.Role.ID] = true
			out = append(out, trusts.Role{ID: a.Role.ID})
		}
	}
	if len(out) == 0 {
		return nil, &failure{what: what, kind: cloud.ErrForbidden, detail: "the trustor has no role to delegate"}
	}
	return out, nil
}

// trustorClient returns the identity client that creates the trust.
func (c *Cloud) trustorClient(ctx context.Context, req cloud.TrusteeRequest) (*gophercloud.ServiceClient, error) {
	if c.trustor == nil {
		return c.identity, nil
	}
	p, err := c.trustor(ctx, req.TrustorUserID, req.ProjectID)
	if err != nil {
		return nil, fmt.Errorf("openstack: authenticate trustor %s: %w", req.TrustorUserID, err)
	}
	if p == nil {
		return nil, fmt.Errorf("%w: the trustor function returned no client for user %s", ErrInvalid, req.TrustorUserID)
	}
	return &gophercloud.ServiceClient{
		ProviderClient: p,
		Endpoint:       c.identity.Endpoint,
		ResourceBase:   c.identity.ResourceBase,
		Type:           c.identity.Type,
	}, nil
}

// dropUser deletes a trustee user whose trust could not be made; a
// failure is only logged, the caller reports the first error.
func (c *Cloud) dropUser(ctx context.Context, userID string) {
	err := users.Delete(ctx, c.identity, url.PathEscape(userID)).ExtractErr()
	if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		c.log.WarnContext(ctx, "trustee user left behind", "user_id", userID, "error", err)
	}
}

// DeleteTrustee deletes the trust and the trustee user; ones already gone
// are not an error. Keystone deletes the trusts of a deleted user, so a
// trust that could not be deleted by itself is gone once its trustee is.
func (c *Cloud) DeleteTrustee(ctx context.Context, t cloud.Trustee) error {
	var trustErr error
	if t.TrustID != "" {
		err := trusts.Delete(ctx, c.identity, url.PathEscape(t.TrustID)).ExtractErr()
		if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			trustErr = classify("keystone", subject("trust", t.TrustID), err)
		}
	}
	if t.UserID == "" {
		return trustErr
	}
	err := users.Delete(ctx, c.identity, url.PathEscape(t.UserID)).ExtractErr()
	if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return errors.Join(trustErr, classify("keystone", subject("trustee user", t.UserID), err))
	}
	if trustErr != nil {
		c.log.InfoContext(ctx, "trust removed with its trustee user", "trust_id", t.TrustID, "error", trustErr)
	}
	return nil
}
