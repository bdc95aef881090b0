package drivertest_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/drivertest"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample is a conforming driver with every capability. Its stacks hold
// only OS::Heat resources: each node is an OS::Heat::Value whose value is
// the node's address.
type sample struct{}

const sampleTemplate = `heat_template_version: 2021-04-16
parameters:
  cluster_uuid: {type: string}
  version: {type: string}
  ca_cert: {type: string, default: ""}
  master_count: {type: number, constraints: [{range: {min: 0}}]}
  worker_count: {type: number, constraints: [{range: {min: 0}}]}
  workers_to_remove: {type: comma_delimited_list, default: []}
resources:
  masters:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: master_count}
      resource_def: {type: OS::Heat::Value, properties: {value: 10.0.0.1%index%}}
  workers:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: worker_count}
      removal_policies: [{resource_list: {get_param: workers_to_remove}}]
      resource_def: {type: OS::Heat::Value, properties: {value: 10.0.1.1%index%}}
outputs:
  masters: {value: {get_attr: [masters, value]}}
  workers: {value: {get_attr: [workers, value]}}
`

func (sample) Info(context.Context) (drivers.Info, error) {
	return drivers.Info{
		Name: "sample_v1", Version: "1.0.0",
		Provides:       []drivers.Tuple{{ServerType: "vm", OSDistro: "sample-os", COE: "kubernetes"}},
		Capabilities:   drivers.Capabilities{Upgrade: true, RotateCA: true, NodeGroups: true, Health: true},
		NetworkDrivers: []string{"flannel", "calico"},
	}, nil
}

func (sample) ValidateTemplate(_ context.Context, t drivers.Template) error {
	if t.NetworkDriver != "flannel" && t.NetworkDriver != "calico" {
		return fmt.Errorf("%w: network driver %q", drivers.ErrInvalid, t.NetworkDriver)
	}
	return nil
}

func (s sample) ValidateCluster(ctx context.Context, c drivers.Cluster) error {
	return s.ValidateTemplate(ctx, c.Template)
}

func group(c drivers.Cluster, uuid string) (drivers.NodeGroup, error) {
	for _, ng := range c.NodeGroups {
		if ng.UUID == uuid {
			return ng, nil
		}
	}
	return drivers.NodeGroup{}, fmt.Errorf("%w: no node group %q", drivers.ErrInvalid, uuid)
}

func defaults(c drivers.Cluster) (master, worker drivers.NodeGroup, err error) {
	for _, ng := range c.NodeGroups {
		switch {
		case ng.IsDefault && ng.Role == "master":
			master = ng
		case ng.IsDefault:
			worker = ng
		}
	}
	if master.UUID == "" || worker.UUID == "" {
		return master, worker, fmt.Errorf("%w: the default node groups are missing", drivers.ErrInvalid)
	}
	return master, worker, nil
}

func version(t drivers.Template) string {
	if v := t.Labels["version"]; v != "" {
		return v
	}
	return "1.0"
}

func (sample) ClusterStack(_ context.Context, c drivers.Cluster) (drivers.Stack, error) {
	master, worker, err := defaults(c)
	if err != nil {
		return drivers.Stack{}, err
	}
	return drivers.Stack{Template: []byte(sampleTemplate), Parameters: map[string]any{
		"cluster_uuid": c.UUID, "version": version(c.Template), "ca_cert": c.Boot.CACert,
		"master_count": master.NodeCount, "worker_count": worker.NodeCount,
	}}, nil
}

func (sample) NodeGroupStack(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup) (drivers.Stack, error) {
	return drivers.Stack{Template: []byte(sampleTemplate), Parameters: map[string]any{
		"cluster_uuid": c.UUID, "version": version(c.Template), "master_count": 0, "worker_count": ng.NodeCount,
	}}, nil
}

func (sample) ResizeStack(_ context.Context, c drivers.Cluster, r drivers.Resize) (heat.StackUpdate, error) {
	if _, err := group(c, r.NodeGroup); err != nil {
		return heat.StackUpdate{}, err
	}
	if r.NodeCount < 0 {
		return heat.StackUpdate{}, fmt.Errorf("%w: node count %d", drivers.ErrInvalid, r.NodeCount)
	}
	return heat.StackUpdate{Parameters: map[string]any{
		"worker_count": r.NodeCount, "workers_to_remove": strings.Join(r.NodesToRemove, ","),
	}}, nil
}

func (sample) UpgradeStack(_ context.Context, c drivers.Cluster, u drivers.Upgrade) (heat.StackUpdate, error) {
	if version(u.Template) < version(c.Template) {
		return heat.StackUpdate{}, fmt.Errorf("%w: cannot downgrade from %s to %s", drivers.ErrInvalid, version(c.Template), version(u.Template))
	}
	return heat.StackUpdate{Parameters: map[string]any{"version": version(u.Template)}}, nil
}

func (sample) RotateCAStack(_ context.Context, c drivers.Cluster) (heat.StackUpdate, error) {
	return heat.StackUpdate{Parameters: map[string]any{"ca_cert": c.Boot.CACert}}, nil
}

