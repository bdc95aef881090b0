package drivers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/backoff"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

var _ Driver = (*Plugin)(nil)

// call runs one driver call. An attempt that reaches no driver (the
// plugin process died during the call, or none could be started) is made
// again under the host's CallRetry, on the restarted process; an answer of
// the driver, an error included, keeps its message and class and is never
// retried, nor is a call whose context ended.
//
// Only attempts lost while the plugin answered nothing else count against
// CallRetry.Attempts: those are the sign of a plugin that keeps dying (or
// of a call that kills it). An attempt lost while the plugin went on
// answering other calls was caught by a death it did not cause, and is
// retried as long as CallRetry.MaxElapsed allows.
func call[T any](ctx context.Context, p *Plugin, method string, rpc func(context.Context, *pb.Conn) (T, error)) (T, error) {
	retry := p.cfg.retry
	start := time.Now()
	spent := 0
	for n := 1; ; n++ {
		before := p.answered()
		resp, err := attempt(ctx, p, method, rpc)
		var lost *lostError
		if !errors.As(err, &lost) {
			return resp, err
		}
		if p.answered() == before {
			spent++
		}
		wait := backoff.Jittered(retry.MinBackoff, retry.MaxBackoff, n)
		if spent >= retry.Attempts || time.Since(start)+max(wait, p.restartIn()) > retry.MaxElapsed {
			return resp, &UnavailableError{Driver: p.name, Method: method, Attempts: n, RetryAfter: p.restartIn(), Err: lost.cause}
		}
		p.logger.LogAttrs(ctx, slog.LevelWarn, "driver call reached no driver; retrying", slog.String("method", method),
			slog.Int("attempt", n), slog.Duration("wait", wait), slog.Any("error", lost.cause))
		if err := p.sleep(ctx, wait); err != nil {
			return resp, fmt.Errorf("%s: %w", method, err)
		}
	}
}

// attempt runs one RPC on the running instance, starting one if none runs.
// A call the plugin's death interrupts retires the instance and gives a
// *lostError.
func attempt[T any](ctx context.Context, p *Plugin, method string, rpc func(context.Context, *pb.Conn) (T, error)) (T, error) {
	var zero T
	inst, err := p.instance(ctx)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", method, err)
	}
	resp, err := rpc(ctx, inst.conn)
	switch {
	case err == nil:
		p.healthy(inst)
		return resp, nil
	case ctx.Err() != nil:
		return zero, fmt.Errorf("driver plugin %q: %s: %w", p.name, method, ctx.Err())
	case p.lostDuring(inst, err):
		p.fail(inst, err)
		return zero, &lostError{driver: p.name, cause: fmt.Errorf("lost the plugin process (pid %d) during the call: %s",
			inst.pid, status.Convert(err).Message())}
	}
	return zero, errorFromStatus(err)
}

// lostDuring reports whether the failure of a call on inst is the loss of
// the process rather than an answer of the driver: the connection broke,
// the process exited, or the instance was retired meanwhile (its
// connection closed under the call).
func (p *Plugin) lostDuring(inst *instance, err error) bool {
	return status.Code(err) == codes.Unavailable || inst.client.Exited() || !p.current(inst)
}

// decodeError reports a response the host could not decode: a fault of the
// plugin, not of the caller.
func (p *Plugin) decodeError(method string, err error) error {
	return fmt.Errorf("driver plugin %q: %s: bad response: %w", p.name, method, err)
}

// Info implements Driver.
func (p *Plugin) Info(ctx context.Context) (Info, error) {
	resp, err := call(ctx, p, "Info", func(ctx context.Context, c *pb.Conn) (*pb.InfoResponse, error) {
		return c.Info(ctx, &pb.InfoRequest{})
	})
	if err != nil {
		return Info{}, err
	}
	return infoFromProto(resp), nil
}

// ValidateTemplate implements Driver.
func (p *Plugin) ValidateTemplate(ctx context.Context, t Template) error {
	_, err := call(ctx, p, "ValidateTemplate", func(ctx context.Context, c *pb.Conn) (*pb.Empty, error) {
		return c.ValidateTemplate(ctx, &pb.ValidateTemplateRequest{Template: templateToProto(t)})
	})
	return err
}

// ValidateCluster implements Driver.
func (p *Plugin) ValidateCluster(ctx context.Context, cl Cluster) error {
	_, err := call(ctx, p, "ValidateCluster", func(ctx context.Context, c *pb.Conn) (*pb.Empty, error) {
		return c.ValidateCluster(ctx, &pb.ClusterRequest{Cluster: clusterToProto(cl)})
	})
	return err
}

// ClusterStack implements Driver.
func (p *Plugin) ClusterStack(ctx context.Context, cl Cluster) (Stack, error) {
	resp, err := call(ctx, p, "ClusterStack", func(ctx context.Context, c *pb.Conn) (*pb.Stack, error) {
		return c.ClusterStack(ctx, &pb.ClusterRequest{Cluster: clusterToProto(cl)})
	})
	return p.stack("ClusterStack", resp, err)
}

