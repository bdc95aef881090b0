package sim

import (
	"context"

	"github.com/gomagnum/gomagnum/cloud"
)

// scope returns the project of the context, or "" for the unrestricted
// view of the service.
func (c *Cloud) scope(ctx context.Context) string {
	p, _ := cloud.ProjectFrom(ctx)
	return p
}

// describeFunc finds an object to delete and returns its name and project.
type describeFunc func(st *state) (name, project string, err error)

// deleteObject runs a delete: find the object, wait the kind's delete
// delay, fire the faults, then run del in a transaction once the object is
// found again (a concurrent delete may have won meanwhile).
func (c *Cloud) deleteObject(ctx context.Context, kind Kind, describe describeFunc, del func(*txn) error) error {
	var name, project string
	err := c.view(ctx, func(st *state) (err error) {
		name, project, err = describe(st)
		return err
	})
	if err != nil {
		return err
	}
	if _, err := c.before(ctx, kind, OpDelete, name, project); err != nil {
		return err
	}
	return c.update(ctx, func(tx *txn) error {
		if _, _, err := describe(tx.st); err != nil {
			return err
		}
		return del(tx)
	})
}
