package sim

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Volume is a Cinder volume.
type Volume struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ProjectID   string `json:"project_id"`
	Description string `json:"description"`
	SizeGB      int    `json:"size"`
	// Status is "available", or "in-use" while attached.
	Status           string    `json:"status"`
	VolumeType       string    `json:"volume_type"`
	Bootable         bool      `json:"bootable"`
	ImageID          string    `json:"image_id"`
	AvailabilityZone string    `json:"availability_zone"`
	CreatedAt        time.Time `json:"created_at"`
	// Attachments lists where the volume is attached.
	Attachments []VolumeAttachment `json:"-"`
}

// VolumeSpec asks for a volume.
type VolumeSpec struct {
	ProjectID   string
	Name        string
	Description string
	SizeGB      int
	// VolumeType is one of the catalog's; the first one when empty.
	VolumeType string
	// Image (name or ID) makes a bootable volume holding the image.
	Image            string
	AvailabilityZone string
}

// VolumeAttachment is a volume attached to a server.
type VolumeAttachment struct {
	ID string `json:"id"`
	// ProjectID is the project of the server and the volume.
	ProjectID string `json:"project_id"`
	VolumeID  string `json:"volume_id"`
	ServerID  string `json:"server_id"`
	// Device is the guest device ("/dev/vdb").
	Device string `json:"device"`
	// DeleteOnTermination deletes the volume with the server.
	DeleteOnTermination bool      `json:"delete_on_termination"`
	CreatedAt           time.Time `json:"created_at"`
}

// VolumeAttachmentSpec asks to attach a volume to a server.
type VolumeAttachmentSpec struct {
	ServerID string
	VolumeID string
	// Device defaults to the next free /dev/vdX.
	Device string
}

var volumeFinder = finder[Volume]{
	what:    "Volume",
	name:    func(v *Volume) string { return v.Name },
	project: func(v *Volume) string { return v.ProjectID },
}

var attachmentFinder = finder[VolumeAttachment]{
	what:    "Volume attachment",
	name:    func(a *VolumeAttachment) string { return a.VolumeID },
	project: func(a *VolumeAttachment) string { return a.ProjectID },
}

// volumeView returns a copy of v with its attachments.
func (st *state) volumeView(v *Volume) Volume {
	out := *v
	out.Attachments = nil
	for _, a := range st.attachmentsOf(v.ID, kindVolumeAttachments) {
		out.Attachments = append(out.Attachments, *a)
	}
	return out
}

// attachmentsOf returns the attachments of a server or a volume (kind is
// kindServerAttachments or kindVolumeAttachments), by device.
func (st *state) attachmentsOf(id string, kind Kind) []*VolumeAttachment {
	var out []*VolumeAttachment
	for _, aid := range st.children(id, kind) {
		out = append(out, st.attachments[aid])
	}
	slices.SortFunc(out, func(a, b *VolumeAttachment) int { return cmp.Compare(a.Device, b.Device) })
	return out
}

// Relation kinds of state.refs for attachments: the attachments of a
// server, and of a volume.
const (
	kindServerAttachments Kind = "server_attachments"
	kindVolumeAttachments Kind = "volume_attachments"
)

// CreateVolume creates a volume within the project's volumes and
// gigabytes quotas.
func (c *Cloud) CreateVolume(ctx context.Context, spec VolumeSpec) (Volume, error) {
	view := func(st *state, id string) Volume { return st.volumeView(st.volumes[id]) }
	return once(ctx, c, KindVolume, view, func() (Volume, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		fault, err := c.before(ctx, KindVolume, OpCreate, spec.Name, project)
		if err != nil {
			return Volume{}, err
		}
		if fault != nil && fault.Effect == EffectImageNotFound {
			return Volume{}, notFound("Image %s could not be found.", spec.Image)
		}
		if spec.SizeGB < 1 {
			return Volume{}, invalid("Invalid input received: Volume size '%d' must be an integer and greater than 0.", spec.SizeGB)
		}
		var out Volume
		err = c.update(ctx, func(tx *txn) error {
			v := &Volume{
				ID: newID(), Name: spec.Name, ProjectID: project, Description: spec.Description, SizeGB: spec.SizeGB,
				Status: "available", VolumeType: cmp.Or(spec.VolumeType, tx.c.cat.volumeTypes[0]),
				AvailabilityZone: cmp.Or(spec.AvailabilityZone, "nova"), CreatedAt: tx.now,
			}
			if !slices.Contains(tx.c.cat.volumeTypes, v.VolumeType) {
				return notFound("Volume type with name %s could not be found.", v.VolumeType)
			}
			if spec.Image != "" {
				im, err := tx.c.lookupImage(project, spec.Image)
				if err != nil {
					return err
				}
				v.ImageID, v.Bootable = im.ID, true
			}
			if err := tx.reserve(project, Usage{Volumes: 1, VolumeGB: v.SizeGB}); err != nil {
				return err
			}
			put(tx, tx.st.volumes, KindVolume, v.ID, v, true)
			out = tx.st.volumeView(v)
			return tx.claim(KindVolume, v.ID)
		})
		return out, err
	})
}

