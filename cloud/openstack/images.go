package openstack

import (
	"context"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"

	"github.com/gomagnum/gomagnum/cloud"
)

// glanceImage adapts a Glance image to pick.
type glanceImage struct{ images.Image }

func (i glanceImage) id() string   { return i.ID }
func (i glanceImage) name() string { return i.Name }

// Image looks up a Glance image: a UUID-like ref is fetched by ID, any
// other ref is matched by name among the images the project can list.
// The image's os_distro property is returned in OSDistro ("" when unset;
// Magnum refuses such an image, which is the caller's rule to apply).
func (c *Cloud) Image(ctx context.Context, ref string) (cloud.Image, error) {
	what := subject("image", ref)
	if ref == "" {
		return cloud.Image{}, notFound(what, "empty reference")
	}
	if isUUID(ref) {
		img, err := images.Get(ctx, c.image, ref).Extract()
		if err != nil {
			return cloud.Image{}, classify("glance", what, err)
		}
		return toImage(*img), nil
	}
	pages, err := images.List(c.image, images.ListOpts{Name: ref}).AllPages(ctx)
	if err != nil {
		return cloud.Image{}, classify("glance", what, err)
	}
	found, err := images.ExtractImages(pages)
	if err != nil {
		return cloud.Image{}, classify("glance", what, err)
	}
	items := make([]glanceImage, len(found))
	for i, img := range found {
		items[i] = glanceImage{img}
	}
	img, err := pick(items, ref, "image", "images")
	if err != nil {
		return cloud.Image{}, err
	}
	return toImage(img.Image), nil
}

func toImage(img images.Image) cloud.Image {
	distro, _ := img.Properties["os_distro"].(string)
	return cloud.Image{
		ID:       img.ID,
		Name:     img.Name,
		OSDistro: distro,
		// Community images are visible to every project too, though not
		// listed by default.
		Public: img.Visibility == images.ImageVisibilityPublic || img.Visibility == images.ImageVisibilityCommunity,
		Owner:  img.Owner,
	}
}
