package sim

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/cloud"
)

// trusteeRecord is a cluster's trustee user and trust.
type trusteeRecord struct {
	ClusterUUID   string        `json:"cluster_uuid"`
	ProjectID     string        `json:"project_id"`
	TrustorUserID string        `json:"trustor_user_id"`
	Roles         []string      `json:"roles"`
	Trustee       cloud.Trustee `json:"trustee"`
}

// CreateTrustee creates the trustee user of a cluster, named
// "<cluster uuid>_<project id>" in the catalog's trustee domain as Magnum
// names it, with a random password and a trust from the trustor. A
// trustee the cluster already has (left over by an interrupted attempt, or
// being rotated) is replaced: its password and trust stop working.
func (c *Cloud) CreateTrustee(ctx context.Context, req cloud.TrusteeRequest) (cloud.Trustee, error) {
	if req.ClusterUUID == "" || req.ProjectID == "" || req.TrustorUserID == "" {
		return cloud.Trustee{}, invalid("a trustee needs a cluster UUID, a project ID and a trustor user ID")
	}
	name := req.ClusterUUID + "_" + req.ProjectID
	if _, err := c.before(ctx, KindTrustee, OpCreate, name, req.ProjectID); err != nil {
		return cloud.Trustee{}, err
	}
	var out cloud.Trustee
	err := c.update(ctx, func(tx *txn) error {
		r := &trusteeRecord{
			ClusterUUID: req.ClusterUUID, ProjectID: req.ProjectID, TrustorUserID: req.TrustorUserID,
			Roles: slices.Clone(req.Roles),
			Trustee: cloud.Trustee{
				UserID: hexID(), UserName: name, Password: rand.Text(),
				DomainID: tx.c.cat.trusteeDomain, TrustID: hexID(),
			},
		}
		put(tx, tx.st.trustees, KindTrustee, req.ClusterUUID, r, true)
		out = r.Trustee
		return nil
	})
	return out, err
}

// DeleteTrustee deletes a trustee and its trust, found by user or trust
// ID; one already gone is not an error.
func (c *Cloud) DeleteTrustee(ctx context.Context, t cloud.Trustee) error {
	describe := func(st *state) (string, string, error) {
		if r := st.trusteeOf(t); r != nil {
			return r.Trustee.UserName, r.ProjectID, nil
		}
		return "", "", notFound("Could not find user: %s.", t.UserID)
	}
	err := c.deleteObject(ctx, KindTrustee, describe, func(tx *txn) error {
		remove(tx, tx.st.trustees, KindTrustee, tx.st.trusteeOf(t).ClusterUUID)
		return nil
	})
	if isNotFound(err) {
		return nil
	}
	return err
}

func (st *state) trusteeOf(t cloud.Trustee) *trusteeRecord {
	for _, r := range st.trustees {
		if (t.UserID != "" && r.Trustee.UserID == t.UserID) || (t.TrustID != "" && r.Trustee.TrustID == t.TrustID) {
			return r
		}
	}
	return nil
}

// hexID returns a Keystone-style ID.
func hexID() string { return strings.ReplaceAll(newID(), "-", "") }
