package magnum

import (
	"context"
	"errors"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/internal/store"
)

// QuotaListOptions pages and sorts ListQuotas.
type QuotaListOptions struct {
	// AllTenants lists every project's quotas; otherwise only the
	// caller's project's.
	AllTenants bool
	Limit      int
	// Marker is the ID of the last quota of the previous page.
	Marker  int64
	SortKey string
	SortDir string
}

func validateQuota(q Quota) error {
	switch {
	case q.ProjectID == "":
		return invalidf("Must provide a valid project ID.")
	case q.Resource != QuotaResourceCluster:
		return invalidf("Invalid input for field/attribute resource. Value: '%s'. Value should be one of: Cluster", q.Resource)
	case q.HardLimit < 0:
		return invalidf("Invalid input for field/attribute hard_limit. Value: '%d'. Value should be greater or equal to 0", q.HardLimit)
	}
	return nil
}

// CreateQuota sets a project's limit on a resource (admins only). The
// policy is checked before the project is looked up, so that a caller
// who may not create quotas cannot learn whether a project exists
// (Magnum looks it up first).
func (s *Service) CreateQuota(ctx context.Context, q Quota) (*Quota, error) {
	if _, err := s.authorize(ctx, "quota:create", Target{}); err != nil {
		return nil, err
	}
	if q.ProjectID != "" {
		if _, err := s.cloud.Project(ctx, q.ProjectID); errors.Is(err, cloud.ErrNotFound) {
			return nil, notFoundf("The project_id %s could not be found.", q.ProjectID)
		} else if err != nil {
			return nil, err
		}
	}
	if err := validateQuota(q); err != nil {
		return nil, err
	}
	row := store.Quota{ProjectID: q.ProjectID, Resource: q.Resource, HardLimit: q.HardLimit}
	err := s.store.Update(ctx, func(tx *store.Tx) error { return tx.InsertQuota(ctx, &row) })
	if errors.Is(err, store.ErrDuplicate) {
		return nil, conflictf("Quota for project %s already exists for resource %s.", q.ProjectID, q.Resource)
	}
	if err != nil {
		return nil, err
	}
	return quotaFromRow(row), nil
}

func quotaFromRow(r store.Quota) *Quota {
	return &Quota{ID: r.ID, ProjectID: r.ProjectID, Resource: r.Resource, HardLimit: r.HardLimit,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// GetQuota returns a project's quota on a resource, or the default limit
// when the project has none. Non-admins may read only their own.
func (s *Service) GetQuota(ctx context.Context, projectID, resource string) (*Quota, error) {
	c, err := s.authorize(ctx, "quota:get", Target{ProjectID: projectID})
	if err != nil || (!c.IsAdmin() && c.ProjectID != projectID) {
		return nil, newError(ErrForbidden, "Not authorized.")
	}
	var row store.Quota
	err = s.store.View(ctx, func(tx *store.Tx) (err error) {
		row, err = tx.GetQuota(ctx, projectID, resource)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return &Quota{ProjectID: projectID, Resource: QuotaResourceCluster, HardLimit: s.cfg.defaultClusterQuota}, nil
	}
	if err != nil {
		return nil, err
	}
	return quotaFromRow(row), nil
}

// UpdateQuota changes the limit of an existing quota (admins only).
func (s *Service) UpdateQuota(ctx context.Context, projectID, resource string, hardLimit int) (*Quota, error) {
	if _, err := s.authorize(ctx, "quota:update", Target{}); err != nil {
		return nil, err
	}
	if err := validateQuota(Quota{ProjectID: projectID, Resource: resource, HardLimit: hardLimit}); err != nil {
		return nil, err
	}
	row := store.Quota{ProjectID: projectID, Resource: resource, HardLimit: hardLimit}
	err := s.store.Update(ctx, func(tx *store.Tx) error { return tx.UpdateQuota(ctx, &row) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFoundf("Quota could not be found: project_id %s resource %s.", projectID, resource)
	}
	if err != nil {
		return nil, err
	}
	return quotaFromRow(row), nil
}

// DeleteQuota removes a project's quota (admins only); the default limit
// then applies again.
func (s *Service) DeleteQuota(ctx context.Context, projectID, resource string) error {
	if _, err := s.authorize(ctx, "quota:delete", Target{}); err != nil {
		return err
	}
	err := s.store.Update(ctx, func(tx *store.Tx) error { return tx.DeleteQuota(ctx, projectID, resource) })
	if errors.Is(err, store.ErrNotFound) {
		return notFoundf("Quota could not be found: project_id %s resource %s.", projectID, resource)
	}
	return err
}

// ListQuotas lists quotas (admins only): the caller's project's, or every
// project's with AllTenants.
func (s *Service) ListQuotas(ctx context.Context, o QuotaListOptions) ([]Quota, error) {
	c, err := s.authorize(ctx, "quota:get_all", Target{})
	if err != nil {
		return nil, err
	}
	lq, err := s.query(ListOptions{Limit: o.Limit, SortDir: o.SortDir}, store.Cond{}, nil)
	if err != nil {
		return nil, err
	}
	q := store.QuotaQuery{SortKey: o.SortKey, Desc: lq.Desc, Limit: lq.Limit, Marker: o.Marker}
	if !o.AllTenants {
		q.ProjectID = c.ProjectID
	}
	var rows []store.Quota
	err = s.store.View(ctx, func(tx *store.Tx) (err error) {
		rows, err = tx.ListQuotas(ctx, q)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFoundf("Quota %d could not be found.", o.Marker)
	case err != nil:
		return nil, invalidf("The sort_key value \"%s\" is an invalid field for sorting", o.SortKey)
	}
	out := make([]Quota, len(rows))
	for i, r := range rows {
		out[i] = *quotaFromRow(r)
	}
	return out, nil
}
