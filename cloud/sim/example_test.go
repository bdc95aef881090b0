package sim_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
)

func ExampleNew() {
	ctx := context.Background()
	catalog, err := sim.ParseCatalog([]byte(`
default_project: demo
projects: [{id: 0f4e1d2c3b4a59687f6e5d4c3b2a1908, name: demo}]
users: [{name: alice, project: demo}]
images: [{name: fedora-coreos-40, os_distro: fedora-coreos}]
flavors: [{name: m1.small, vcpus: 1, ram: 2048, disk: 20}]
keypairs: [{name: default, user: alice, public_key: "ssh-ed25519 AAAAC3Nza alice"}]
networks:
  - name: public
    external: true
    subnets: [{name: public-subnet, cidr: 172.24.4.0/24}]
  - name: private
    subnets: [{name: private-subnet, cidr: 10.0.0.0/24}]
routers: [{name: router1, external_network: public, interfaces: [private-subnet]}]
quotas: {default: {instances: 2}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := sim.New(ctx, sim.WithCatalog(catalog))
	if err != nil {
		fmt.Println(err)
		return
	}

	image, _ := c.Image(ctx, "fedora-coreos-40")
	fmt.Println("os_distro:", image.OSDistro)

	ctx = cloud.WithProject(ctx, "0f4e1d2c3b4a59687f6e5d4c3b2a1908")
	server, _ := c.CreateServer(ctx, sim.ServerSpec{
		Name: "k8s-master-0", Image: "fedora-coreos-40", Flavor: "m1.small", KeyName: "default",
		Networks: []sim.NIC{{Network: "private"}},
	})
	fip, _ := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{PortID: server.PortIDs[0]})
	fmt.Println("fixed:", server.FirstAddress(), "floating:", fip.FloatingIPAddress)
	fmt.Println("booted:", c.WaitBooted(ctx, server.ID) == nil)

	_, _ = c.CreateServer(ctx, sim.ServerSpec{Name: "k8s-minion-0", Image: "fedora-coreos-40", Flavor: "m1.small"})
	_, err = c.CreateServer(ctx, sim.ServerSpec{Name: "k8s-minion-1", Image: "fedora-coreos-40", Flavor: "m1.small"})
	fmt.Println(errors.Is(err, sim.ErrQuotaExceeded), err)
	// Output:
	// os_distro: fedora-coreos
	// fixed: 10.0.0.2 floating: 172.24.4.3
	// booted: true
	// true Quota exceeded for instances: Requested 1, but already used 2 of 2 instances
}

func ExampleCloud_InjectFault() {
	ctx := context.Background()
	c, _ := sim.New(ctx)
	remove, _ := c.InjectFault(sim.Fault{Kind: sim.KindServer, Name: "*-minion-*", Effect: sim.EffectNoValidHost, Times: 1})
	defer remove()

	_, err := c.CreateServer(ctx, sim.ServerSpec{Name: "k8s-minion-0", Image: "fedora-40", Flavor: "m1.tiny"})
	fmt.Println(err)
	_, err = c.CreateServer(ctx, sim.ServerSpec{Name: "k8s-minion-0", Image: "fedora-40", Flavor: "m1.tiny"})
	fmt.Println(err)
	// Output:
	// No valid host was found. There are not enough hosts available.
	// <nil>
}

func ExampleWithClientToken() {
	ctx := context.Background()
	store := &sim.MemBlobs{}
	c, _ := sim.New(ctx, sim.WithBlobs(store))
	// The token names this create attempt: a caller repeating it after a
	// crash passes the same one.
	create := sim.WithClientToken(ctx, "stack-42/1/router")
	r, _ := c.CreateRouter(create, sim.RouterSpec{Name: "router", ExternalNetwork: "public"})

	restarted, _ := sim.New(ctx, sim.WithBlobs(store))
	again, _ := restarted.CreateRouter(create, sim.RouterSpec{Name: "router", ExternalNetwork: "public"})
	fmt.Println(again.ID == r.ID, again.ExternalFixedIPs[0].IPAddress == r.ExternalFixedIPs[0].IPAddress)

	_ = restarted.DeleteRouter(ctx, r.ID)
	fresh, _ := restarted.CreateRouter(create, sim.RouterSpec{Name: "router", ExternalNetwork: "public"})
	fmt.Println(fresh.ID == r.ID)
	// Output:
	// true true
	// false
}
