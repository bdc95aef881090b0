package magnum

import (
	"context"
	"errors"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/internal/store"
)

// Certificate is a cluster's CA certificate, or a client certificate the
// service signed from a CSR. It never holds a private key.
type Certificate struct {
	ClusterUUID string `json:"cluster_uuid"`
	// CAType is the CA: kubernetes (the default), etcd or front-proxy.
	CAType string `json:"ca_cert_type,omitempty"`
	// CSR is the signing request the certificate was signed from.
	CSR string `json:"csr,omitempty"`
	// PEM is the certificate.
	PEM string `json:"pem"`
}

// certificateCluster finds a cluster for a certificate operation and
// checks the rule against it: its owner, its trustee and admins pass.
func (s *Service) certificateCluster(ctx context.Context, ident, rule string) (*clusterDoc, Caller, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, c, err
	}
	var where store.Cond
	if !c.IsAdmin() {
		where = store.Eq("project_id", c.ProjectID)
	}
	var d *clusterDoc
	err = s.store.View(ctx, func(tx *store.Tx) (err error) {
		d, err = findCluster(ctx, tx, ident, where)
		return err
	})
	if err != nil {
		return nil, c, err
	}
	_, err = s.authorize(ctx, rule, Target{ProjectID: d.ProjectID, UserID: d.UserID, TrusteeUserID: d.Internal.TrusteeUserID})
	return d, c, err
}

// GetCACertificate returns a cluster's CA certificate: caType is
// kubernetes (the default), etcd or front-proxy (front_proxy).
func (s *Service) GetCACertificate(ctx context.Context, clusterIdent, caType string) (*Certificate, error) {
	d, _, err := s.certificateCluster(ctx, clusterIdent, "certificate:get")
	if err != nil {
		return nil, err
	}
	kind := certs.ParseCAKind(caType)
	pem, err := s.certs.CABundle(ctx, d.UUID, kind)
	if err != nil {
		return nil, certsErr(err, d)
	}
	return &Certificate{ClusterUUID: d.UUID, CAType: string(kind), PEM: string(pem)}, nil
}

// SignCertificate signs a client certificate for a cluster from a PEM
// CSR. Admins may ask for any subject; the cluster's nodes (its trustee)
// for node identities; other users only for their own user name, never
// O=system:masters (see package certs).
func (s *Service) SignCertificate(ctx context.Context, clusterIdent, csrPEM, caType string) (*Certificate, error) {
	if csrPEM == "" {
		return nil, invalidf("Invalid input for field/attribute csr. Value: ''. Value should have a minimum character requirement of 1")
	}
	d, c, err := s.certificateCluster(ctx, clusterIdent, "certificate:create")
	if err != nil {
		return nil, err
	}
	kind := certs.ParseCAKind(caType)
	req := certs.Requester{UserID: c.UserID, UserName: c.UserName, Role: certs.RoleUser}
	switch {
	case c.IsAdmin():
		req.Role = certs.RoleAdmin
	case c.UserID == d.Internal.TrusteeUserID:
		req.Role = certs.RoleClusterNode
	}
	pem, err := s.certs.SignCSR(ctx, d.UUID, kind, []byte(csrPEM), req)
	if err != nil {
		return nil, certsErr(err, d)
	}
	return &Certificate{ClusterUUID: d.UUID, CAType: caType, CSR: csrPEM, PEM: string(pem)}, nil
}

// certsErr maps the errors of package certs to the service's kinds.
func certsErr(err error, d *clusterDoc) error {
	switch {
	case errors.Is(err, certs.ErrSubjectForbidden):
		return wrapErr(ErrForbidden, err)
	case errors.Is(err, certs.ErrCSRRejected), errors.Is(err, certs.ErrInvalid):
		return wrapErr(ErrInvalid, err)
	case errors.Is(err, certs.ErrNotFound):
		return &Error{Kind: ErrConflict, Err: err,
			Message: "The certificates of cluster " + d.UUID + " are not issued yet; retry once the cluster is being created."}
	case errors.Is(err, certs.ErrRotationInProgress):
		return wrapErr(ErrConflict, err)
	}
	return err
}

// RotateCA replaces a cluster's CAs and distributes the new ones to its
// nodes; the cluster goes UPDATE_IN_PROGRESS. It returns the cluster's
// UUID.
func (s *Service) RotateCA(ctx context.Context, clusterIdent string) (string, error) {
	d, _, err := s.certificateCluster(ctx, clusterIdent, "certificate:rotate_ca")
	if err != nil {
		return "", err
	}
	t, err := s.templateOf(ctx, d)
	if err != nil {
		return "", err
	}
	if t.TLSDisabled {
		return "", invalidf("Rotating the CA certificate on a non-TLS cluster is not supported")
	}
	return d.UUID, s.mutateCluster(ctx, d.UUID, func(tx *store.Tx, cur *clusterDoc, _ []*NodeGroup) error {
		if err := checkStatus(cur, stableStatuses, "Rotating the CA of"); err != nil {
			return err
		}
		s.startOperation(cur, UpdateInProgress)
		return s.recordOperation(ctx, tx, cur.UUID, "", opRotateCA, nil)
	})
}

// RotateCredentials replaces a cluster's trustee credentials (its trustee
// user and trust), as API microversion 1.12 does. It returns the
// cluster's UUID.
func (s *Service) RotateCredentials(ctx context.Context, clusterIdent string) (string, error) {
	d, _, err := s.certificateCluster(ctx, clusterIdent, "credential:rotate")
	if err != nil {
		return "", err
	}
	params, err := s.trustorParams(ctx, d.UUID)
	if err != nil {
		return "", err
	}
	return d.UUID, s.mutateCluster(ctx, d.UUID, func(tx *store.Tx, cur *clusterDoc, _ []*NodeGroup) error {
		if err := checkStatus(cur, stableStatuses, "Rotating the credentials of"); err != nil {
			return err
		}
		s.startOperation(cur, UpdateInProgress)
		return s.recordOperation(ctx, tx, cur.UUID, "", opRotateTrustee, params)
	})
}
