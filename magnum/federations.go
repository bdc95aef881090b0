package magnum

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/internal/store"
)

// Federation groups clusters around a host cluster. Federations are
// bookkeeping: a federation is complete as soon as it is stored, and
// joining or leaving only changes its member list.
type Federation struct {
	UUID          string            `json:"uuid"`
	Name          string            `json:"name"`
	ProjectID     string            `json:"project_id"`
	HostClusterID string            `json:"hostcluster_id"`
	MemberIDs     []string          `json:"member_ids"`
	Status        Status            `json:"status"`
	StatusReason  string            `json:"status_reason"`
	Properties    map[string]string `json:"properties"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`

	rev int64
}

// FederationCreate describes a federation to create. Properties must hold
// a dns-zone.
type FederationCreate struct {
	Name          string            `json:"name"`
	HostClusterID string            `json:"hostcluster_id"`
	MemberIDs     []string          `json:"member_ids"`
	Properties    map[string]string `json:"properties"`
}

var federationSortable = sortableFields(Federation{})

var federationPatchRules = patchRules{internal: append(slices.Clone(baseInternal), "/status", "/status_reason")}

// CreateFederation stores a federation around a host cluster of the
// caller's project and returns its UUID.
func (s *Service) CreateFederation(ctx context.Context, req FederationCreate) (string, error) {
	c, err := s.authorize(ctx, "federation:create", Target{})
	if err != nil {
		return "", err
	}
	if req.Name != "" {
		if err := validateClusterName(req.Name); err != nil {
			return "", err
		}
	}
	if req.HostClusterID == "" {
		return "", invalidf("No hostcluster specified. Please specify a hostcluster_id.")
	}
	if err := validateFederationProperties(req.Properties); err != nil {
		return "", err
	}
	f := &Federation{UUID: newUUID(), Name: or(req.Name, generateName("federation")), ProjectID: c.ProjectID,
		MemberIDs: append([]string{}, req.MemberIDs...), Properties: req.Properties, Status: CreateComplete,
		StatusReason: "CREATE completed successfully", CreatedAt: s.stamp()}
	err = s.store.Update(ctx, func(tx *store.Tx) error {
		host, err := findCluster(ctx, tx, req.HostClusterID, store.Eq("project_id", c.ProjectID))
		if err != nil {
			return err
		}
		f.HostClusterID = host.UUID
		rec, err := federationRecord(f)
		if err != nil {
			return err
		}
		return tx.Insert(ctx, store.Federations, rec)
	})
	return f.UUID, err
}

func validateFederationProperties(p map[string]string) error {
	if p == nil {
		return invalidf("Please specify a `properties` dict for the federation.")
	}
	if _, ok := p["dns-zone"]; !ok {
		return invalidf("No DNS zone specified. Please specify a `dns-zone`.")
	}
	return nil
}

// GetFederation returns a federation of the caller's project by UUID or
// name.
func (s *Service) GetFederation(ctx context.Context, ident string) (*Federation, error) {
	c, err := s.authorize(ctx, "federation:get", Target{})
	if err != nil {
		return nil, err
	}
	var f *Federation
	err = s.store.View(ctx, func(tx *store.Tx) (err error) {
		f, err = findFederation(ctx, tx, ident, store.Eq("project_id", c.ProjectID))
		return err
	})
	return f, err
}

func findFederation(ctx context.Context, tx *store.Tx, ident string, where store.Cond) (*Federation, error) {
	rec, err := findOne(ctx, tx, store.Federations, ident, where, "Federation", "federations")
	if err != nil {
		return nil, err
	}
	return federationFromRecord(rec)
}

// ListFederations lists the caller's project's federations.
func (s *Service) ListFederations(ctx context.Context, o ListOptions) ([]Federation, error) {
	c, err := s.authorize(ctx, "federation:get_all", Target{})
	if err != nil {
		return nil, err
	}
	q, err := s.query(o, store.Eq("project_id", c.ProjectID), federationSortable)
	if err != nil {
		return nil, err
	}
	var out []Federation
	err = s.store.View(ctx, func(tx *store.Tx) error {
		recs, err := tx.Find(ctx, store.Federations, q)
		if err != nil {
			return storeErr(err, func() error { return notFoundf("Federation %s could not be found.", o.Marker) })
		}
		for _, r := range recs {
			f, err := federationFromRecord(r)
			if err != nil {
				return err
			}
			out = append(out, *f)
		}
		return nil
	})
	return out, err
}

