// Command quickstart runs gomagnum on its embedded defaults: a SQLite
// database in a temporary directory, the simulated cloud and the built-in
// drivers. It creates a Kubernetes cluster template and a cluster, and
// prints what the service reports.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/gomagnum/gomagnum/magnum"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	svc, err := magnum.New(ctx)
	if err != nil {
		return err
	}
	defer svc.Close()
	ctx = magnum.WithCaller(ctx, magnum.Caller{UserID: "6ab2d0e08fa34f17afd3a42b80e1d235", UserName: "demo",
		ProjectID: "c99cc16abecc4cd0bbed7e1bc2f2b516", Roles: []string{"member"}})

	tmpl, err := svc.CreateClusterTemplate(ctx, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s-fcos", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public",
		FlavorID: "m1.small", MasterFlavorID: "m1.medium", KeypairID: "default",
		Labels: map[string]string{"kube_tag": "v1.30.1"},
	}})
	if err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	fmt.Printf("template %s: %s on %s (%s), network driver %s\n", tmpl.Name, tmpl.COE, tmpl.ImageID, tmpl.ClusterDistro, tmpl.NetworkDriver)

	workers := 2
	id, err := svc.CreateCluster(ctx, magnum.ClusterCreate{Name: "demo", ClusterTemplateID: tmpl.UUID, NodeCount: &workers})
	if err != nil {
		return fmt.Errorf("create cluster: %w", err)
	}
	c, err := svc.GetCluster(ctx, id)
	if err != nil {
		return err
	}
	fmt.Printf("cluster %s (%s): %s, %d master(s), %d worker(s)\n", c.Name, c.UUID, c.Status, c.MasterCount, c.NodeCount)
	st, err := svc.Stats(ctx, "", "")
	if err != nil {
		return err
	}
	fmt.Printf("project stats: %d cluster(s), %d node(s)\n", st.Clusters, st.Nodes)
	return nil
}
