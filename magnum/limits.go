package magnum

import (
	"fmt"
	"math"
)

// Limits bound the node counts requests may ask for. The service checks
// them before it stores anything (so they hold on the Go API and the REST
// API alike), and the conductor checks them again before it starts an
// operation recorded earlier, by a version without limits or under higher
// ones: such an operation fails with FaultLimitExceeded instead of
// building what it asks for.
type Limits struct {
	// NodesPerNodeGroup bounds the node_count, min_node_count and
	// max_node_count of a node group, and so a cluster's master_count and
	// node_count (its default groups'), and a resize.
	NodesPerNodeGroup int
	// NodesPerCluster bounds the sum of the node counts of a cluster's
	// node groups, masters included.
	NodesPerCluster int
}

// DefaultMaxNodes is the default of both limits: the largest cluster
// whose stack stays within Heat's default max_resources_per_stack (1000
// resources in a stack and its nested stacks) whatever its mix of masters
// and workers. The Kubernetes driver's stack, the largest of the built-in
// drivers', holds 18 resources for the cluster, 14 per master and 11 per
// worker with every option on: 18 + 64 × 14 = 914. An operator whose Heat
// allows more raises both together.
const DefaultMaxNodes = 64

// DefaultLimits returns the limits a service has without WithLimits.
func DefaultLimits() Limits {
	return Limits{NodesPerNodeGroup: DefaultMaxNodes, NodesPerCluster: DefaultMaxNodes}
}

// WithLimits sets the limits on node counts (DefaultLimits); both must be
// positive.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// ErrLimitExceeded is the kind of error a request asking for more than
// the service's Limits gives; it is an ErrInvalid (HTTP 400).
var ErrLimitExceeded error = &subKind{msg: "limit exceeded", parent: ErrInvalid}

func (l Limits) validate() error {
	if l.NodesPerNodeGroup < 1 || l.NodesPerCluster < 1 {
		return fmt.Errorf("magnum: limits must be positive: %+v", l)
	}
	return nil
}

// checkCount refuses a count above the limit per node group; field names
// the attribute as the request does.
func (l Limits) checkCount(field string, n int) error {
	if n <= l.NodesPerNodeGroup {
		return nil
	}
	return limitError(field, n, fmt.Sprintf("Value should be lower or equal to %d, the maximum number of nodes per node group.",
		l.NodesPerNodeGroup))
}

// checkTotal refuses a node count that, with the have nodes of the
// cluster's other node groups, goes above the limit per cluster.
func (l Limits) checkTotal(field string, n, have int) error {
	room := l.NodesPerCluster - min(have, l.NodesPerCluster)
	if n <= room {
		return nil
	}
	return limitError(field, n, fmt.Sprintf("Value should be lower or equal to %d: a cluster may have at most %d nodes "+
		"in all its node groups, masters included, and its other node groups have %d.", room, l.NodesPerCluster, have))
}

func limitError(field string, n int, reason string) error {
	return newError(ErrLimitExceeded, "Invalid input for field/attribute %s. Value: '%d'. %s", field, n, reason)
}

// checkGroupLimits checks what a node group asks for: its node count, and
// its min and max node counts where they differ from was (nil for a new
// group), so that a patch is not refused for values it leaves alone.
func (l Limits) checkGroupLimits(ng, was *NodeGroup) error {
	if was == nil || ng.NodeCount != was.NodeCount {
		if err := l.checkCount("node_count", ng.NodeCount); err != nil {
			return err
		}
	}
	if was == nil || ng.MinNodeCount != was.MinNodeCount {
		if err := l.checkCount("min_node_count", ng.MinNodeCount); err != nil {
			return err
		}
	}
	if ng.MaxNodeCount != nil && (was == nil || was.MaxNodeCount == nil || *ng.MaxNodeCount != *was.MaxNodeCount) {
		return l.checkCount("max_node_count", *ng.MaxNodeCount)
	}
	return nil
}

// checkStored checks the node counts an operation recorded earlier asks
// for: those of the node groups it builds, and the cluster's total.
func (l Limits) checkStored(target, all []*NodeGroup) error {
	for _, ng := range target {
		if ng.NodeCount > l.NodesPerNodeGroup {
			return newError(ErrLimitExceeded, "Node group %s asks for %d nodes, more than the maximum of %d nodes per node group.",
				ng.Name, ng.NodeCount, l.NodesPerNodeGroup)
		}
	}
	if total := nodeTotal(all); total > l.NodesPerCluster {
		return newError(ErrLimitExceeded, "The cluster asks for %d nodes in all its node groups, more than the maximum of %d nodes per cluster.",
			total, l.NodesPerCluster)
	}
	return nil
}

// nodeTotal sums the node counts of node groups; a sum of counts stored
// by a version without limits stops at the largest int rather than wrap.
func nodeTotal(ngs []*NodeGroup) int {
	total := 0
	for _, ng := range ngs {
		n := max(ng.NodeCount, 0)
		if n > math.MaxInt-total {
			return math.MaxInt
		}
		total += n
	}
	return total
}

// nodesBut sums the node counts of a cluster's node groups but one.
func nodesBut(ngs []*NodeGroup, but *NodeGroup) int {
	rest := make([]*NodeGroup, 0, len(ngs))
	for _, ng := range ngs {
		if ng.UUID != but.UUID {
			rest = append(rest, ng)
		}
	}
	return nodeTotal(rest)
}