// UpdateFederation applies a JSON patch to a federation. Adding or
// removing a cluster UUID at /member_ids joins or unjoins that cluster;
// otherwise only member_ids and properties may change. It returns the
// federation's UUID.
func (s *Service) UpdateFederation(ctx context.Context, ident string, ops []PatchOp) (string, error) {
	c, err := s.authorize(ctx, "federation:update", Target{})
	if err != nil {
		return "", err
	}
	var uuid string
	err = s.store.Update(ctx, func(tx *store.Tx) error {
		old, err := findFederation(ctx, tx, ident, store.Eq("project_id", c.ProjectID))
		if err != nil {
			return err
		}
		uuid = old.UUID
		f, err := patchFederation(ctx, tx, old, ops)
		if err != nil {
			return err
		}
		if bad := notIn(changedFields(*old, *f), []string{"member_ids", "properties"}); len(bad) > 0 {
			return invalidf("cannot change federation property(ies) %s.", strings.Join(bad, ", "))
		}
		if err := validateFederationProperties(f.Properties); err != nil {
			return err
		}
		f.Status, f.StatusReason = UpdateComplete, "UPDATE completed successfully"
		rec, err := federationRecord(f)
		if err != nil {
			return err
		}
		rec.Version = old.rev
		return storeErr(tx.Put(ctx, store.Federations, rec), nil)
	})
	return uuid, err
}

// patchFederation applies a patch, turning an add or remove of one UUID
// at /member_ids into a join or unjoin.
func patchFederation(ctx context.Context, tx *store.Tx, old *Federation, ops []PatchOp) (*Federation, error) {
	f := *old
	f.MemberIDs = slices.Clone(old.MemberIDs)
	var rest []PatchOp
	for _, op := range ops {
		member, isString := op.Value.(string)
		if op.Path != "/member_ids" || !isString || (op.Op != PatchAdd && op.Op != PatchRemove) {
			rest = append(rest, op)
			continue
		}
		if err := joinOrLeave(ctx, tx, &f, op.Op, member); err != nil {
			return nil, err
		}
	}
	doc, err := toDoc(f)
	if err != nil {
		return nil, err
	}
	if err := applyPatch(doc, rest, federationPatchRules); err != nil {
		return nil, err
	}
	return &f, fromDoc(doc, &f)
}

func joinOrLeave(ctx context.Context, tx *store.Tx, f *Federation, op, member string) error {
	c, err := findCluster(ctx, tx, member, store.Eq("project_id", f.ProjectID))
	if err != nil {
		return err
	}
	i := slices.Index(f.MemberIDs, c.UUID)
	switch {
	case op == PatchAdd && i >= 0:
		return conflictf("A cluster with UUID %s is already a member of the federation %s.", c.UUID, f.Name)
	case op == PatchAdd:
		f.MemberIDs = append(f.MemberIDs, c.UUID)
	case i < 0:
		return notFoundf("Cluster %s is not a member of the federation %s.", c.UUID, f.Name)
	default:
		f.MemberIDs = slices.Delete(f.MemberIDs, i, i+1)
	}
	return nil
}

// DeleteFederation deletes a federation; its clusters are left alone.
func (s *Service) DeleteFederation(ctx context.Context, ident string) error {
	c, err := s.authorize(ctx, "federation:delete", Target{})
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx *store.Tx) error {
		f, err := findFederation(ctx, tx, ident, store.Eq("project_id", c.ProjectID))
		if err != nil {
			return err
		}
		return storeErr(tx.Delete(ctx, store.Federations, f.UUID), nil)
	})
}

func federationRecord(f *Federation) (*store.Record, error) {
	data, err := encodeDoc(f)
	if err != nil {
		return nil, err
	}
	return &store.Record{UUID: f.UUID, ProjectID: f.ProjectID, Name: f.Name, Data: data, CreatedAt: f.CreatedAt,
		Columns: map[string]any{"host_cluster_uuid": f.HostClusterID}}, nil
}

func federationFromRecord(r store.Record) (*Federation, error) {
	var f Federation
	if err := decodeDoc(r.Data, &f); err != nil {
		return nil, err
	}
	f.CreatedAt, f.UpdatedAt, f.rev = r.CreatedAt, r.UpdatedAt, r.Version
	return &f, nil
}
