package barbican_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/certs/barbican"
)

// A Manager keeping its keys in Barbican. With Keystone, build the client
// with openstack.NewKeyManagerV1 instead of NoAuthClient.
func ExampleNew() {
	store, err := barbican.New(barbican.NoAuthClient("http://127.0.0.1:9311", "service"))
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(store)
	if err != nil {
		log.Fatal(err)
	}
	b, err := m.IssueCluster(context.Background(), certs.ClusterInfo{UUID: "5d12f6fd-a196-4bf0-ae4c-1f639a523a52"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.CA.Ref) // http://127.0.0.1:9311/v1/containers/<uuid>
}
