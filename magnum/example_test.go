package magnum_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// The embedded defaults: SQLite in a temporary directory, the simulated
// cloud, the embedded Heat engine and the built-in drivers.
func ExampleNew() {
	svc, err := magnum.New(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	admin := magnum.WithCaller(context.Background(), magnum.Caller{UserID: "admin", ProjectID: "admin", Roles: []string{"admin"}})
	st, err := svc.Stats(admin, "", "cluster")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d clusters, %d nodes\n", st.Clusters, st.Nodes)
	// Output: 0 clusters, 0 nodes
}

func ExampleService_CreateClusterTemplate() {
	svc, err := magnum.New(context.Background(), magnum.WithoutConductor())
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	ctx := magnum.WithCaller(context.Background(), demo)

	t, err := svc.CreateClusterTemplate(ctx, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public",
		FlavorID: "m1.small", Labels: map[string]string{"kube_tag": "v1.30.1"},
	}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Name, t.COE, t.ClusterDistro, t.NetworkDriver, t.ServerType, t.FloatingIPEnabled)

	_, err = svc.CreateClusterTemplate(ctx, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		COE: "kubernetes", ImageID: "cirros-0.6.2",
	}})
	fmt.Println(errors.Is(err, magnum.ErrInvalid), err)
	// Output:
	// k8s kubernetes fedora-coreos flannel vm true
	// true Image cirros-0.6.2 doesn't contain os_distro field.
}

func ExampleService_CreateCluster() {
	svc, err := magnum.New(context.Background(), magnum.WithSyncInterval(100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	ctx := magnum.WithCaller(context.Background(), demo)
	t, err := svc.CreateClusterTemplate(ctx, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public", FlavorID: "m1.small",
	}})
	if err != nil {
		log.Fatal(err)
	}

	workers := 2
	id, err := svc.CreateCluster(ctx, magnum.ClusterCreate{Name: "demo", ClusterTemplateID: t.UUID, NodeCount: &workers})
	if err != nil {
		log.Fatal(err)
	}
	c, _ := svc.GetCluster(ctx, id)
	fmt.Println(c.Status)
	if c, err = svc.WaitCluster(ctx, id, magnum.CreateComplete); err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Status, c.MasterCount, c.NodeCount, len(c.NodeAddresses))
	// Output:
	// CREATE_IN_PROGRESS
	// CREATE_COMPLETE 1 2 2
}

func ExampleService_CreateQuota() {
	svc, err := magnum.New(context.Background(), magnum.WithoutConductor())
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	admin := magnum.WithCaller(context.Background(), magnum.Caller{UserID: "admin", ProjectID: "admin", Roles: []string{"admin"}})

	q, err := svc.GetQuota(admin, demo.ProjectID, "Cluster")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("default:", q.HardLimit)
	if _, err := svc.CreateQuota(admin, magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 1}); err != nil {
		log.Fatal(err)
	}
	q, _ = svc.GetQuota(admin, demo.ProjectID, "Cluster")
	fmt.Println("set:", q.HardLimit)

	_, err = svc.CreateQuota(magnum.WithCaller(context.Background(), demo), magnum.Quota{ProjectID: demo.ProjectID, Resource: "Cluster", HardLimit: 100})
	fmt.Println(errors.Is(err, magnum.ErrForbidden), err)
	// Output:
	// default: 20
	// set: 1
	// true Policy doesn't allow quota:create to be performed.
}
