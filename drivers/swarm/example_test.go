package swarm_test

import (
	"context"
	"fmt"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/swarm"
)

func ExampleDriver_ClientConfig() {
	c := drivers.Cluster{UUID: "5d12f6fd", APIAddress: "tcp://172.24.4.10:2376"}
	cfg, err := swarm.New().ClientConfig(context.Background(), c, drivers.Credentials{
		CACert: []byte("ca"), ClientCert: []byte("cert"), ClientKey: []byte("key"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Env["DOCKER_HOST"], cfg.Env["DOCKER_TLS_VERIFY"], len(cfg.Files))
	// Output: tcp://172.24.4.10:2376 1 3
}
