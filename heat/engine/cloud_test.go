package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
)

// newSimEngine returns an engine and the simulated cloud it uses.
func newSimEngine(t *testing.T, simOpts ...sim.Option) (*Engine, *sim.Cloud) {
	t.Helper()
	c, err := sim.New(context.Background(), simOpts...)
	require.NoError(t, err)
	e, err := New(context.Background(), WithCloud(c))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return e, c
}

func createAndWait(t *testing.T, e *Engine, tmpl string, params map[string]any) *heat.Stack {
	t.Helper()
	id, err := e.CreateStack(context.Background(), heat.StackSpec{
		Name: "s" + shortID(), Template: []byte(tmpl), Parameters: params, Timeout: time.Minute})
	require.NoError(t, err)
	return waitStack(t, e, id)
}

const serverWithWaitCondition = `
heat_template_version: queens
parameters:
  timeout: {type: number, default: 10}
resources:
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: {get_param: timeout}}
  port:
    type: OS::Neutron::Port
    properties: {network: private, fixed_ips: [{subnet: private-subnet}]}
  fip:
    type: OS::Neutron::FloatingIP
    properties: {floating_network: public, port_id: {get_resource: port}}
  server:
    type: OS::Nova::Server
    properties:
      name: master-0
      image: fedora-coreos-40
      flavor: m1.small
      networks: [{port: {get_resource: port}}]
      user_data_format: RAW
      user_data:
        str_replace:
          template: "#!/bin/sh\nWC_NOTIFY --data-binary '{\"status\": \"SUCCESS\"}'\n"
          params: {WC_NOTIFY: {get_attr: [handle, curl_cli]}}
outputs:
  address: {value: {get_attr: [server, first_address]}}
  fip: {value: {get_attr: [fip, floating_ip_address]}}
  networks: {value: {get_attr: [server, networks, private]}}
  curl: {value: {get_attr: [handle, curl_cli]}}
  data: {value: {get_attr: [wait, data]}}
`

func TestWaitConditionSignalledWhenServerBoots(t *testing.T) {
	e, _ := newSimEngine(t)
	st := createAndWait(t, e, serverWithWaitCondition, nil)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
	assert.True(t, strings.HasPrefix(st.Outputs["address"].(string), "10.0.0."), st.Outputs["address"])
	assert.True(t, strings.HasPrefix(st.Outputs["fip"].(string), "172.24.4."), st.Outputs["fip"])
	assert.Equal(t, []any{st.Outputs["address"], st.Outputs["fip"]}, st.Outputs["networks"])
	assert.Contains(t, st.Outputs["curl"], "curl -i -X POST -H 'X-Auth-Token: ")
	assert.Contains(t, st.Outputs["data"], "null")
}

func TestWaitConditionTimesOutWithoutSignal(t *testing.T) {
	e, c := newSimEngine(t)
	_, err := c.InjectFault(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectNoSignal})
	require.NoError(t, err)
	st := createAndWait(t, e, serverWithWaitCondition, map[string]any{"timeout": 1})
	require.Equal(t, heat.CreateFailed, st.Status)
	assert.Equal(t, "Resource CREATE failed: WaitConditionTimeout: resources.wait: 0 of 1 received", st.StatusReason)
}

func TestWaitConditionFailsWhenBootFails(t *testing.T) {
	e, c := newSimEngine(t)
	_, err := c.InjectFault(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectBootFailure, Message: "kernel panic"})
	require.NoError(t, err)
	st := createAndWait(t, e, serverWithWaitCondition, nil)
	require.Equal(t, heat.CreateFailed, st.Status)
	assert.Contains(t, st.StatusReason, "Resource CREATE failed: WaitConditionFailure: resources.wait: ")
}

func TestCloudFailures(t *testing.T) {
	group := `
heat_template_version: queens
parameters:
  count: {type: number, default: 2}
resources:
  servers:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: count}
      resource_def:
        type: OS::Nova::Server
        properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{network: private}]}
`
	tests := []struct {
		name   string
		fault  *sim.Fault
		quota  *sim.Quota
		reason string
		detail string
	}{
		{name: "no valid host", fault: &sim.Fault{Kind: sim.KindServer, Effect: sim.EffectNoValidHost, Times: 1},
			reason: "ResourceInError: resources.servers.resources[", detail: "No valid host was found."},
		{name: "quota", quota: &sim.Quota{Instances: 1, Cores: -1, RAMMiB: -1, FloatingIPs: -1, Volumes: -1, VolumeGB: -1, LoadBalancers: -1},
			reason: "Forbidden: resources.servers.resources[", detail: "Quota exceeded for instances"},
		{name: "injected error", fault: &sim.Fault{Kind: sim.KindServer, Name: "*-1-*", Effect: sim.EffectError, Message: "boom"},
			reason: "ResourceInError: resources.servers.resources[1]: Went to status ERROR due to \"Message: boom",
			detail: "Code: 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, c := newSimEngine(t)
			if tt.fault != nil {
				_, err := c.InjectFault(*tt.fault)
				require.NoError(t, err)
			}
			if tt.quota != nil {
				require.NoError(t, c.SetQuota(context.Background(), sim.DemoProjectID, *tt.quota))
			}
			st := createAndWait(t, e, group, nil)
			require.Equal(t, heat.CreateFailed, st.Status)
			assert.Contains(t, st.StatusReason, "Resource CREATE failed: "+tt.reason)
			assert.Contains(t, st.StatusReason, tt.detail)
			failed, err := e.FailedResources(context.Background(), st.ID)
			require.NoError(t, err)
			require.NotEmpty(t, failed)
			assert.Equal(t, 1, failed[0].Depth, "deepest first")
			assert.Equal(t, "servers", failed[len(failed)-1].Name)
		})
	}
}

// TestWaitConditionThroughMultipart is the Swarm pattern: the handle's
// curl_cli sits in a SoftwareConfig inside the MultipartMime given to
// the server as raw user data.
func TestWaitConditionThroughMultipart(t *testing.T) {
	e, _ := newSimEngine(t)
	st := createAndWait(t, e, `
heat_template_version: 2014-10-16
resources:
  handle: {type: OS::Heat::WaitConditionHandle}
  wait:
    type: OS::Heat::WaitCondition
    properties: {handle: {get_resource: handle}, timeout: 10}
  notify:
    type: OS::Heat::SoftwareConfig
    properties:
      group: ungrouped
      config:
        str_replace:
          template: "#!/bin/sh\n# é\nWAIT_CURL --data-binary '{\"status\": \"SUCCESS\"}'\n"
          params: {WAIT_CURL: {get_attr: [handle, curl_cli]}}
  init:
    type: OS::Heat::MultipartMime
    properties:
      parts: [{config: {get_resource: notify}}]
  server:
    type: OS::Neutron::LBaaS::LoadBalancer
    properties: {vip_subnet: private-subnet}
  node:
    type: OS::Nova::Server
    properties:
      image: fedora-40
      flavor: m1.small
      networks: [{network: private}]
      user_data_format: RAW
      user_data: {get_resource: init}
`, nil)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
}
