package magnum

import (
	"context"
	"sort"

	gojson "github.com/goccy/go-json"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/internal/store"
)

// clusterDoc is a cluster as stored: the public fields plus what never
// leaves the service.
type clusterDoc struct {
	Cluster
	Internal clusterInternal `json:"internal"`
}

// clusterInternal holds the cluster state that is not part of the API.
type clusterInternal struct {
	// TrusteeUserID and TrusteeUserName name the cluster's trustee user;
	// TrusteePassword is sealed with the service's secret key.
	TrusteeUserID   string `json:"trustee_user_id,omitempty"`
	TrusteeUserName string `json:"trustee_user_name,omitempty"`
	TrusteePassword string `json:"trustee_password,omitempty"`
	TrusteeDomainID string `json:"trustee_domain_id,omitempty"`
	TrustID         string `json:"trust_id,omitempty"`
}

// trustee is the trustee in's fields name, without its password.
func (in clusterInternal) trustee() cloud.Trustee {
	return cloud.Trustee{UserID: in.TrusteeUserID, UserName: in.TrusteeUserName,
		DomainID: in.TrusteeDomainID, TrustID: in.TrustID}
}

// Stored documents are read on every call, so they are decoded with
// goccy/go-json, about twice as fast as encoding/json here, and written
// with it too.
func decodeDoc(data []byte, v any) error { return gojson.Unmarshal(data, v) }

func encodeDoc(v any) ([]byte, error) { return gojson.Marshal(v) }

func clusterRecord(d *clusterDoc) (*store.Record, error) {
	data, err := encodeDoc(d)
	if err != nil {
		return nil, err
	}
	return &store.Record{UUID: d.UUID, ProjectID: d.ProjectID, Name: d.Name, Data: data, CreatedAt: d.CreatedAt,
		Columns: map[string]any{"template_uuid": d.ClusterTemplateID, "status": string(d.Status)}}, nil
}

func clusterFromRecord(r store.Record) (*clusterDoc, error) {
	var d clusterDoc
	if err := decodeDoc(r.Data, &d); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt, d.rev = r.CreatedAt, r.UpdatedAt, r.Version
	return &d, nil
}

func nodeGroupRecord(ng *NodeGroup) (*store.Record, error) {
	data, err := encodeDoc(ng)
	if err != nil {
		return nil, err
	}
	return &store.Record{UUID: ng.UUID, ProjectID: ng.ProjectID, Name: ng.Name, Data: data, CreatedAt: ng.CreatedAt,
		Columns: map[string]any{"cluster_uuid": ng.ClusterID, "role": ng.Role, "is_default": ng.IsDefault,
			"node_count": ng.NodeCount}}, nil
}

func nodeGroupFromRecord(r store.Record) (*NodeGroup, error) {
	var ng NodeGroup
	if err := decodeDoc(r.Data, &ng); err != nil {
		return nil, err
	}
	ng.ID, ng.CreatedAt, ng.UpdatedAt, ng.rev = r.ID, r.CreatedAt, r.UpdatedAt, r.Version
	return &ng, nil
}

// clusterNodeGroups returns a cluster's node groups, oldest first.
func clusterNodeGroups(ctx context.Context, tx *store.Tx, clusterUUID string) ([]*NodeGroup, error) {
	recs, err := tx.Find(ctx, store.NodeGroups, store.Query{Where: store.Eq("cluster_uuid", clusterUUID)})
	if err != nil {
		return nil, err
	}
	out := make([]*NodeGroup, 0, len(recs))
	for _, r := range recs {
		ng, err := nodeGroupFromRecord(r)
		if err != nil {
			return nil, err
		}
		out = append(out, ng)
	}
	return out, nil
}

// aggregate sets the fields of a cluster that sum up its node groups:
// counts, addresses and faults.
func (c *Cluster) aggregate(ngs []*NodeGroup) {
	c.NodeCount, c.MasterCount = 0, 0
	c.NodeAddresses, c.MasterAddresses = []string{}, []string{}
	c.Faults = map[string]string{}
	sort.SliceStable(ngs, func(i, j int) bool { return ngs[i].IsDefault && !ngs[j].IsDefault })
	for _, ng := range ngs {
		if ng.Role == RoleMaster {
			c.MasterCount += ng.NodeCount
			c.MasterAddresses = append(c.MasterAddresses, ng.NodeAddresses...)
		} else {
			c.NodeCount += ng.NodeCount
			c.NodeAddresses = append(c.NodeAddresses, ng.NodeAddresses...)
		}
		if ng.Status.IsFailed() {
			c.Faults[ng.Name] = ng.StatusReason
		}
	}
}

// putCluster stores a cluster over the version it was read at, after
// refreshing what it sums up of its node groups.
func putCluster(ctx context.Context, tx *store.Tx, d *clusterDoc, ngs []*NodeGroup) error {
	d.aggregate(ngs)
	rec, err := clusterRecord(d)
	if err != nil {
		return err
	}
	rec.Version = d.rev
	if err := tx.Put(ctx, store.Clusters, rec); err != nil {
		return err
	}
	d.UpdatedAt, d.rev = rec.UpdatedAt, rec.Version
	return clusterChanged(ctx, tx, ClusterChanged, d)
}

// putNodeGroup stores a node group over the version it was read at.
func putNodeGroup(ctx context.Context, tx *store.Tx, ng *NodeGroup) error {
	rec, err := nodeGroupRecord(ng)
	if err != nil {
		return err
	}
	rec.Version = ng.rev
	if err := tx.Put(ctx, store.NodeGroups, rec); err != nil {
		return err
	}
	ng.UpdatedAt, ng.rev = rec.UpdatedAt, rec.Version
	return nodeGroupChanged(ctx, tx, NodeGroupChanged, ng)
}

// insertNodeGroup stores a new node group.
func insertNodeGroup(ctx context.Context, tx *store.Tx, ng *NodeGroup) error {
	rec, err := nodeGroupRecord(ng)
	if err != nil {
		return err
	}
	if err := tx.Insert(ctx, store.NodeGroups, rec); err != nil {
		return err
	}
	ng.ID, ng.rev = rec.ID, rec.Version
	return nodeGroupChanged(ctx, tx, NodeGroupChanged, ng)
}
