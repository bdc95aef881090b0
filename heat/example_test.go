package heat_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/gomagnum/gomagnum/heat"
)

// Create a stack on a Heat in noauth mode (as scripts/heat.sh starts one),
// wait for it, and read its outputs; on failure, show the root cause.
func ExampleNewClient() {
	ctx := context.Background()
	c, err := heat.NewClient(ctx, heat.WithNoAuth("http://127.0.0.1:8004/v1/admin"))
	if err != nil {
		log.Fatal(err)
	}
	id, err := c.CreateStack(ctx, heat.StackSpec{
		Name: "example",
		Template: []byte(`heat_template_version: 2018-08-31
resources:
  secret: {type: OS::Heat::RandomString}
outputs:
  secret: {value: {get_attr: [secret, value]}}
`),
		Timeout: 10 * time.Minute,
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, heat.ErrInvalid) for a template Heat refused
	}
	st, err := c.GetStack(ctx, id)
	for err == nil && st.Status.IsInProgress() {
		time.Sleep(time.Second)
		st, err = c.GetStack(ctx, id)
	}
	if err != nil {
		log.Fatal(err)
	}
	if st.Status.IsFailed() {
		failed, err := c.FailedResources(ctx, id)
		if err == nil && len(failed) > 0 {
			fmt.Println("root cause:", failed[0].Name, failed[0].StatusReason) // deepest first
		}
		return
	}
	fmt.Println(st.Status, len(st.Outputs["secret"].(string)))
}

// Authenticate against Keystone with a password; Heat is found in the
// catalog and the token is renewed when it expires.
func ExampleWithAuth() {
	ctx := context.Background()
	c, err := heat.NewClient(ctx,
		heat.WithAuth(gophercloud.AuthOptions{
			IdentityEndpoint: "http://127.0.0.1:5000/v3",
			Username:         "admin",
			Password:         "secret",
			DomainName:       "Default",
			TenantName:       "admin",
		}),
		heat.WithEndpointOpts(gophercloud.EndpointOpts{Region: "RegionOne"}),
		heat.WithRetry(heat.RetryPolicy{Attempts: 3}),
	)
	if err != nil {
		log.Fatal(err) // errors.Is(err, heat.ErrUnauthorized) for bad credentials
	}
	stacks, next, err := c.ListStacks(ctx, heat.ListOptions{Tags: []string{"magnum"}, Limit: 50})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(stacks), next != "")
}
