package mesos_test

import (
	"context"
	"fmt"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/mesos"
)

func ExampleDriver_ClientConfig() {
	c := drivers.Cluster{UUID: "5d12f6fd", APIAddress: "172.24.4.10", Template: drivers.Template{TLSDisabled: true}}
	cfg, err := mesos.New().ClientConfig(context.Background(), c, drivers.Credentials{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Env["MESOS_MASTER_URL"], cfg.Env["MARATHON_URL"])
	// Output: http://172.24.4.10:5050 http://172.24.4.10:8080
}
