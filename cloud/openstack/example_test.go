package openstack_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	gopenstack "github.com/gophercloud/gophercloud/v2/openstack"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/openstack"
)

// Connect with the service's own credentials, look up a template's image
// and create a cluster's trustee.
func ExampleNew() {
	ctx := context.Background()
	provider, err := gopenstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: "https://keystone.example.com:5000/v3",
		Username:         "magnum",
		Password:         "service-password",
		DomainName:       "Default",
		TenantName:       "service",
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := openstack.New(ctx, provider,
		openstack.WithRegion("RegionOne"),
		openstack.WithTrusteeDomainName("magnum"),
		openstack.WithLoadBalancerTimeout(2*time.Minute),
	)
	if err != nil {
		log.Fatal(err)
	}

	img, err := c.Image(ctx, "fedora-coreos-38")
	switch {
	case errors.Is(err, cloud.ErrNotFound):
		log.Fatalf("no such image: %v", err)
	case errors.Is(err, cloud.ErrAmbiguous):
		log.Fatalf("use the image ID: %v", err)
	case err != nil:
		log.Fatal(err)
	case img.OSDistro == "":
		log.Fatalf("image %s has no os_distro property", img.ID)
	}
	fmt.Println("driver for", img.OSDistro)
}

// Create the trust with the token of the user who asked for the cluster,
// as Keystone requires of a trust's trustor.
func ExampleWithTrustor() {
	ctx := context.Background()
	var provider *gophercloud.ProviderClient // authenticated as the service
	userToken := "gAAAAAB..."                // the caller's X-Auth-Token

	c, err := openstack.New(ctx, provider,
		openstack.WithTrusteeDomainID("5e0a3c1f9d7b4e2a8c6f1b3d5e7a9c20"),
		openstack.WithTrustor(func(_ context.Context, userID, projectID string) (*gophercloud.ProviderClient, error) {
			p, err := gopenstack.NewClient("https://keystone.example.com:5000/v3")
			if err != nil {
				return nil, err
			}
			p.SetToken(userToken) // only the token is used
			return p, nil
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	t, err := c.CreateTrustee(ctx, cloud.TrusteeRequest{
		ClusterUUID:   "3f0c8d2e-9b1a-4c7d-8e6f-5a4b3c2d1e0f",
		ProjectID:     "8f1e4bd0c6a94ad1a5f0b3a4c2d9e711",
		TrustorUserID: "a11ce0000000400080000000000000a1",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("trustee", t.UserName, "trust", t.TrustID)
}

// Before deleting a cluster's stack, delete the load balancers that the
// Kubernetes cloud provider made for its services.
func ExampleCloud_CleanupLoadBalancers() {
	ctx := context.Background()
	var c *openstack.Cloud // from openstack.New
	err := c.CleanupLoadBalancers(ctx, "3f0c8d2e-9b1a-4c7d-8e6f-5a4b3c2d1e0f")
	if errors.Is(err, openstack.ErrTimeout) {
		log.Print("load balancers still deleting; try the delete again later")
	}
}
