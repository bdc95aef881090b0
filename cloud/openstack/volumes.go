package openstack

import (
	"context"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumetypes"
)

// DefaultVolumeType implements cloud.Cloud: the first volume type Cinder
// lists, as Magnum picks it when no default is configured. A cloud without
// a volume service, or without types, gives an error wrapping
// cloud.ErrNotFound.
func (c *Cloud) DefaultVolumeType(ctx context.Context) (string, error) {
	what := "default volume type"
	if c.volume == nil {
		return "", notFound(what, "the catalog lists no volume service")
	}
	page, err := volumetypes.List(c.volume, nil).AllPages(ctx)
	if err != nil {
		return "", classify("cinder", what, err)
	}
	types, err := volumetypes.ExtractVolumeTypes(page)
	if err != nil {
		return "", classify("cinder", what, err)
	}
	if len(types) == 0 {
		return "", notFound(what, "Cinder lists no volume type")
	}
	return types[0].Name, nil
}
