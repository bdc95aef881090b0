package stacktest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// HeatURL returns the real Heat of the tests (GOMAGNUM_HEAT_URL): the test
// is skipped without one, or fails in CI.
func HeatURL(t testing.TB) string {
	t.Helper()
	return testenv.Lookup(t, testenv.HeatURL, "a real Heat")
}

// ValidateStack has the real Heat at url validate a driver's stack: the
// top template with the stack's parameters, then each nested template
// named in nested on its own, once per parameter set given for it (Heat
// does not validate the members of a ResourceGroup through their parent).
func ValidateStack(t testing.TB, url string, st drivers.Stack, nested map[string][]map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := HeatValidate(ctx, url, st.Template, st.Files, st.Parameters); err != nil {
		t.Fatalf("top template: %v", err)
	}
	for name, sets := range nested {
		tmpl, ok := st.Files[name]
		if !ok || !IsTemplate(tmpl) {
			t.Fatalf("stack has no nested template %s", name)
		}
		for i, overrides := range sets {
			params, err := NestedParams([]byte(tmpl), overrides)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := HeatValidate(ctx, url, []byte(tmpl), st.Files, params); err != nil {
				t.Errorf("%s with %s: %v", name, fmt.Sprint(sets[i]), err)
			}
		}
	}
}

// BasicNested are the parameters the shared cluster template hands its
// nested templates under the options o, for ValidateStack.
func BasicNested(o Options, apiPort, extraPort int) map[string][]map[string]any {
	vol := map[bool]int{true: 10, false: 0}[o.Volumes]
	pool := map[bool]string{true: "pool-1", false: ""}[o.LB]
	extraPool := ""
	if o.LB && extraPort != 0 {
		extraPool = "pool-2"
	}
	node := func(role string) map[string]any {
		return map[string]any{"role": role, "floating_ip_enabled": o.FloatingIP, "docker_volume_size": vol,
			"api_pool_id": pool, "extra_pool_id": extraPool, "ssh_key_name": "default",
			"api_port": apiPort, "extra_port": extraPort}
	}
	return map[string][]map[string]any{
		"node.yaml":    {node("master"), node("worker")},
		"network.yaml": {{"existing_network": ""}, {"existing_network": "net", "existing_subnet": "subnet"}},
		"apilb.yaml":   {{"floating_ip_enabled": o.FloatingIP, "port": apiPort, "extra_port": extraPort}},
	}
}

// NodeGroupNested are the parameters the shared cluster template hands
// node.yaml in a node-group stack under the options o, for ValidateStack:
// a worker on the cluster's network that finds the masters through the
// cluster's API address.
func NodeGroupNested(o Options, apiPort, extraPort int) map[string][]map[string]any {
	return map[string][]map[string]any{"node.yaml": {{
		"role": "worker", "floating_ip_enabled": o.FloatingIP, "ssh_key_name": "default", "api_port": apiPort,
		"extra_port": extraPort, "api_address": "172.24.4.10", "primary_address": "", "masters": "",
	}}}
}
