package magnum

import (
	"context"
	"errors"

	"github.com/gomagnum/gomagnum/cloud"
)

// The look-ups Magnum makes in other OpenStack services, with Magnum's
// messages and status classes for each failure.

// checkImage looks an image up; a name several images have is an error of
// class ambiguous.
func (s *Service) checkImage(ctx context.Context, ref string, ambiguous error) (cloud.Image, error) {
	img, err := s.cloud.Image(ctx, ref)
	switch {
	case errors.Is(err, cloud.ErrNotFound):
		return img, invalidf("Image %s could not be found.", ref)
	case errors.Is(err, cloud.ErrForbidden):
		return img, newError(ErrForbidden, "Not authorized for image %s.", ref)
	case errors.Is(err, cloud.ErrAmbiguous):
		return img, newError(ambiguous, "Multiple images exist with same name %s. Please use the resource id instead.", ref)
	case err != nil:
		return img, err
	case img.OSDistro == "":
		return img, invalidf("Image %s doesn't contain os_distro field.", ref)
	}
	return img, nil
}

func (s *Service) checkFlavor(ctx context.Context, ref string) error {
	if ref == "" {
		return nil
	}
	_, err := s.cloud.Flavor(ctx, ref)
	if errors.Is(err, cloud.ErrNotFound) || errors.Is(err, cloud.ErrAmbiguous) {
		return invalidf("Unable to find flavor %s.", ref)
	}
	return err
}

func (s *Service) checkExternalNetwork(ctx context.Context, ref string) error {
	if ref == "" {
		return nil
	}
	_, err := s.cloud.ExternalNetwork(ctx, ref)
	switch {
	case errors.Is(err, cloud.ErrNotFound):
		return invalidf("Unable to find external network %s.", ref)
	case errors.Is(err, cloud.ErrAmbiguous):
		return conflictf("Multiple external networks exist with same name '%s'. Please use the external network ID instead.", ref)
	}
	return err
}

func (s *Service) checkKeypair(ctx context.Context, userID, name string) error {
	if name == "" {
		return nil
	}
	_, err := s.cloud.Keypair(ctx, userID, name)
	if errors.Is(err, cloud.ErrNotFound) {
		return notFoundf("Unable to find keypair %s.", name)
	}
	return err
}

// resources names the OpenStack resources a template or cluster uses.
type resources struct {
	image, flavor, masterFlavor, externalNetwork string
	labels                                       map[string]string
	// ambiguousImage is the class of the error for an image name several
	// images have: ErrInvalid where Magnum answers 400 (template create,
	// whose driver check hides the look-up's conflict), ErrConflict where
	// it answers 409 (template update).
	ambiguousImage error
}

// checkResources validates every resource in Magnum's order: image,
// flavors, external network, labels.
func (s *Service) checkResources(ctx context.Context, r resources) (cloud.Image, error) {
	img, err := s.checkImage(ctx, r.image, r.ambiguousImage)
	if err != nil {
		return img, err
	}
	for _, f := range []string{r.flavor, r.masterFlavor} {
		if err := s.checkFlavor(ctx, f); err != nil {
			return img, err
		}
	}
	if err := s.checkExternalNetwork(ctx, r.externalNetwork); err != nil {
		return img, err
	}
	return img, validateLabels(r.labels)
}

// checkNodeGroupResources validates the image and flavor of a node group
// about to be added to a cluster, in the cluster's project, as those of
// templates are, so that an unknown or ambiguous one is refused at once
// (400) rather than failing the node group's stack later.
func (s *Service) checkNodeGroupResources(ctx context.Context, d *clusterDoc, ng *NodeGroup) error {
	ctx = cloud.WithProject(ctx, d.ProjectID)
	if _, err := s.checkImage(ctx, ng.ImageID, ErrInvalid); err != nil {
		return err
	}
	return s.checkFlavor(ctx, ng.FlavorID)
}
