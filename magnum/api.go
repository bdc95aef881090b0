package magnum

import (
	"context"
	"iter"
)

// API is what a Go program uses of a Magnum service: cluster templates,
// clusters and their actions, node groups, certificates and credentials,
// quotas, stats and service health, and waiting for and watching
// clusters. Two implementations exist: *Service, the service embedded in
// the program, and the client of a remote Magnum v1 REST API (a real
// OpenStack Magnum or magnumd) in package remote. Both return the errors
// of this package (errors.Is(err, ErrNotFound) works either way).
//
// With *Service the caller is the identity in ctx (WithCaller); a remote
// client acts as whoever its credentials name.
type API interface {
	CreateClusterTemplate(ctx context.Context, req ClusterTemplateCreate) (*ClusterTemplate, error)
	GetClusterTemplate(ctx context.Context, ident string) (*ClusterTemplate, error)
	ListClusterTemplates(ctx context.Context, o ListOptions) ([]ClusterTemplate, error)
	UpdateClusterTemplate(ctx context.Context, ident string, ops []PatchOp) (*ClusterTemplate, error)
	DeleteClusterTemplate(ctx context.Context, ident string) error

	CreateCluster(ctx context.Context, req ClusterCreate) (string, error)
	GetCluster(ctx context.Context, ident string) (*Cluster, error)
	ListClusters(ctx context.Context, o ListOptions) ([]Cluster, error)
	UpdateCluster(ctx context.Context, ident string, ops []PatchOp, o UpdateOptions) (string, error)
	ResizeCluster(ctx context.Context, ident string, r Resize) (string, error)
	UpgradeCluster(ctx context.Context, ident string, u Upgrade) (string, error)
	DeleteCluster(ctx context.Context, ident string) error
	WaitCluster(ctx context.Context, ident string, until ...Status) (*Cluster, error)
	WatchCluster(ctx context.Context, ident string) iter.Seq2[Change, error]
	Watch(ctx context.Context, f WatchFilter) iter.Seq2[Change, error]

	CreateNodeGroup(ctx context.Context, clusterIdent string, req NodeGroupCreate) (*NodeGroup, error)
	GetNodeGroup(ctx context.Context, clusterIdent, ident string) (*NodeGroup, error)
	ListNodeGroups(ctx context.Context, clusterIdent string, o NodeGroupListOptions) ([]NodeGroup, error)
	UpdateNodeGroup(ctx context.Context, clusterIdent, ident string, ops []PatchOp) (*NodeGroup, error)
	DeleteNodeGroup(ctx context.Context, clusterIdent, ident string) error

	GetCACertificate(ctx context.Context, clusterIdent, caType string) (*Certificate, error)
	SignCertificate(ctx context.Context, clusterIdent, csrPEM, caType string) (*Certificate, error)
	RotateCA(ctx context.Context, clusterIdent string) (string, error)
	RotateCredentials(ctx context.Context, clusterIdent string) (string, error)
	ClusterCredentials(ctx context.Context, clusterIdent string, opts CredentialsOptions) (*Credentials, error)

	CreateQuota(ctx context.Context, q Quota) (*Quota, error)
	GetQuota(ctx context.Context, projectID, resource string) (*Quota, error)
	UpdateQuota(ctx context.Context, projectID, resource string, hardLimit int) (*Quota, error)
	DeleteQuota(ctx context.Context, projectID, resource string) error
	ListQuotas(ctx context.Context, o QuotaListOptions) ([]Quota, error)

	Stats(ctx context.Context, projectID, typ string) (*Stats, error)
	ListMServices(ctx context.Context) ([]MService, error)
}

var _ API = (*Service)(nil)