// Volume returns a volume by ID.
func (c *Cloud) Volume(ctx context.Context, id string) (Volume, error) {
	return getView(ctx, c, volumeFinder, func(st *state) map[string]*Volume { return st.volumes }, id, (*state).volumeView)
}

// VolumeType returns the volume type of the catalog named ref; an empty or
// unknown name is ErrNotFound, as Cinder answers.
func (c *Cloud) VolumeType(ctx context.Context, ref string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if ref == "" || !slices.Contains(c.cat.volumeTypes, ref) {
		return "", notFound("Volume type with name %s could not be found.", ref)
	}
	return ref, nil
}

// DefaultVolumeType implements cloud.Cloud: the catalog's first volume
// type.
func (c *Cloud) DefaultVolumeType(ctx context.Context) (string, error) {
	return c.cat.volumeTypes[0], ctx.Err()
}

// Volumes lists the volumes of a project ("" for all), sorted by ID.
func (c *Cloud) Volumes(ctx context.Context, projectID string) ([]Volume, error) {
	return list(ctx, c, func(st *state) map[string]*Volume { return st.volumes }, projectID, volumeFinder.project,
		(*state).volumeView)
}

// ExtendVolume grows a volume to sizeGB, within the gigabytes quota.
func (c *Cloud) ExtendVolume(ctx context.Context, id string, sizeGB int) (Volume, error) {
	var out Volume
	err := c.update(ctx, func(tx *txn) error {
		old, err := volumeFinder.get(tx.st.volumes, id, c.scope(ctx))
		if err != nil {
			return err
		}
		if sizeGB <= old.SizeGB {
			return invalid("Invalid input received: New size for extend must be greater than current size. (current: %d, extended: %d).",
				old.SizeGB, sizeGB)
		}
		if err := tx.reserve(old.ProjectID, Usage{VolumeGB: sizeGB - old.SizeGB}); err != nil {
			return err
		}
		v := *old
		v.SizeGB = sizeGB
		put(tx, tx.st.volumes, KindVolume, id, &v, true)
		out = tx.st.volumeView(&v)
		return nil
	})
	return out, err
}

// DeleteVolume deletes a volume. It fails with ErrConflict while the
// volume is attached.
func (c *Cloud) DeleteVolume(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Volume { return st.volumes }
	return c.deleteObject(ctx, KindVolume, volumeFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		v := tx.st.volumes[id]
		if v.Status != "available" {
			return conflict("Invalid volume: Volume status must be available or error, but current status is: %s.", v.Status)
		}
		tx.deleteVolume(v)
		return nil
	})
}

func (tx *txn) deleteVolume(v *Volume) {
	tx.charge(v.ProjectID, Usage{Volumes: 1, VolumeGB: v.SizeGB}.neg())
	remove(tx, tx.st.volumes, KindVolume, v.ID)
}

