// Package drivertest is the conformance suite of gomagnum drivers. A driver
// runs it with one call in its tests, in-process or through its plugin:
//
//	func TestConformance(t *testing.T) { drivertest.Run(t, mydriver.New()) }
//
// For each tuple the driver provides, the suite builds a representative
// cluster (one master, two workers, on the simulated cloud's catalog) and
// checks that the driver validates it; that its stacks (the cluster's, in
// several variants, an extra node group's, and the updates of a resize,
// an upgrade and a CA rotation) are HOT that the embedded orchestrator
// accepts with every parameter declared; that the outputs of the cluster
// stack, created in the embedded orchestrator, map to the cluster's fields;
// that a downgrade, a bad node group or count and a bad network driver are
// refused with drivers.ErrInvalid, and the operations whose capability is
// off with drivers.ErrNotSupported; that odd outputs do not make it panic;
// and that it can be called concurrently.
//
// Options adapt the representative cluster to a driver that needs more
// (labels, a network driver) and say what an upgrade is for it.
package drivertest

import (
	"context"
	"encoding/json"
	"maps"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Option adapts the suite to a driver.
type Option func(*config)

type config struct {
	template []func(*drivers.Template)
	cluster  []func(*drivers.Cluster)
	newer    func(*drivers.Template)
	older    func(*drivers.Template)
	validate func(context.Context, heat.StackSpec) error
	state    *drivers.StackState
}

// WithTemplate adjusts the representative cluster template (set the labels
// the driver requires, for instance). Options apply in order.
func WithTemplate(fn func(*drivers.Template)) Option {
	return func(c *config) { c.template = append(c.template, fn) }
}

// WithCluster adjusts the representative cluster, after its template.
func WithCluster(fn func(*drivers.Cluster)) Option {
	return func(c *config) { c.cluster = append(c.cluster, fn) }
}

// WithUpgrade says what an upgrade is for the driver: newer and older
// change a copy of the representative template into one an upgrade must
// accept and one it must refuse with drivers.ErrInvalid (a downgrade).
// Required when the driver announces the Upgrade capability.
func WithUpgrade(newer, older func(*drivers.Template)) Option {
	return func(c *config) { c.newer, c.older = newer, older }
}

// WithValidator replaces the embedded orchestrator's validation
// (engine.Preflight), to check the stacks against a real Heat for instance.
func WithValidator(fn func(context.Context, heat.StackSpec) error) Option {
	return func(c *config) { c.validate = fn }
}

// WithStackState gives the state of a created cluster stack that MapOutputs
// is checked with, instead of creating the stack in the embedded
// orchestrator over a simulated cloud.
func WithStackState(s drivers.StackState) Option {
	return func(c *config) { c.state = &s }
}

// Run runs the conformance suite against d as subtests of t.
func Run(t *testing.T, d drivers.Driver, opts ...Option) {
	t.Helper()
	cfg := config{validate: engine.Preflight}
	for _, o := range opts {
		o(&cfg)
	}
	info, err := d.Info(t.Context())
	require.NoError(t, err, "Info")
	t.Run("Info", func(t *testing.T) { checkInfo(t, d, info) })
	ca := newAuthority(t)
	for _, tuple := range info.Provides {
		s := &suite{d: d, info: info, cfg: cfg, tuple: tuple, ca: ca}
		t.Run(tuple.String(), s.run)
	}
}

func checkInfo(t *testing.T, d drivers.Driver, info drivers.Info) {
	assert.NotEmpty(t, info.Version, "the driver has a version")
	require.NoError(t, drivers.NewRegistry().Register(t.Context(), d), "a registry accepts the driver")
	for _, tuple := range info.Provides {
		assert.Contains(t, []string{"vm", "bm"}, tuple.ServerType, "server type of %s", tuple)
	}
	again, err := d.Info(t.Context())
	require.NoError(t, err)
	assert.Equal(t, info, again, "Info is stable")
}

// suite checks one tuple of a driver.
type suite struct {
	d     drivers.Driver
	info  drivers.Info
	cfg   config
	tuple drivers.Tuple
	ca    *authority
}

func (s *suite) run(t *testing.T) {
	t.Run("ValidateTemplate", s.validateTemplate)
	t.Run("ValidateCluster", s.validateCluster)
	t.Run("ClusterStack", s.clusterStack)
	t.Run("NodeGroupStack", s.nodeGroupStack)
	t.Run("ResizeStack", s.resizeStack)
	t.Run("UpgradeStack", s.upgradeStack)
	t.Run("RotateCAStack", s.rotateCAStack)
	t.Run("MapOutputs", s.mapOutputs)
	t.Run("Health", s.health)
	t.Run("ClientConfig", s.clientConfig)
	t.Run("Concurrency", s.concurrency)
}

func (s *suite) template() drivers.Template {
	tmpl := representativeTemplate(s.tuple, s.info)
	for _, fn := range s.cfg.template {
		fn(&tmpl)
	}
	return tmpl
}

func (s *suite) cluster() drivers.Cluster {
	c := representativeCluster(s.template(), s.ca)
	for _, fn := range s.cfg.cluster {
		fn(&c)
	}
	return c
}

// running is the representative cluster once its stack exists.
func (s *suite) running() drivers.Cluster {
	c := s.cluster()
	c.StackID = "8c2d4e6f-0a1b-4c3d-9e5f-6a7b8c9d0e1f"
	c.APIAddress = "https://172.24.4.10:6443"
	for i := range c.NodeGroups {
		c.NodeGroups[i].StackID = c.StackID
	}
	return c
}

// stack returns the cluster's stack, failing the test if there is none.
func (s *suite) stack(t *testing.T, c drivers.Cluster) heat.StackSpec {
	t.Helper()
	st, err := s.d.ClusterStack(t.Context(), c)
	require.NoError(t, err, "ClusterStack of the representative cluster")
	return specOf(st, c)
}

func specOf(st drivers.Stack, c drivers.Cluster) heat.StackSpec {
	return heat.StackSpec{
		Name:        "drivertest-" + c.Name,
		Template:    st.Template,
		Files:       st.Files,
		Environment: st.Environment,
		Parameters:  st.Parameters,
		Timeout:     time.Duration(c.CreateTimeout) * time.Minute,
	}
}

// updated is the stack spec after a PATCH update: parameters merged,
// template, files and environment replaced when the update has them.
func updated(base heat.StackSpec, u heat.StackUpdate) heat.StackSpec {
	spec := base
	if u.Template != nil {
		spec.Template = u.Template
	}
	spec.Files = maps.Clone(base.Files)
	if spec.Files == nil {
		spec.Files = map[string]string{}
	}
	maps.Copy(spec.Files, u.Files)
	if u.Environment != nil {
		spec.Environment = *u.Environment
	}
	spec.Parameters = maps.Clone(base.Parameters)
	if spec.Parameters == nil {
		spec.Parameters = map[string]any{}
	}
	maps.Copy(spec.Parameters, u.Parameters)
	return spec
}

// accepts checks that the orchestrator accepts a stack and that its
// parameters and environment can travel as JSON (to Heat, over the plugin
// protocol).
func (s *suite) accepts(t *testing.T, what string, spec heat.StackSpec) {
	t.Helper()
	require.NotEmpty(t, spec.Template, "%s: the stack has a template", what)
	_, err := json.Marshal(spec.Parameters)
	require.NoError(t, err, "%s: the parameters encode as JSON", what)
	_, err = json.Marshal(spec.Environment)
	require.NoError(t, err, "%s: the environment encodes as JSON", what)
	require.NoError(t, s.cfg.validate(t.Context(), spec), "%s: the orchestrator accepts the stack", what)
}

func (s *suite) validateTemplate(t *testing.T) {
	require.NoError(t, s.d.ValidateTemplate(t.Context(), s.template()), "the representative template is valid")
	if len(s.info.NetworkDrivers) > 0 {
		tmpl := s.template()
		tmpl.NetworkDriver = "drivertest-no-such-network-driver"
		require.ErrorIs(t, s.d.ValidateTemplate(t.Context(), tmpl), drivers.ErrInvalid,
			"a network driver the driver does not list is refused")
	}
	if len(s.info.VolumeDrivers) > 0 {
		tmpl := s.template()
		tmpl.VolumeDriver = "drivertest-no-such-volume-driver"
		require.ErrorIs(t, s.d.ValidateTemplate(t.Context(), tmpl), drivers.ErrInvalid,
			"a volume driver the driver does not list is refused")
	}
}

func (s *suite) validateCluster(t *testing.T) {
	require.NoError(t, s.d.ValidateCluster(t.Context(), s.cluster()), "the representative cluster is valid")
}

func (s *suite) clusterStack(t *testing.T) {
	for _, v := range []struct {
		name   string
		change func(*drivers.Cluster)
	}{
		{"representative", func(*drivers.Cluster) {}},
		{"master load balancer", func(c *drivers.Cluster) { c.MasterLBEnabled, c.Template.MasterLBEnabled = true, true }},
		{"no floating IP", func(c *drivers.Cluster) { c.FloatingIPEnabled, c.Template.FloatingIPEnabled = false, false }},
		{"existing network", func(c *drivers.Cluster) {
			c.FixedNetwork, c.FixedSubnet = fixedNetwork, fixedSubnet
			c.Template.FixedNetwork, c.Template.FixedSubnet = fixedNetwork, fixedSubnet
		}},
		{"docker volume", func(c *drivers.Cluster) {
			c.DockerVolumeSize, c.Template.DockerVolumeSize = 10, 10
			for i := range c.NodeGroups {
				c.NodeGroups[i].DockerVolumeSize = 10
			}
		}},
	} {
		t.Run(v.name, func(t *testing.T) {
			c := s.cluster()
			v.change(&c)
			s.accepts(t, "cluster stack", s.stack(t, c))
		})
	}
	t.Run("no node groups", func(t *testing.T) {
		c := s.cluster()
		c.NodeGroups = nil
		_, err := s.d.ClusterStack(t.Context(), c)
		require.ErrorIs(t, err, drivers.ErrInvalid, "a cluster without its default node groups is refused")
	})
}

func (s *suite) nodeGroupStack(t *testing.T) {
	c := s.running()
	extra := drivers.NodeGroup{
		UUID: extraUUID, Name: "extra", Role: "worker", FlavorID: flavor, ImageID: c.Template.ImageID,
		NodeCount: 1, MinNodeCount: 1, Labels: maps.Clone(c.Labels),
	}
	c.NodeGroups = append(c.NodeGroups, extra)
	st, err := s.d.NodeGroupStack(t.Context(), c, extra)
	if !s.info.Capabilities.NodeGroups {
		require.ErrorIs(t, err, drivers.ErrNotSupported, "without the node_groups capability")
		return
	}
	require.NoError(t, err)
	s.accepts(t, "node group stack", specOf(st, c))
}

func (s *suite) resizeStack(t *testing.T) {
	c := s.running()
	base := s.stack(t, s.cluster())
	for _, r := range []drivers.Resize{
		{NodeGroup: workerUUID, NodeCount: 3},
		{NodeGroup: workerUUID, NodeCount: 1, NodesToRemove: []string{"1"}},
	} {
		u, err := s.d.ResizeStack(t.Context(), c, r)
		require.NoError(t, err, "resize to %d", r.NodeCount)
		s.accepts(t, "resize update", updated(base, u))
	}
	for _, r := range []drivers.Resize{
		{NodeGroup: "drivertest-no-such-group", NodeCount: 1},
		{NodeGroup: workerUUID, NodeCount: -1},
	} {
		_, err := s.d.ResizeStack(t.Context(), c, r)
		require.ErrorIs(t, err, drivers.ErrInvalid, "resize %+v is refused", r)
	}
}

func (s *suite) upgradeStack(t *testing.T) {
	c := s.running()
	if !s.info.Capabilities.Upgrade {
		_, err := s.d.UpgradeStack(t.Context(), c, drivers.Upgrade{Template: s.template(), NodeGroup: workerUUID, MaxBatchSize: 1})
		require.ErrorIs(t, err, drivers.ErrNotSupported, "without the upgrade capability")
		return
	}
	require.NotNil(t, s.cfg.newer, "the driver can upgrade: tell the suite how with drivertest.WithUpgrade")
	base := s.stack(t, s.cluster())
	newer, older := s.template(), s.template()
	s.cfg.newer(&newer)
	s.cfg.older(&older)
	newer.UUID, older.UUID = "1d3f5b7a-9c2e-4a6b-8d0c-2e4f6a8b0c1d", "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
	for _, ng := range []string{masterUUID, workerUUID} {
		u, err := s.d.UpgradeStack(t.Context(), c, drivers.Upgrade{Template: newer, NodeGroup: ng, MaxBatchSize: 1})
		require.NoError(t, err, "upgrade of node group %s", ng)
		s.accepts(t, "upgrade update", updated(base, u))
		_, err = s.d.UpgradeStack(t.Context(), c, drivers.Upgrade{Template: older, NodeGroup: ng, MaxBatchSize: 1})
		require.ErrorIs(t, err, drivers.ErrInvalid, "a downgrade is refused")
	}
}

func (s *suite) rotateCAStack(t *testing.T) {
	c := s.running()
	u, err := s.d.RotateCAStack(t.Context(), c)
	if !s.info.Capabilities.RotateCA {
		require.ErrorIs(t, err, drivers.ErrNotSupported, "without the rotate_ca capability")
		return
	}
	require.NoError(t, err)
	s.accepts(t, "CA rotation update", updated(s.stack(t, s.cluster()), u))
}

func (s *suite) mapOutputs(t *testing.T) {
	c := s.running()
	var state drivers.StackState
	if s.cfg.state != nil {
		state = *s.cfg.state
	} else {
		state = simulate(t, s.tuple, s.stack(t, s.cluster()))
	}
	groups := map[string]drivers.NodeGroupOutputs{}
	var api string
	for _, ng := range c.NodeGroups {
		out, err := s.d.MapOutputs(t.Context(), c, ng, state)
		require.NoError(t, err, "MapOutputs of node group %s", ng.Name)
		if out.APIAddress != "" {
			api = out.APIAddress
		}
		for id, ngo := range out.NodeGroups {
			checkGroupOutputs(t, c, id, ngo)
			groups[id] = ngo
		}
	}
	assert.NotEmpty(t, api, "the outputs set the API address")
	for _, ng := range c.NodeGroups {
		assert.Len(t, groups[ng.UUID].NodeAddresses, ng.NodeCount, "the addresses of node group %s", ng.Name)
	}
	t.Run("odd outputs", func(t *testing.T) { s.oddOutputs(t, c, state) })
}

func checkGroupOutputs(t *testing.T, c drivers.Cluster, id string, ngo drivers.NodeGroupOutputs) {
	t.Helper()
	var ng *drivers.NodeGroup
	for i := range c.NodeGroups {
		if c.NodeGroups[i].UUID == id {
			ng = &c.NodeGroups[i]
		}
	}
	require.NotNil(t, ng, "the outputs name node group %s, which the cluster does not have", id)
	for _, a := range ngo.NodeAddresses {
		assert.NotNil(t, net.ParseIP(a), "node address %q of %s is an IP address", a, ng.Name)
	}
	if ngo.NodeCount != nil {
		assert.Equal(t, ng.NodeCount, *ngo.NodeCount, "node count of %s", ng.Name)
	}
}

// oddOutputs feeds outputs of unexpected types: the driver may fail, but
// must not panic.
func (s *suite) oddOutputs(t *testing.T, c drivers.Cluster, state drivers.StackState) {
	odd := []any{nil, 42, "not-an-address", map[string]any{"x": 1}, []any{nil, 3.5}, true}
	for i := range odd {
		outputs := map[string]any{}
		n := 0
		for k := range state.Outputs {
			outputs[k] = odd[(i+n)%len(odd)]
			n++
		}
		st := drivers.StackState{Status: heat.CreateComplete, Outputs: outputs, Parameters: map[string]string{}}
		for _, ng := range c.NodeGroups {
			noPanic(t, "MapOutputs", func() { _, _ = s.d.MapOutputs(t.Context(), c, ng, st) })
		}
	}
	noPanic(t, "MapOutputs", func() { _, _ = s.d.MapOutputs(t.Context(), c, c.NodeGroups[0], drivers.StackState{}) })
}

func noPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", what, r)
		}
	}()
	fn()
}

