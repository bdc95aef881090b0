package plugin

import (
	"context"
	"errors"
	"log/slog"
	"path"
	"runtime/debug"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// server serves a drivers.Driver as the gRPC Driver service.
type server struct {
	pb.UnimplementedDriverServer
	d         drivers.Driver
	intercept grpc.UnaryServerInterceptor // what the gRPC server runs around unary calls
}

// Calls answers the unary calls the host sends over one stream, through
// the same interceptor as the unary RPCs.
func (s *server) Calls(stream pb.Driver_CallsServer) error {
	return pb.ServeCalls(stream, s, s.intercept)
}

// statusOf turns a driver error into a status the host turns back into an
// error of the same class and message.
func statusOf(err error) error {
	code := codes.Unknown
	switch {
	case errors.Is(err, drivers.ErrConflict):
		code = codes.FailedPrecondition
	case errors.Is(err, drivers.ErrInvalid):
		code = codes.InvalidArgument
	case errors.Is(err, drivers.ErrNotSupported):
		code = codes.Unimplemented
	case errors.Is(err, drivers.ErrNoDriver):
		code = codes.NotFound
	case errors.Is(err, drivers.ErrUnavailable):
		code = codes.Aborted
	case errors.Is(err, context.Canceled):
		code = codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		code = codes.DeadlineExceeded
	}
	return status.Error(code, err.Error())
}

// encodeError reports a result the plugin cannot put on the wire.
func encodeError(err error) error {
	return status.Errorf(codes.Internal, "the driver returned a result that cannot be encoded: %v", err)
}

func (s *server) Info(ctx context.Context, _ *pb.InfoRequest) (*pb.InfoResponse, error) {
	info, err := s.d.Info(ctx)
	if err != nil {
		return nil, statusOf(err)
	}
	return &pb.InfoResponse{Info: infoToProto(info), ProtocolMinor: pb.ProtocolMinor}, nil
}

func (s *server) ValidateTemplate(ctx context.Context, r *pb.ValidateTemplateRequest) (*pb.Empty, error) {
	if err := s.d.ValidateTemplate(ctx, templateFromProto(r.GetTemplate())); err != nil {
		return nil, statusOf(err)
	}
	return &pb.Empty{}, nil
}

func (s *server) ValidateCluster(ctx context.Context, r *pb.ClusterRequest) (*pb.Empty, error) {
	if err := s.d.ValidateCluster(ctx, clusterFromProto(r.GetCluster())); err != nil {
		return nil, statusOf(err)
	}
	return &pb.Empty{}, nil
}

func (s *server) ClusterStack(ctx context.Context, r *pb.ClusterRequest) (*pb.Stack, error) {
	return stackResponse(s.d.ClusterStack(ctx, clusterFromProto(r.GetCluster())))
}

func (s *server) NodeGroupStack(ctx context.Context, r *pb.NodeGroupStackRequest) (*pb.Stack, error) {
	return stackResponse(s.d.NodeGroupStack(ctx, clusterFromProto(r.GetCluster()), nodeGroupFromProto(r.GetNodeGroup())))
}

func stackResponse(st drivers.Stack, err error) (*pb.Stack, error) {
	if err != nil {
		return nil, statusOf(err)
	}
	out, err := stackToProto(st)
	if err != nil {
		return nil, encodeError(err)
	}
	return out, nil
}

func (s *server) ResizeStack(ctx context.Context, r *pb.ResizeRequest) (*pb.StackUpdate, error) {
	return updateResponse(s.d.ResizeStack(ctx, clusterFromProto(r.GetCluster()), resizeFromProto(r.GetResize())))
}

func (s *server) UpgradeStack(ctx context.Context, r *pb.UpgradeRequest) (*pb.StackUpdate, error) {
	return updateResponse(s.d.UpgradeStack(ctx, clusterFromProto(r.GetCluster()), upgradeFromProto(r.GetUpgrade())))
}

func (s *server) RotateCAStack(ctx context.Context, r *pb.ClusterRequest) (*pb.StackUpdate, error) {
	return updateResponse(s.d.RotateCAStack(ctx, clusterFromProto(r.GetCluster())))
}

func updateResponse(u heat.StackUpdate, err error) (*pb.StackUpdate, error) {
	if err != nil {
		return nil, statusOf(err)
	}
	out, err := pb.StackUpdateFromHeat(u)
	if err != nil {
		return nil, encodeError(err)
	}
	return out, nil
}

func (s *server) MapOutputs(ctx context.Context, r *pb.MapOutputsRequest) (*pb.Outputs, error) {
	state, err := stackStateFromProto(r.GetState())
	if err != nil {
		return nil, statusOf(err)
	}
	out, err := s.d.MapOutputs(ctx, clusterFromProto(r.GetCluster()), nodeGroupFromProto(r.GetNodeGroup()), state)
	if err != nil {
		return nil, statusOf(err)
	}
	return outputsToProto(out), nil
}

func (s *server) Health(ctx context.Context, r *pb.CredentialsRequest) (*pb.HealthResponse, error) {
	h, err := s.d.Health(ctx, clusterFromProto(r.GetCluster()), credentialsFromProto(r.GetCredentials()))
	if err != nil {
		return nil, statusOf(err)
	}
	return healthToProto(h), nil
}

func (s *server) ClientConfig(ctx context.Context, r *pb.CredentialsRequest) (*pb.ClientConfigResponse, error) {
	c, err := s.d.ClientConfig(ctx, clusterFromProto(r.GetCluster()), credentialsFromProto(r.GetCredentials()))
	if err != nil {
		return nil, statusOf(err)
	}
	return clientConfigToProto(c), nil
}

// grpcServer builds the plugin's gRPC server: large messages (templates
// with their files) and s's interceptor around every unary call.
func grpcServer(s *server) func([]grpc.ServerOption) *grpc.Server {
	return func(opts []grpc.ServerOption) *grpc.Server {
		opts = append(opts, pb.ServerOptions()...)
		opts = append(opts, grpc.ChainUnaryInterceptor(s.intercept))
		return grpc.NewServer(opts...)
	}
}

func recoverPanics(logger *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				logger.Error("driver panicked", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Errorf(codes.Internal, "the driver panicked in %s: %v", path.Base(info.FullMethod), r)
			}
		}()
		return handler(ctx, req)
	}
}
