package mesos_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
)

// TestMastersZK runs the boot script's masters_zk against a fake Mesos
// master on loopback: an agent of the default group points at every
// master's ZooKeeper it is given; an agent of an extra group, given only
// the cluster's API address, reads the masters' ZooKeeper from the
// master's flags there (with the slashes escaped, as Mesos writes them).
func TestMastersZK(t *testing.T) {
	api := httptest.NewServer(stacktest.JSONHandler(map[string]string{
		"/master/flags": `{"flags":{"port":"5050","quorum":"2","zk":"zk:\/\/10.0.0.3:2181,10.0.0.4:2181,10.0.0.5:2181\/mesos"}}`,
	}))
	defer api.Close()
	tests := []struct{ name, masters, apiAddress, want string }{
		{"default agent", "10.0.0.3,10.0.0.4", "", "zk://10.0.0.3:2181,10.0.0.4:2181/mesos"},
		{"extra group agent", "", "127.0.0.1", "zk://10.0.0.3:2181,10.0.0.4:2181,10.0.0.5:2181/mesos"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := []string{"TLS_DISABLED=true", "MASTERS=" + tt.masters, "API_ADDRESS=" + tt.apiAddress}
			out := stacktest.RunFunctions(t, "scripts/mesos-bootstrap.sh", []string{"zk_list", "masters_zk"}, env, api, []string{"5050"}, "masters_zk")
			assert.Equal(t, tt.want, out)
		})
	}
}