// healthTimeout is how long the suite gives Health to notice that the API
// is unreachable.
const healthTimeout = 5 * time.Second

func (s *suite) health(t *testing.T) {
	c := s.running()
	c.APIAddress = unreachableAPI
	ctx, cancel := context.WithTimeout(t.Context(), healthTimeout)
	defer cancel()
	type result struct {
		h   drivers.Health
		err error
	}
	done := make(chan result, 1)
	go func() {
		h, err := s.d.Health(ctx, c, s.ca.credentials())
		done <- result{h, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(healthTimeout + 5*time.Second):
		t.Fatal("Health ignores its context's deadline")
	}
	if !s.info.Capabilities.Health {
		require.ErrorIs(t, r.err, drivers.ErrNotSupported, "without the health capability")
		return
	}
	if r.err == nil {
		assert.NotEqual(t, drivers.Healthy, r.h.Status, "a cluster whose API cannot be reached is not healthy")
	}
}

func (s *suite) clientConfig(t *testing.T) {
	c := s.running()
	cfg, err := s.d.ClientConfig(t.Context(), c, s.ca.credentials())
	require.NoError(t, err)
	assert.NotEmpty(t, len(cfg.Files)+len(cfg.Env), "the configuration has files or variables")
	if u, err := url.Parse(c.APIAddress); err == nil {
		assert.True(t, mentions(cfg, u.Host), "the configuration points at the cluster's API (%s)", u.Host)
	}
}

func mentions(cfg drivers.ClientConfig, s string) bool {
	for _, b := range cfg.Files {
		if strings.Contains(string(b), s) {
			return true
		}
	}
	for _, v := range cfg.Env {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

// concurrency calls the driver from several goroutines at once; run the
// suite with -race.
func (s *suite) concurrency(t *testing.T) {
	const callers = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*callers)
	for range callers {
		wg.Go(func() {
			c := s.cluster()
			if _, err := s.d.ClusterStack(t.Context(), c); err != nil {
				errs <- err
			}
			if err := s.d.ValidateCluster(t.Context(), c); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
