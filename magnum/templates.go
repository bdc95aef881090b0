package magnum

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/internal/store"
)

// ClusterTemplateCreate describes a template to create. Fields left empty
// take Magnum's defaults: a generated name, server type vm, the COE's
// default network driver, and floating IPs enabled.
type ClusterTemplateCreate struct {
	ClusterTemplate
	// FloatingIPEnabled overrides ClusterTemplate.FloatingIPEnabled when
	// set; nil means true.
	FloatingIPEnabled *bool `json:"floating_ip_enabled"`
}

// The COEs Magnum knows; a driver must still serve one for it to be used.
var coeTypes = []string{"kubernetes", "swarm", "mesos", "dcos", "swarm-mode"}

// The server types a template may have: virtual or bare-metal machines.
var serverTypes = []string{"vm", "bm"}

// COEs returns the container orchestration engines a template may name,
// in Magnum's order; a driver must still serve one for it to be used.
func COEs() []string { return slices.Clone(coeTypes) }

// ServerTypes returns the server types a template may have, in Magnum's
// order: vm and bm.
func ServerTypes() []string { return slices.Clone(serverTypes) }

var templatePatchRules = patchRules{
	internal: baseInternal,
	nonRemovable: []string{"/image_id", "/coe", "/network_driver", "/external_network_id", "/tls_disabled", "/public",
		"/server_type", "/registry_enabled", "/cluster_distro", "/hidden"},
	defaults: map[string]any{"floating_ip_enabled": true, "server_type": "vm", "labels": map[string]any{},
		"master_lb_enabled": false},
}

var templateSortable = sortableFields(ClusterTemplate{})

