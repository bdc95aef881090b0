package remote_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/remote"
)

// A client of a Magnum API in noauth mode (here magnumd's API served on
// loopback) acting as the caller in each request's context. Against a
// real cloud, build the gophercloud service client with
// openstack.NewContainerInfraV1 and pass it to remote.New.
func ExampleNewNoAuth() {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := magnum.New(context.Background(), magnum.WithLogger(logger), magnum.WithSyncInterval(100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(api.NewHandler(svc, api.WithAuthenticator(api.NoAuth{}), api.WithLogger(logger)))
	defer srv.Close()

	var c magnum.API = remote.NewNoAuth(srv.URL+"/v1/", srv.Client(), remote.WithPollInterval(100*time.Millisecond))
	ctx := magnum.WithCaller(context.Background(), magnum.Caller{UserID: "6ab2d0e08fa34f17afd3a42b80e1d235",
		UserName: "demo", ProjectID: "c99cc16abecc4cd0bbed7e1bc2f2b516", Roles: []string{"member"}})
	t, err := c.CreateClusterTemplate(ctx, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public", FlavorID: "m1.small",
	}})
	if err != nil {
		log.Fatal(err)
	}
	id, err := c.CreateCluster(ctx, magnum.ClusterCreate{Name: "demo", ClusterTemplateID: t.UUID})
	if err != nil {
		log.Fatal(err)
	}
	cl, err := c.WaitCluster(ctx, id, magnum.CreateComplete)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cl.Name, cl.Status)

	_, err = c.GetCluster(ctx, "no-such-cluster")
	fmt.Println(errors.Is(err, magnum.ErrNotFound), err)
	// Output:
	// demo CREATE_COMPLETE
	// true Cluster no-such-cluster could not be found.
}