// AttachVolume attaches an available volume to a server of the same
// project.
func (c *Cloud) AttachVolume(ctx context.Context, spec VolumeAttachmentSpec) (VolumeAttachment, error) {
	view := func(st *state, id string) VolumeAttachment { return *st.attachments[id] }
	return once(ctx, c, KindVolumeAttachment, view, func() (VolumeAttachment, error) {
		project, err := c.childOf(ctx, func(st *state) (string, error) {
			s, err := serverFinder.get(st.servers, spec.ServerID, c.scope(ctx))
			if err != nil {
				return "", err
			}
			return s.ProjectID, nil
		})
		if err != nil {
			return VolumeAttachment{}, err
		}
		if _, err := c.before(ctx, KindVolumeAttachment, OpCreate, spec.VolumeID, project); err != nil {
			return VolumeAttachment{}, err
		}
		var out VolumeAttachment
		err = c.update(ctx, func(tx *txn) error {
			s, err := serverFinder.get(tx.st.servers, spec.ServerID, c.scope(ctx))
			if err != nil {
				return err
			}
			a, err := tx.attach(s, spec.VolumeID, spec.Device, false)
			if err != nil {
				return err
			}
			out = *a
			return tx.claim(KindVolumeAttachment, a.ID)
		})
		return out, err
	})
}

// attach attaches a volume to a server.
func (tx *txn) attach(s *Server, volumeID, device string, deleteOnTermination bool) (*VolumeAttachment, error) {
	v, err := volumeFinder.get(tx.st.volumes, volumeID, s.ProjectID)
	if err != nil {
		return nil, err
	}
	if v.Status != "available" {
		return nil, conflict("Invalid volume: Volume %s status must be available to reserve, but the status is %s.", v.ID, v.Status)
	}
	taken := map[string]bool{}
	for _, a := range tx.st.attachmentsOf(s.ID, kindServerAttachments) {
		taken[a.Device] = true
	}
	if device == "" {
		device = nextDevice(taken)
	} else if taken[device] {
		return nil, conflict("The supplied device path (%s) is in use.", device)
	}
	a := &VolumeAttachment{ID: newID(), ProjectID: s.ProjectID, VolumeID: v.ID, ServerID: s.ID, Device: device,
		DeleteOnTermination: deleteOnTermination, CreatedAt: tx.now}
	put(tx, tx.st.attachments, KindVolumeAttachment, a.ID, a, true)
	tx.link(s.ID, kindServerAttachments, a.ID)
	tx.link(v.ID, kindVolumeAttachments, a.ID)
	nv := *v
	nv.Status = "in-use"
	put(tx, tx.st.volumes, KindVolume, v.ID, &nv, true)
	return a, nil
}

// nextDevice returns the first /dev/vdX not taken, from /dev/vda.
func nextDevice(taken map[string]bool) string {
	for i := 0; ; i++ {
		d := "/dev/vd" + deviceSuffix(i)
		if !taken[d] {
			return d
		}
	}
}

// deviceSuffix names disk i as Linux does: a..z, aa..az, ...
func deviceSuffix(i int) string {
	if i < 26 {
		return string(rune('a' + i))
	}
	return deviceSuffix(i/26-1) + string(rune('a'+i%26))
}

// VolumeAttachment returns an attachment by ID.
func (c *Cloud) VolumeAttachment(ctx context.Context, id string) (VolumeAttachment, error) {
	return getView(ctx, c, attachmentFinder, func(st *state) map[string]*VolumeAttachment { return st.attachments }, id,
		copyOf[VolumeAttachment])
}

// DetachVolume removes an attachment; the volume becomes available.
func (c *Cloud) DetachVolume(ctx context.Context, attachmentID string) error {
	pick := func(st *state) map[string]*VolumeAttachment { return st.attachments }
	describe := attachmentFinder.describer(pick, attachmentID, c.scope(ctx))
	return c.deleteObject(ctx, KindVolumeAttachment, describe, func(tx *txn) error {
		tx.detach(tx.st.attachments[attachmentID])
		return nil
	})
}

func (tx *txn) detach(a *VolumeAttachment) {
	tx.unlink(a.ServerID, kindServerAttachments, a.ID)
	tx.unlink(a.VolumeID, kindVolumeAttachments, a.ID)
	remove(tx, tx.st.attachments, KindVolumeAttachment, a.ID)
	if v := tx.st.volumes[a.VolumeID]; v != nil {
		nv := *v
		nv.Status = "available"
		put(tx, tx.st.volumes, KindVolume, v.ID, &nv, true)
	}
}
