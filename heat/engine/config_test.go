package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// The software config types need the Heat service in Keystone's catalog,
// which the noauth Heat of the differential tests lacks; they are tested
// here.

func TestSoftwareConfigsAndDeployments(t *testing.T) {
	e, _ := newSimEngine(t)
	st := createAndWait(t, e, `
heat_template_version: 2018-08-31
resources:
  script:
    type: OS::Heat::SoftwareConfig
    properties:
      group: script
      config: "#!/bin/sh\necho hi\n"
      inputs: [{name: foo}]
      outputs: [{name: result}]
  structured:
    type: OS::Heat::StructuredConfig
    properties:
      config: {a: [1, 2], b: {get_param: "OS::stack_name"}}
  cloud:
    type: OS::Heat::CloudConfig
    properties:
      cloud_config: {runcmd: [ls], write_files: [{path: /etc/x, content: y}]}
  mime:
    type: OS::Heat::MultipartMime
    properties:
      parts:
        - config: {get_resource: script}
        - config: "echo b"
          filename: b.sh
          subtype: x-shellscript
  outer:
    type: OS::Heat::MultipartMime
    properties:
      parts: [{config: {get_resource: mime}, type: multipart}, {config: "echo c"}]
  server:
    type: OS::Nova::Server
    properties:
      image: fedora-coreos-40
      flavor: m1.small
      networks: [{network: private}]
      user_data_format: SOFTWARE_CONFIG
      user_data: {get_resource: mime}
  deploy:
    type: OS::Heat::SoftwareDeployment
    properties:
      config: {get_resource: script}
      server: {get_resource: server}
      signal_transport: HEAT_SIGNAL
      input_values: {foo: bar}
  nosignal:
    type: OS::Heat::SoftwareDeployment
    properties: {config: {get_resource: script}, server: {get_resource: server}, signal_transport: NO_SIGNAL}
  deploys:
    type: OS::Heat::SoftwareDeploymentGroup
    properties:
      config: {get_resource: script}
      servers: {m0: {get_resource: server}, m1: {get_resource: server}}
      signal_transport: HEAT_SIGNAL
outputs:
  script: {value: {get_attr: [script, config]}}
  structured: {value: {get_attr: [structured, config]}}
  cloud: {value: {get_attr: [cloud, config]}}
  mime: {value: {get_attr: [mime, config]}}
  outer: {value: {get_attr: [outer, config]}}
  result: {value: {get_attr: [deploy, result]}}
  status: {value: {get_attr: [deploy, deploy_status_code]}}
  nosignal: {value: {get_attr: [nosignal, deploy_status_code]}}
  codes: {value: {get_attr: [deploys, deploy_status_codes]}}
`, nil)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
	o := st.Outputs
	assert.Equal(t, "#!/bin/sh\necho hi\n", o["script"])
	assert.Equal(t, map[string]any{"a": []any{1, 2}, "b": st.Name}, o["structured"])
	assert.True(t, strings.HasPrefix(o["cloud"].(string), "#cloud-config\nruncmd:\n  - ls\n"), o["cloud"])
	mime := o["mime"].(string)
	assert.True(t, strings.HasPrefix(mime, "Content-Type: multipart/mixed; boundary=\""), mime)
	assert.Contains(t, mime, "Content-Type: text/plain; charset=\"us-ascii\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: 7bit\n\n#!/bin/sh\necho hi\n")
	assert.Contains(t, mime, "Content-Type: text/x-shellscript; charset=\"us-ascii\"")
	assert.Contains(t, mime, "Content-Disposition: attachment; filename=\"b.sh\"\n\necho b")
	outer := o["outer"].(string)
	assert.Equal(t, 3, strings.Count(outer, "Content-Type: text/"), outer)
	assert.Contains(t, outer, "filename=\"b.sh\"\n\necho b")
	assert.Nil(t, o["result"])
	assert.Equal(t, 0, o["status"])
	assert.Nil(t, o["nosignal"], "without a signal there are no outputs")
	assert.Equal(t, map[string]any{"m0": 0, "m1": 0}, o["codes"])
}

func TestDeploymentToSoftwareConfigServerOnly(t *testing.T) {
	err := Preflight(context.Background(), heat.StackSpec{Name: "v", Template: []byte(`
heat_template_version: 2018-08-31
resources:
  server:
    type: OS::Nova::Server
    properties: {image: x, flavor: y, user_data_format: RAW}
  deploy:
    type: OS::Heat::SoftwareDeployment
    properties: {server: {get_resource: server}}
`)})
	require.ErrorIs(t, err, heat.ErrInvalid)
	assert.Contains(t, err.Error(), "user_data_format should be set to SOFTWARE_CONFIG")
}

func TestNullableIfDropsItems(t *testing.T) {
	e := newTestEngine(t)
	st := createAndWait(t, e, `
heat_template_version: wallaby
parameters:
  enable: {type: boolean, default: false}
conditions:
  enabled: {get_param: enable}
resources:
  v:
    type: OS::Heat::Value
    properties:
      value:
        a: {if: [enabled, 1]}
        b: [x, {if: [enabled, y]}, z]
        c: 3
outputs:
  v: {value: {get_attr: [v, value]}}
  omitted: {value: {if: [enabled, yes]}}
`, nil)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
	assert.Equal(t, map[string]any{"b": []any{"x", "z"}, "c": 3}, st.Outputs["v"])
	assert.Nil(t, st.Outputs["omitted"])
}