// CreateClusterTemplate validates and stores a new template.
func (s *Service) CreateClusterTemplate(ctx context.Context, req ClusterTemplateCreate) (*ClusterTemplate, error) {
	t := req.ClusterTemplate
	t.FloatingIPEnabled = req.FloatingIPEnabled == nil || *req.FloatingIPEnabled
	if t.ServerType == "" {
		t.ServerType = "vm"
	}
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	if err := validateTemplateFields(&t); err != nil {
		return nil, err
	}
	if err := s.checkDrivers(ctx, &t); err != nil {
		return nil, err
	}
	if err := checkStorageDriver(t.DockerStorageDriver, t.DockerVolumeSize); err != nil {
		return nil, err
	}
	c, err := s.authorize(ctx, "clustertemplate:create", Target{})
	if err != nil {
		return nil, err
	}
	if err := s.checkTemplateResources(ctx, c, &t, ErrInvalid); err != nil {
		return nil, err
	}
	if (t.Public || t.Hidden) && !s.policy.Allow(ctx, "clustertemplate:publish", c, Target{ProjectID: c.ProjectID, UserID: c.UserID}) {
		return nil, newError(ErrForbidden, "Not authorized to set public or hidden flag for cluster template.")
	}
	if t.UUID == "" {
		t.UUID = newUUID()
	} else if !isUUID(t.UUID) {
		return nil, invalidf("Invalid input for field/attribute uuid. Value: '%s'. Expected a uuid.", t.UUID)
	}
	if t.Name == "" {
		t.Name = generateName("template")
	}
	t.ProjectID, t.UserID = c.ProjectID, c.UserID
	t.CreatedAt, t.UpdatedAt = s.stamp(), time.Time{}
	rec, err := templateRecord(&t)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx *store.Tx) error { return tx.Insert(ctx, store.Templates, rec) })
	if errors.Is(err, store.ErrDuplicate) {
		return nil, conflictf("A ClusterTemplate with UUID %s already exists.", t.UUID)
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// checkTemplateResources validates the OpenStack resources a template
// names and the driver its image selects, setting cluster_distro. An image
// name several images have is an error of class ambiguousImage.
func (s *Service) checkTemplateResources(ctx context.Context, c Caller, t *ClusterTemplate, ambiguousImage error) error {
	ctx = cloud.WithProject(ctx, c.ProjectID)
	img, err := s.checkResources(ctx, resources{image: t.ImageID, flavor: t.FlavorID, masterFlavor: t.MasterFlavorID,
		externalNetwork: t.ExternalNetworkID, labels: t.Labels, ambiguousImage: ambiguousImage})
	if err != nil {
		return err
	}
	if err := s.checkKeypair(ctx, c.UserID, t.KeypairID); err != nil {
		return err
	}
	t.ClusterDistro = img.OSDistro
	d, err := s.driverFor(ctx, t)
	if err != nil {
		return err
	}
	return driverErr(d.ValidateTemplate(ctx, driverTemplate(t)))
}

// validateTemplateFields applies the typing and range rules of Magnum's
// API types.
func validateTemplateFields(t *ClusterTemplate) error {
	field := func(name, value, reason string) error {
		return invalidf("Invalid input for field/attribute %s. Value: '%s'. %s", name, value, reason)
	}
	switch {
	case t.COE == "":
		return field("coe", "None", "Mandatory field missing.")
	case !slices.Contains(coeTypes, t.COE):
		return field("coe", t.COE, "Value should be one of: "+strings.Join(coeTypes, ", "))
	case t.ImageID == "":
		return field("image_id", "None", "Mandatory field missing.")
	case len(t.Name) > 255:
		return field("name", t.Name, "Value should have a maximum character requirement of 255")
	case t.APIServerPort != 0 && (t.APIServerPort < 1024 || t.APIServerPort > 65535):
		return field("apiserver_port", itoa(t.APIServerPort), "Value should be between 1024 and 65535")
	case t.DockerVolumeSize < 0:
		return field("docker_volume_size", itoa(t.DockerVolumeSize), "Value should be greater or equal to 1")
	case !slices.Contains(serverTypes, t.ServerType):
		return field("server_type", t.ServerType, "Value should be one of: "+strings.Join(serverTypes, ", "))
	}
	return validateDNS(t.DNSNameserver)
}

func validateDNS(list string) error {
	if list == "" {
		return nil
	}
	for _, ip := range strings.Split(list, ",") {
		if a, err := netip.ParseAddr(ip); err != nil || !a.Is4() {
			return invalidf("Invalid input for field/attribute dns_nameserver. Value: '%s'. "+
				"Expected a single dns address or comma separated dns list, but received %s.", list, list)
		}
	}
	return nil
}

// checkStorageDriver applies the devicemapper rule to the effective
// docker volume size.
func checkStorageDriver(storageDriver string, volumeSize int) error {
	if storageDriver == "devicemapper" && volumeSize < 3 {
		size := "None"
		if volumeSize > 0 {
			size = itoa(volumeSize)
		}
		return invalidf("docker volume size %s GB is not valid, expecting minimum value 3GB for devicemapper storage driver.", size)
	}
	return nil
}

// GetClusterTemplate returns a template by UUID or name: one of the
// caller's project or a public one (every one for admins).
func (s *Service) GetClusterTemplate(ctx context.Context, ident string) (*ClusterTemplate, error) {
	v, err := s.GetClusterTemplateRevision(ctx, ident, nil)
	return v.Object, err
}

// visibleTemplate finds a template the caller may use; admins see every
// project's once allRule allows it.
func (s *Service) visibleTemplate(ctx context.Context, c Caller, ident, allRule string) (*ClusterTemplate, error) {
	where, err := s.templateScope(ctx, c, allRule)
	if err != nil {
		return nil, err
	}
	var t *ClusterTemplate
	err = s.store.View(ctx, func(tx *store.Tx) (err error) {
		t, err = findTemplate(ctx, tx, ident, where)
		return err
	})
	return t, err
}

// templateScope is the condition limiting a caller to the templates of
// their project and the public ones, lifted for admins when allRule
// allows it.
func (s *Service) templateScope(ctx context.Context, c Caller, allRule string) (store.Cond, error) {
	if !c.IsAdmin() {
		return store.Or(store.Eq("project_id", c.ProjectID), store.Eq("public", true)), nil
	}
	_, err := s.authorize(ctx, allRule, Target{})
	return store.Cond{}, err
}

func findTemplate(ctx context.Context, tx *store.Tx, ident string, where store.Cond) (*ClusterTemplate, error) {
	rec, err := findOne(ctx, tx, store.Templates, ident, where, "ClusterTemplate", "ClusterTemplates")
	var e *Error
	if errors.As(err, &e) && e.Kind == ErrNotFound {
		e.Kind = ErrTemplateNotFound
	}
	if err != nil {
		return nil, err
	}
	return templateFromRecord(rec)
}

// findOne finds the record an identifier names: by UUID when it looks
// like one, else by name, where a name matching several is a conflict.
func findOne(ctx context.Context, tx *store.Tx, k store.Kind, ident string, where store.Cond, what, plural string) (store.Record, error) {
	key := "name"
	if isUUID(ident) {
		key = "uuid"
	}
	recs, err := tx.Find(ctx, k, store.Query{Where: store.And(where, store.Eq(key, ident)), Limit: 2})
	switch {
	case err != nil:
		return store.Record{}, err
	case len(recs) == 0:
		return store.Record{}, notFoundf("%s %s could not be found.", what, ident)
	case len(recs) > 1:
		return store.Record{}, conflictf("Multiple %s exist with same name. Please use the %s uuid instead.",
			strings.ToLower(plural), strings.ToLower(what))
	}
	return recs[0], nil
}

// ListClusterTemplates lists the caller's project's templates and the
// public ones that are not hidden (every template for admins).
func (s *Service) ListClusterTemplates(ctx context.Context, o ListOptions) ([]ClusterTemplate, error) {
	return objects(s.ListClusterTemplateRevisions(ctx, o, ReadCache{}))
}

// UpdateClusterTemplate applies a JSON patch to a template. A template
// some cluster uses may only be renamed, published, hidden or re-tagged.
func (s *Service) UpdateClusterTemplate(ctx context.Context, ident string, ops []PatchOp) (*ClusterTemplate, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return nil, err
	}
	old, err := s.visibleTemplate(ctx, c, ident, "clustertemplate:update_all_projects")
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, "clustertemplate:update", Target{ProjectID: old.ProjectID, UserID: old.UserID}); err != nil {
		return nil, err
	}
	t, err := patchTemplate(old, ops)
	if err != nil {
		return nil, err
	}
	if err := s.checkDrivers(ctx, t); err != nil {
		return nil, err
	}
	if err := s.checkTemplateResources(ctx, c, t, ErrConflict); err != nil {
		return nil, err
	}
	if (old.Public != t.Public || old.Hidden != t.Hidden) &&
		!s.policy.Allow(ctx, "clustertemplate:publish", c, Target{ProjectID: c.ProjectID, UserID: c.UserID}) {
		return nil, newError(ErrForbidden, "Not authorized to set public or hidden flag for cluster template.")
	}
	err = s.store.Update(ctx, func(tx *store.Tx) error {
		rec, err := tx.Get(ctx, store.Templates, t.UUID)
		if err != nil {
			return storeErr(err, func() error { return notFoundf("ClusterTemplate %s could not be found.", ident) })
		}
		if err := checkTemplateInUse(ctx, tx, old, t); err != nil {
			return err
		}
		next, err := templateRecord(t)
		if err != nil {
			return err
		}
		next.Version, next.CreatedAt = rec.Version, rec.CreatedAt
		if err := tx.Put(ctx, store.Templates, next); err != nil {
			return storeErr(err, nil)
		}
		t.UpdatedAt = next.UpdatedAt
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func patchTemplate(old *ClusterTemplate, ops []PatchOp) (*ClusterTemplate, error) {
	doc, err := toDoc(old)
	if err != nil {
		return nil, err
	}
	if err := applyPatch(doc, ops, templatePatchRules); err != nil {
		return nil, err
	}
	t := *old
	if err := fromDoc(doc, &t); err != nil {
		return nil, err
	}
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	t.UUID, t.ProjectID, t.UserID, t.CreatedAt = old.UUID, old.ProjectID, old.UserID, old.CreatedAt
	return &t, validateTemplateFields(&t)
}

// checkTemplateInUse applies Magnum's rule for templates clusters use.
func checkTemplateInUse(ctx context.Context, tx *store.Tx, old, t *ClusterTemplate) error {
	n, err := tx.Count(ctx, store.Clusters, store.Eq("template_uuid", old.UUID))
	if err != nil || n == 0 {
		return err
	}
	changed := changedFields(*old, *t)
	publishing := len(changed) == 1 && ((changed[0] == "public" && t.Public) || changed[0] == "hidden" ||
		(changed[0] == "tags" && t.Tags != ""))
	if publishing || slices.Equal(changed, []string{"name"}) {
		return nil
	}
	return invalidf("ClusterTemplate %s is referenced by one or multiple clusters.", old.UUID)
}

// DeleteClusterTemplate deletes a template no cluster uses.
func (s *Service) DeleteClusterTemplate(ctx context.Context, ident string) error {
	c, err := callerOf(ctx)
	if err != nil {
		return err
	}
	t, err := s.visibleTemplate(ctx, c, ident, "clustertemplate:delete_all_projects")
	if err != nil {
		return err
	}
	if _, err := s.authorize(ctx, "clustertemplate:delete", Target{ProjectID: t.ProjectID, UserID: t.UserID}); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx *store.Tx) error {
		n, err := tx.Count(ctx, store.Clusters, store.Eq("template_uuid", t.UUID))
		if err != nil {
			return err
		}
		if n > 0 {
			return invalidf("ClusterTemplate %s is referenced by one or multiple clusters.", t.UUID)
		}
		return storeErr(tx.Delete(ctx, store.Templates, t.UUID),
			func() error { return notFoundf("ClusterTemplate %s could not be found.", ident) })
	})
}

func templateRecord(t *ClusterTemplate) (*store.Record, error) {
	data, err := encodeDoc(t)
	if err != nil {
		return nil, err
	}
	return &store.Record{UUID: t.UUID, ProjectID: t.ProjectID, Name: t.Name, Data: data, CreatedAt: t.CreatedAt,
		Columns: map[string]any{"public": t.Public, "hidden": t.Hidden}}, nil
}

func templateFromRecord(r store.Record) (*ClusterTemplate, error) {
	var t ClusterTemplate
	if err := decodeDoc(r.Data, &t); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = r.CreatedAt, r.UpdatedAt
	return &t, nil
}
