package magnum

import (
	"context"
	"fmt"
	"sync"

	"github.com/gomagnum/gomagnum/heat"
)

// trustScoper is an orchestrator that can act in a cluster's project
// through the cluster's trust, as Magnum does: heat.Client is one. The
// embedded engine is not: its simulated cloud has no projects to act in.
type trustScoper interface {
	ForTrust(ctx context.Context, t heat.Trust) (heat.Orchestrator, error)
}

// scopedLimit bounds the number of trust-scoped orchestrators kept.
const scopedLimit = 512

// scopedOrchestrators keeps the trust-scoped orchestrators of recent
// clusters, so that following an operation does not authenticate anew at
// every pass. An arbitrary entry goes when it is full: a client made again
// costs one Keystone authentication.
type scopedOrchestrators struct {
	mu sync.Mutex
	m  map[string]heat.Orchestrator
}

func (c *scopedOrchestrators) get(key string) heat.Orchestrator {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *scopedOrchestrators) put(key string, o heat.Orchestrator) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]heat.Orchestrator{}
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= scopedLimit {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[key] = o
}

// clusterOrchestrator returns the orchestrator that acts for a cluster:
// through the cluster's trust, in the cluster's project, where the
// orchestrator can; the service's own otherwise, and for a cluster that
// has no trust yet.
func (s *Service) clusterOrchestrator(ctx context.Context, d *clusterDoc) (heat.Orchestrator, error) {
	ts, ok := s.orch.(trustScoper)
	in := d.Internal
	if !ok || in.TrustID == "" || in.TrusteeUserID == "" || in.TrusteePassword == "" {
		return s.orch, nil
	}
	key := in.TrusteeUserID + "/" + in.TrustID
	if o := s.scoped.get(key); o != nil {
		return o, nil
	}
	pw, err := s.keys.Open(in.TrusteePassword, []byte("trustee/"+d.UUID))
	if err != nil {
		return nil, fmt.Errorf("opening the trustee's password: %w", err)
	}
	o, err := ts.ForTrust(ctx, heat.Trust{TrusteeUserID: in.TrusteeUserID, Password: string(pw), TrustID: in.TrustID})
	if err != nil {
		return nil, err
	}
	s.scoped.put(key, o)
	return o, nil
}

type orchestratorKey struct{}

// withClusterOrchestrator returns a context whose stack calls go through
// the orchestrator of the operation's cluster.
func (s *Service) withClusterOrchestrator(ctx context.Context, d *clusterDoc) (context.Context, error) {
	o, err := s.clusterOrchestrator(ctx, d)
	if err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, orchestratorKey{}, o), nil
}

// orchestratorFor returns the orchestrator stack calls made with ctx go
// through: the cluster's, set by withClusterOrchestrator, else the
// service's own.
func (s *Service) orchestratorFor(ctx context.Context) heat.Orchestrator {
	if o, ok := ctx.Value(orchestratorKey{}).(heat.Orchestrator); ok {
		return o
	}
	return s.orch
}
