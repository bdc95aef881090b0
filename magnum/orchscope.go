package magnum

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/store"
)

// tokenScoper is an orchestrator that can act with a user's Keystone
// token, in the user's project: heat.Client is one. The embedded engine
// is not: its simulated cloud files stacks under no project.
type tokenScoper interface {
	ForToken(ctx context.Context, token string) (heat.Orchestrator, error)
}

// scopedLimit bounds the number of token-scoped orchestrators kept.
const scopedLimit = 256

// scopedOrchestrators keeps the token-scoped orchestrators of recent
// operations, so that following one does not authenticate at every pass.
// An arbitrary entry goes when it is full: one made again costs one
// Keystone call.
type scopedOrchestrators struct {
	mu sync.Mutex
	m  map[[32]byte]heat.Orchestrator
}

func (c *scopedOrchestrators) get(key [32]byte) heat.Orchestrator {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *scopedOrchestrators) put(key [32]byte, o heat.Orchestrator) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[[32]byte]heat.Orchestrator{}
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= scopedLimit {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[key] = o
}

// operationOrchestrator returns the orchestrator an operation's stack
// calls go through. As Magnum, the service acts on a cluster's stacks with
// the token of the user who asked for the operation, so that they live in
// the cluster's project: the operation keeps the token, sealed, in its
// parameters. Without a token (noauth, the embedded engine, an operation
// recorded by an older version), or once the token no longer works, the
// service's own orchestrator is used.
func (s *Service) operationOrchestrator(ctx context.Context, op store.Operation) heat.Orchestrator {
	ts, ok := s.orch.(tokenScoper)
	if !ok {
		return s.orch
	}
	token := s.operationToken(op)
	if token == "" {
		return s.orch
	}
	key := sha256.Sum256([]byte(token))
	if o := s.scoped.get(key); o != nil {
		return o
	}
	o, err := ts.ForToken(ctx, token)
	if err != nil {
		s.log.WarnContext(ctx, "acting on the cluster's stacks as the service: the user's token does not work",
			"cluster", op.ClusterUUID, "operation", op.Kind, "error", err)
		return s.orch
	}
	s.scoped.put(key, o)
	return o
}

// operationToken opens the caller's token an operation keeps.
func (s *Service) operationToken(op store.Operation) string {
	var p trustorParams
	if json.Unmarshal(op.Params, &p) != nil || p.TrustorToken == "" {
		return ""
	}
	token, err := s.keys.Open(p.TrustorToken, []byte("trustor/"+op.ClusterUUID))
	if err != nil {
		return ""
	}
	return string(token)
}

type orchestratorKey struct{}

// withOperationOrchestrator returns a context whose stack calls go
// through the operation's orchestrator.
func (s *Service) withOperationOrchestrator(ctx context.Context, op store.Operation) context.Context {
	return context.WithValue(ctx, orchestratorKey{}, s.operationOrchestrator(ctx, op))
}

// orchestratorFor returns the orchestrator stack calls made with ctx go
// through: the operation's, set by withOperationOrchestrator, else the
// service's own.
func (s *Service) orchestratorFor(ctx context.Context) heat.Orchestrator {
	if o, ok := ctx.Value(orchestratorKey{}).(heat.Orchestrator); ok {
		return o
	}
	return s.orch
}
