package magnum

import (
	"context"
	"time"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/store"
)

// SetClusterState sets what the conductor would: a cluster's status and
// API address, and the status of its node groups.
func SetClusterState(s *Service, uuid string, st Status, apiAddress string) error {
	return s.mutateCluster(context.Background(), uuid, func(tx *store.Tx, d *clusterDoc, ngs []*NodeGroup) error {
		d.Status, d.APIAddress = st, apiAddress
		for _, ng := range ngs {
			ng.Status = st
			if err := putNodeGroup(context.Background(), tx, ng); err != nil {
				return err
			}
		}
		return nil
	})
}

// Orchestrator returns the service's orchestrator.
func Orchestrator(s *Service) heat.Orchestrator { return s.orch }

// ClusterFault returns the fault of a cluster.
func ClusterFault(s *Service, uuid string) (*Fault, error) {
	c, err := s.GetCluster(WithCaller(context.Background(), Caller{Roles: []string{"admin"}}), uuid)
	if err != nil {
		return nil, err
	}
	return c.Fault, nil
}

// HealthPasses returns a function that runs one health pass of a
// conductor of s, its checks spread over window.
func HealthPasses(s *Service) func(ctx context.Context, window time.Duration) {
	c := newConductor(s)
	return c.healthPass
}

// CountInstanceIn does at the SQLite database at path what an instance
// opening it does to the database's lock file, and returns what closing
// that instance does.
func CountInstanceIn(path string) (func() error, error) {
	w, err := openSoleWriter(path)
	return w.close, err
}

// SoleWriter opens what an instance opening the SQLite database at path
// opens, and returns whether it is alone, as it would be asked later, and
// what closing it does.
func SoleWriter(path string) (sole func() bool, close func() error, err error) {
	w, err := openSoleWriter(path)
	if err != nil {
		return nil, nil, err
	}
	return w.sole, w.close, nil
}
