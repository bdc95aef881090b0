package magnum_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// exampleCluster starts a service on the embedded defaults and creates a
// Kubernetes cluster as the demo user; it returns the service, the demo
// user's context and the cluster's UUID.
func exampleCluster() (*magnum.Service, context.Context, string) {
	svc, err := magnum.New(context.Background(), magnum.WithSyncInterval(100*time.Millisecond),
		magnum.WithProgressInterval(100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	ctx := magnum.WithCaller(context.Background(), demo)
	t, err := svc.CreateClusterTemplate(ctx, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public", FlavorID: "m1.small",
	}})
	if err != nil {
		log.Fatal(err)
	}
	id, err := svc.CreateCluster(ctx, magnum.ClusterCreate{Name: "demo", ClusterTemplateID: t.UUID})
	if err != nil {
		log.Fatal(err)
	}
	return svc, ctx, id
}

// Waiting for a cluster's build, then for its deletion, without a loop.
func ExampleService_WaitCluster() {
	svc, ctx, id := exampleCluster()
	defer svc.Close()

	c, err := svc.WaitCluster(ctx, id, magnum.CreateComplete)
	if err != nil {
		log.Fatal(err) // CREATE_FAILED comes back as magnum.ErrUnexpectedStatus
	}
	fmt.Println(c.Name, c.Status)

	if err := svc.DeleteCluster(ctx, id); err != nil {
		log.Fatal(err)
	}
	c, err = svc.WaitCluster(ctx, id, magnum.DeleteComplete)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Name, c.Status)
	// Output:
	// demo CREATE_COMPLETE
	// demo DELETE_COMPLETE
}

// Following a cluster's build: its latest state first, then each change,
// in order, until the build ends.
func ExampleService_WatchCluster() {
	svc, ctx, id := exampleCluster()
	defer svc.Close()

	for ch, err := range svc.WatchCluster(ctx, id) {
		if err != nil {
			log.Fatal(err)
		}
		if ch.Cluster == nil {
			continue // a node group's change
		}
		if !ch.Cluster.Status.IsInProgress() {
			fmt.Println(ch.Cluster.Status)
			break
		}
	}
	// Output: CREATE_COMPLETE
}

// Watching every cluster of the caller's project until the context ends.
func ExampleService_Watch() {
	svc, ctx, id := exampleCluster()
	defer svc.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	go func() {
		if _, err := svc.WaitCluster(ctx, id); err == nil {
			svc.DeleteCluster(ctx, id)
		}
	}()
	for ch, err := range svc.Watch(ctx, magnum.WatchFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		if ch.Kind == magnum.ClusterDeleted {
			fmt.Println("deleted", ch.Cluster.Name)
			break
		}
	}
	// Output: deleted demo
}

// Client credentials in one call: a new key, a certificate the cluster's
// CA signed for the caller, and the driver's kubeconfig around them.
func ExampleService_ClusterCredentials() {
	svc, ctx, id := exampleCluster()
	defer svc.Close()
	if _, err := svc.WaitCluster(ctx, id, magnum.CreateComplete); err != nil {
		log.Fatal(err)
	}

	creds, err := svc.ClusterCredentials(ctx, id, magnum.CredentialsOptions{})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "kubeconfig-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	paths, err := creds.Write(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("CN="+creds.Subject.CommonName, filepath.Base(paths[0]), creds.Env["KUBECONFIG"])
	// Output: CN=demo config config
}

// Code written against magnum.API runs on the embedded service and on a
// remote Magnum API (package remote) alike.
func ExampleAPI() {
	svc, err := magnum.New(context.Background(), magnum.WithoutConductor())
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	var api magnum.API = svc
	count := func(ctx context.Context, api magnum.API) (int, error) {
		list, err := api.ListClusterTemplates(ctx, magnum.ListOptions{})
		return len(list), err
	}
	n, err := count(magnum.WithCaller(context.Background(), demo), api)
	fmt.Println(n, err)
	// Output: 0 <nil>
}