func (sample) MapOutputs(_ context.Context, c drivers.Cluster, _ drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	master, worker, err := defaults(c)
	if err != nil {
		return drivers.Outputs{}, err
	}
	masters := s.StringList("masters")
	out := drivers.Outputs{NodeGroups: map[string]drivers.NodeGroupOutputs{
		master.UUID: {NodeAddresses: masters},
		worker.UUID: {NodeAddresses: s.StringList("workers")},
	}}
	if len(masters) > 0 {
		out.APIAddress = "https://" + masters[0] + ":6443"
	}
	return out, nil
}

func (sample) Health(ctx context.Context, c drivers.Cluster, _ drivers.Credentials) (drivers.Health, error) {
	u, err := url.Parse(c.APIAddress)
	if err != nil {
		return drivers.Health{}, fmt.Errorf("%w: API address: %w", drivers.ErrInvalid, err)
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return drivers.Health{Status: drivers.Unknown, Reason: map[string]string{"api": err.Error()}}, nil
	}
	_ = conn.Close()
	return drivers.Health{Status: drivers.Healthy}, nil
}

func (sample) ClientConfig(_ context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.ClientConfig, error) {
	return drivers.ClientConfig{
		Files: map[string][]byte{"ca.pem": creds.CACert},
		Env:   map[string]string{"SAMPLE_API": c.APIAddress},
	}, nil
}

var upgrade = drivertest.WithUpgrade(
	func(t *drivers.Template) { t.Labels["version"] = "2.0" },
	func(t *drivers.Template) { t.Labels["version"] = "0.5" },
)

func TestSample(t *testing.T) {
	drivertest.Run(t, sample{}, upgrade)
}

func TestSampleWithStackState(t *testing.T) {
	drivertest.Run(t, sample{}, upgrade, drivertest.WithStackState(drivers.StackState{
		Status:  heat.CreateComplete,
		Outputs: map[string]any{"masters": []any{"192.0.2.1"}, "workers": []any{"192.0.2.2", "192.0.2.3"}},
	}))
}

func TestOptionsApply(t *testing.T) {
	var seen []drivers.Template
	drivertest.Run(t, sample{}, upgrade,
		drivertest.WithTemplate(func(t *drivers.Template) { t.NetworkDriver = "calico" }),
		drivertest.WithCluster(func(c *drivers.Cluster) { c.Labels["extra"] = "yes" }),
		drivertest.WithValidator(func(_ context.Context, spec heat.StackSpec) error {
			seen = append(seen, drivers.Template{Name: string(spec.Template[:10])})
			return nil
		}))
	assert.NotEmpty(t, seen, "the validator replaces the engine's")
}

// broken drivers each break one rule; the suite must fail on them.
var broken = map[string]struct {
	driver drivers.Driver
	want   string
}{
	"undeclared parameter": {undeclared{}, "The Parameter (surprise) was not defined in template"},
	"downgrade accepted":   {downgrades{}, "a downgrade is refused"},
	"untyped refusal":      {untyped{}, "NodeCount:-1 NodesToRemove:[]} is refused"},
	"capability off":       {noNodeGroups{}, "without the node_groups capability"},
	"panicking outputs":    {panicky{}, "MapOutputs panicked"},
	"no API address":       {noAPI{}, "the outputs set the API address"},
}

type undeclared struct{ sample }

func (d undeclared) ClusterStack(ctx context.Context, c drivers.Cluster) (drivers.Stack, error) {
	st, err := d.sample.ClusterStack(ctx, c)
	if err == nil {
		st.Parameters["surprise"] = 1
	}
	return st, err
}

type downgrades struct{ sample }

func (downgrades) UpgradeStack(_ context.Context, _ drivers.Cluster, u drivers.Upgrade) (heat.StackUpdate, error) {
	return heat.StackUpdate{Parameters: map[string]any{"version": version(u.Template)}}, nil
}

type untyped struct{ sample }

func (d untyped) ResizeStack(ctx context.Context, c drivers.Cluster, r drivers.Resize) (heat.StackUpdate, error) {
	if r.NodeCount < 0 {
		return heat.StackUpdate{}, fmt.Errorf("negative count")
	}
	return d.sample.ResizeStack(ctx, c, r)
}

type noNodeGroups struct{ sample }

func (d noNodeGroups) Info(ctx context.Context) (drivers.Info, error) {
	info, err := d.sample.Info(ctx)
	info.Capabilities.NodeGroups = false
	return info, err
}

type panicky struct{ sample }

func (d panicky) MapOutputs(ctx context.Context, c drivers.Cluster, ng drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	_ = s.Outputs["masters"].([]any) // panics on odd outputs
	return d.sample.MapOutputs(ctx, c, ng, s)
}

type noAPI struct{ sample }

func (d noAPI) MapOutputs(ctx context.Context, c drivers.Cluster, ng drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	out, err := d.sample.MapOutputs(ctx, c, ng, s)
	out.APIAddress = ""
	return out, err
}

const brokenEnv = "DRIVERTEST_BROKEN"

// TestBrokenDriver runs the suite against the broken driver named by
// brokenEnv; TestSuiteFailsBrokenDrivers runs it in a subprocess and
// expects it to fail.
func TestBrokenDriver(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("run by TestSuiteFailsBrokenDrivers")
	}
	drivertest.Run(t, broken[name].driver, upgrade)
}

func TestSuiteFailsBrokenDrivers(t *testing.T) {
	for name, tc := range broken {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenDriver$", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+name)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passes a broken driver:\n%s", out)
			assert.Contains(t, string(out), tc.want)
		})
	}
}
