package kubernetes

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/heat"
)

// ResizeStack returns the update that sets a worker group's node count,
// removing the named members (indexes or server IDs) first when it
// shrinks. It applies to the group's own stack.
func (d *Driver) ResizeStack(_ context.Context, c drivers.Cluster, r drivers.Resize) (heat.StackUpdate, error) {
	if _, err := clusterstack.Resize(c, r); err != nil {
		return heat.StackUpdate{}, err
	}
	return heat.StackUpdate{Parameters: map[string]any{
		"number_of_minions": r.NodeCount,
		"minions_to_remove": strings.Join(r.NodesToRemove, ","),
	}}, nil
}

// UpgradeStack returns the update that moves a node group to the
// Kubernetes version (label kube_tag) of another template, max_batch_size
// nodes at a time. A template without kube_tag, or another template than
// the cluster's for a non-default group, is refused with ErrConflict, as
// Magnum refuses it (InvalidClusterTemplateForUpgrade). Versions only go
// up: a lower kube_tag, or any lower *_tag or *_version label, is refused
// with ErrInvalid. The default groups share the cluster stack, so
// upgrading one upgrades the masters and the default workers together.
func (d *Driver) UpgradeStack(_ context.Context, c drivers.Cluster, u drivers.Upgrade) (heat.StackUpdate, error) {
	ng, err := clusterstack.Group(c, u.NodeGroup)
	if err != nil {
		return heat.StackUpdate{}, err
	}
	if u.MaxBatchSize < 1 {
		return heat.StackUpdate{}, fmt.Errorf("%w: max_batch_size must be at least 1", drivers.ErrInvalid)
	}
	if !ng.IsDefault && u.Template.UUID != c.Template.UUID {
		return heat.StackUpdate{}, fmt.Errorf("%w: Cluster Template is not valid for upgrade: Nodegroup %s can be upgraded only to match cluster's template (%s)",
			drivers.ErrConflict, ng.Name, c.Template.Name)
	}
	target := u.Template.Labels["kube_tag"]
	if target == "" {
		return heat.StackUpdate{}, fmt.Errorf("%w: Cluster Template is not valid for upgrade: Cluster template %s does not contain any supported upgrade labels: [kube_tag]",
			drivers.ErrConflict, u.Template.Name)
	}
	if err := clusterstack.Template(u.Template, coe, NetworkDrivers, VolumeDrivers); err != nil {
		return heat.StackUpdate{}, err
	}
	if _, err := Labels.Resolve(u.Template.Labels); err != nil {
		return heat.StackUpdate{}, err
	}
	current, err := resolve(c, &ng)
	if err != nil {
		return heat.StackUpdate{}, err
	}
	if err := noDowngrade(current.labels, u.Template.Labels); err != nil {
		return heat.StackUpdate{}, err
	}
	return heat.StackUpdate{Parameters: map[string]any{
		"kube_tag":              target,
		"update_max_batch_size": u.MaxBatchSize,
	}}, nil
}

// noDowngrade refuses any *_tag or *_version label whose new value is a
// lower version than the current one; values that are not versions are
// not compared, as in Magnum.
func noDowngrade(current map[string]string, next map[string]string) error {
	names := make([]string, 0, len(next))
	for name := range next {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasSuffix(name, "_tag") && !strings.HasSuffix(name, "_version") {
			continue
		}
		if compareVersions(next[name], current[name]) < 0 {
			return fmt.Errorf("%w: Received invalid tag for %s: %s is older than the current %s",
				drivers.ErrInvalid, name, next[name], current[name])
		}
	}
	return nil
}

// compareVersions compares two versions such as v1.30.4 or 3.5.15-rc.1:
// -1, 0 or 1; 0 too when either is not a version.
func compareVersions(a, b string) int {
	va, pa, okA := parseVersion(a)
	vb, pb, okB := parseVersion(b)
	if !okA || !okB {
		return 0
	}
	for i := range max(len(va), len(vb)) {
		x, y := at(va, i), at(vb, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case pa && !pb:
		return -1
	case pb && !pa:
		return 1
	}
	return 0
}

// parseVersion splits a version into its numbers and whether it has a
// pre-release suffix.
func parseVersion(v string) (nums []int, pre, ok bool) {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	core, suffix, hasSuffix := strings.Cut(v, "-")
	core, _, _ = strings.Cut(core, "+")
	if core == "" {
		return nil, false, false
	}
	for _, p := range strings.Split(core, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false, false
		}
		nums = append(nums, n)
	}
	return nums, hasSuffix && suffix != "", true
}

func at(v []int, i int) int {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// RotateCAStack returns the update that hands the nodes the cluster's new
// CA certificates (the host puts them in the cluster's boot data before
// asking) and a new service-account key pair; each node's reconfigure
// deployment then has its certificates signed again.
func (d *Driver) RotateCAStack(_ context.Context, c drivers.Cluster) (heat.StackUpdate, error) {
	cas, err := caParams(c)
	if err != nil {
		return heat.StackUpdate{}, err
	}
	pub, priv, err := serviceAccountKeys()
	if err != nil {
		return heat.StackUpdate{}, err
	}
	cas["service_account_key_public"] = pub
	cas["service_account_key_private"] = priv
	return heat.StackUpdate{Parameters: cas, Rollback: true}, nil
}
