package drivers

import (
	"context"
	"fmt"

	"github.com/gomagnum/gomagnum/heat"
)

// Unsupported refuses the optional operations, those a Capabilities flag
// announces, with ErrNotSupported. Embed it in a driver that does not offer
// them and leave the matching flags off:
//
//	type driver struct{ drivers.Unsupported }
type Unsupported struct{}

// NodeGroupStack refuses extra node groups.
func (Unsupported) NodeGroupStack(context.Context, Cluster, NodeGroup) (Stack, error) {
	return Stack{}, fmt.Errorf("%w: this driver cannot add node groups", ErrNotSupported)
}

// UpgradeStack refuses upgrades.
func (Unsupported) UpgradeStack(context.Context, Cluster, Upgrade) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, fmt.Errorf("%w: this driver cannot upgrade clusters", ErrNotSupported)
}

// RotateCAStack refuses CA rotation.
func (Unsupported) RotateCAStack(context.Context, Cluster) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, fmt.Errorf("%w: this driver cannot rotate cluster CAs", ErrNotSupported)
}

// Health refuses health checks.
func (Unsupported) Health(context.Context, Cluster, Credentials) (Health, error) {
	return Health{}, fmt.Errorf("%w: this driver cannot check cluster health", ErrNotSupported)
}
