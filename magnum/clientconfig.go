package magnum

import (
	"context"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/store"
)

// ClientConfig renders what a user needs to talk to a cluster's COE with
// their own client certificate and key (a kubeconfig for Kubernetes,
// DOCKER_HOST and TLS files for Swarm...). The key is used to fill the
// configuration in and is not kept. The cluster must be running.
func (s *Service) ClientConfig(ctx context.Context, clusterIdent string, certPEM, keyPEM []byte) (*drivers.ClientConfig, error) {
	d, _, err := s.certificateCluster(ctx, clusterIdent, "certificate:get")
	if err != nil {
		return nil, err
	}
	if d.APIAddress == "" {
		return nil, conflictf("Cluster API address is not available yet")
	}
	var ngs []*NodeGroup
	var t *ClusterTemplate
	err = s.store.View(ctx, func(tx *store.Tx) (err error) {
		if ngs, err = clusterNodeGroups(ctx, tx, d.UUID); err != nil {
			return err
		}
		t, err = findTemplate(ctx, tx, d.ClusterTemplateID, store.Cond{})
		return err
	})
	if err != nil {
		return nil, err
	}
	drv, err := s.driverFor(ctx, t)
	if err != nil {
		return nil, err
	}
	ca, err := s.certs.CABundle(ctx, d.UUID, certs.Kubernetes)
	if err != nil {
		return nil, certsErr(err, d)
	}
	cfg, err := drv.ClientConfig(ctx, s.driverCluster(t, d, ngs), drivers.Credentials{CACert: ca, ClientCert: certPEM, ClientKey: keyPEM, Proxy: s.coeProxy(d.UUID)})
	if err != nil {
		return nil, driverErr(err)
	}
	return &cfg, nil
}
