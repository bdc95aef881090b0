package magnum

import (
	"context"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/store"
)

// checkUpgrade checks an upgrade before it is accepted, in Magnum's order:
// the node group exists, a non-default one is only "upgraded" to the
// cluster's own template, the cluster is in a stable status (checked again
// when the upgrade is stored), and the driver computes the upgrade's stack
// update from the cluster as stored, without its boot material. Magnum
// makes its driver call during the request too, and answers its refusal.
func (s *Service) checkUpgrade(ctx context.Context, drv drivers.Driver, d *clusterDoc, next *ClusterTemplate, u Upgrade) error {
	var ngs []*NodeGroup
	var current *ClusterTemplate
	err := s.store.View(ctx, func(tx *store.Tx) (err error) {
		if ngs, err = clusterNodeGroups(ctx, tx, d.UUID); err != nil {
			return err
		}
		current, err = findTemplate(ctx, tx, d.ClusterTemplateID, store.Cond{})
		return err
	})
	if err != nil {
		return err
	}
	ng, err := pickNodeGroup(ngs, u.NodeGroup, RoleWorker)
	if err != nil {
		return err
	}
	if !ng.IsDefault && next.UUID != d.ClusterTemplateID {
		return conflictf("Cluster Template is not valid for upgrade: Nodegroup %s can be upgraded only to match cluster's template (%s).",
			ng.Name, current.Name)
	}
	if err := checkStatus(d, stableStatuses, "Upgrading"); err != nil {
		return err
	}
	_, err = drv.UpgradeStack(ctx, s.driverCluster(current, d, ngs),
		drivers.Upgrade{Template: driverTemplate(next), NodeGroup: ng.UUID, MaxBatchSize: max(u.MaxBatchSize, 1)})
	return driverErr(err)
}
