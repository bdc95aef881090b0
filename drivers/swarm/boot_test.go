package swarm_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
)

// TestJoin runs the boot script's join against a fake Docker API on
// loopback: a worker of the default group joins the primary it is given;
// a worker of an extra group, given only the cluster's API address, reads
// the join token and a manager's private address from the API there.
func TestJoin(t *testing.T) {
	api := httptest.NewServer(stacktest.JSONHandler(map[string]string{
		"/swarm": `{"ID":"s1","JoinTokens":{"Worker":"SWMTKN-1-worker","Manager":"SWMTKN-1-manager"}}`,
		"/info":  `{"ID":"n1","Swarm":{"NodeAddr":"10.0.0.3","RemoteManagers":[{"NodeID":"m1","Addr":"10.0.0.3:2377"}]}}`,
	}))
	defer api.Close()
	tests := []struct {
		name, primary, apiAddress, role, want string
	}{
		{"default worker", "127.0.0.1", "", "Worker", "docker swarm join --token SWMTKN-1-worker --advertise-addr 10.0.0.9 127.0.0.1:2377\n"},
		{"secondary manager", "127.0.0.1", "", "Manager", "docker swarm join --token SWMTKN-1-manager --advertise-addr 10.0.0.9 127.0.0.1:2377\n"},
		{"extra group worker", "", "127.0.0.1", "Worker", "docker swarm join --token SWMTKN-1-worker --advertise-addr 10.0.0.9 10.0.0.3:2377\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := []string{"TLS_DISABLED=true", "NODE_IP=10.0.0.9", "PRIMARY_ADDRESS=" + tt.primary, "API_ADDRESS=" + tt.apiAddress}
			out := stacktest.RunFunctions(t, "scripts/swarm-bootstrap.sh", []string{"manager_api", "join"}, env, api, []string{"2375"}, "join "+tt.role)
			assert.Equal(t, tt.want, out)
		})
	}
}