// NodeGroupStack implements Driver.
func (p *Plugin) NodeGroupStack(ctx context.Context, cl Cluster, ng NodeGroup) (Stack, error) {
	resp, err := call(ctx, p, "NodeGroupStack", func(ctx context.Context, c *pb.Conn) (*pb.Stack, error) {
		return c.NodeGroupStack(ctx, &pb.NodeGroupStackRequest{Cluster: clusterToProto(cl), NodeGroup: nodeGroupToProto(ng)})
	})
	return p.stack("NodeGroupStack", resp, err)
}

func (p *Plugin) stack(method string, resp *pb.Stack, err error) (Stack, error) {
	if err != nil {
		return Stack{}, err
	}
	s, err := stackFromProto(resp)
	if err != nil {
		return Stack{}, p.decodeError(method, err)
	}
	return s, nil
}

// ResizeStack implements Driver.
func (p *Plugin) ResizeStack(ctx context.Context, cl Cluster, r Resize) (heat.StackUpdate, error) {
	resp, err := call(ctx, p, "ResizeStack", func(ctx context.Context, c *pb.Conn) (*pb.StackUpdate, error) {
		return c.ResizeStack(ctx, &pb.ResizeRequest{Cluster: clusterToProto(cl), Resize: &pb.Resize{
			NodeGroup: r.NodeGroup, NodeCount: int64(r.NodeCount), NodesToRemove: r.NodesToRemove,
		}})
	})
	return p.update("ResizeStack", resp, err)
}

// UpgradeStack implements Driver.
func (p *Plugin) UpgradeStack(ctx context.Context, cl Cluster, u Upgrade) (heat.StackUpdate, error) {
	resp, err := call(ctx, p, "UpgradeStack", func(ctx context.Context, c *pb.Conn) (*pb.StackUpdate, error) {
		return c.UpgradeStack(ctx, &pb.UpgradeRequest{Cluster: clusterToProto(cl), Upgrade: &pb.Upgrade{
			Template: templateToProto(u.Template), NodeGroup: u.NodeGroup, MaxBatchSize: int64(u.MaxBatchSize),
		}})
	})
	return p.update("UpgradeStack", resp, err)
}

// RotateCAStack implements Driver.
func (p *Plugin) RotateCAStack(ctx context.Context, cl Cluster) (heat.StackUpdate, error) {
	resp, err := call(ctx, p, "RotateCAStack", func(ctx context.Context, c *pb.Conn) (*pb.StackUpdate, error) {
		return c.RotateCAStack(ctx, &pb.ClusterRequest{Cluster: clusterToProto(cl)})
	})
	return p.update("RotateCAStack", resp, err)
}

func (p *Plugin) update(method string, resp *pb.StackUpdate, err error) (heat.StackUpdate, error) {
	if err != nil {
		return heat.StackUpdate{}, err
	}
	u, err := resp.ToHeat()
	if err != nil {
		return heat.StackUpdate{}, p.decodeError(method, err)
	}
	return u, nil
}

// MapOutputs implements Driver.
func (p *Plugin) MapOutputs(ctx context.Context, cl Cluster, ng NodeGroup, s StackState) (Outputs, error) {
	state, err := stackStateToProto(s)
	if err != nil {
		return Outputs{}, err
	}
	resp, err := call(ctx, p, "MapOutputs", func(ctx context.Context, c *pb.Conn) (*pb.Outputs, error) {
		return c.MapOutputs(ctx, &pb.MapOutputsRequest{Cluster: clusterToProto(cl), NodeGroup: nodeGroupToProto(ng), State: state})
	})
	if err != nil {
		return Outputs{}, err
	}
	return outputsFromProto(resp), nil
}

// Health implements Driver.
func (p *Plugin) Health(ctx context.Context, cl Cluster, creds Credentials) (Health, error) {
	resp, err := call(ctx, p, "Health", func(ctx context.Context, c *pb.Conn) (*pb.HealthResponse, error) {
		return c.Health(ctx, &pb.CredentialsRequest{Cluster: clusterToProto(cl), Credentials: credentialsToProto(creds)})
	})
	if err != nil {
		return Health{}, err
	}
	return healthFromProto(resp), nil
}

// ClientConfig implements Driver.
func (p *Plugin) ClientConfig(ctx context.Context, cl Cluster, creds Credentials) (ClientConfig, error) {
	resp, err := call(ctx, p, "ClientConfig", func(ctx context.Context, c *pb.Conn) (*pb.ClientConfigResponse, error) {
		return c.ClientConfig(ctx, &pb.CredentialsRequest{Cluster: clusterToProto(cl), Credentials: credentialsToProto(creds)})
	})
	if err != nil {
		return ClientConfig{}, err
	}
	return clientConfigFromProto(resp), nil
}
