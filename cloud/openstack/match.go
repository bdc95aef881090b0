package openstack

import "github.com/google/uuid"

// isUUID reports whether ref looks like a UUID (with or without dashes,
// as oslo's is_uuid_like accepts): such references are IDs, any other is
// a name.
func isUUID(ref string) bool {
	_, err := uuid.Parse(ref)
	return err == nil
}

// named is an object with an ID and a name.
type named interface {
	id() string
	name() string
}

// pick returns the object of items whose ID is ref, or else the only one
// named ref. It fails with cloud.ErrNotFound when none matches and with
// cloud.ErrAmbiguous when several have that name. kind and plural name
// the objects in messages ("image", "images").
func pick[T named](items []T, ref, kind, plural string) (T, error) {
	var matches []T
	for _, it := range items {
		if it.id() == ref {
			return it, nil
		}
		if it.name() == ref {
			matches = append(matches, it)
		}
	}
	var zero T
	switch len(matches) {
	case 0:
		return zero, notFound(subject(kind, ref), "")
	case 1:
		return matches[0], nil
	default:
		return zero, ambiguous(subject(kind, ref), len(matches), plural)
	}
}
