package drivers_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// infoDriver is a driver that only tells who it is.
type infoDriver struct {
	drivers.Driver
	info drivers.Info
	err  error
}

func (d infoDriver) Info(context.Context) (drivers.Info, error) { return d.info, d.err }

var (
	fcos   = drivers.Tuple{ServerType: "vm", OSDistro: "fedora-coreos", COE: "kubernetes"}
	atomic = drivers.Tuple{ServerType: "vm", OSDistro: "fedora-atomic", COE: "kubernetes"}
	swarm  = drivers.Tuple{ServerType: "vm", OSDistro: "fedora-atomic", COE: "swarm-mode"}
)

func provider(name string, tuples ...drivers.Tuple) infoDriver {
	return infoDriver{info: drivers.Info{Name: name, Provides: tuples}}
}

func TestRegistrySelect(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []drivers.RegistryOption
		drivers []infoDriver
		tuple   drivers.Tuple
		want    string // "" for no driver
	}{
		{"only provider", nil, []infoDriver{provider("k8s", fcos, atomic), provider("swarm", swarm)}, atomic, "k8s"},
		{"unknown tuple", nil, []infoDriver{provider("k8s", fcos)}, swarm, ""},
		{"server type matters", nil, []infoDriver{provider("k8s", fcos)},
			drivers.Tuple{ServerType: "bm", OSDistro: "fedora-coreos", COE: "kubernetes"}, ""},
		{"tie goes to the first registered", nil, []infoDriver{provider("builtin", fcos), provider("thirdparty", fcos)}, fcos, "builtin"},
		{"tie goes to the default", []drivers.RegistryOption{drivers.WithDefault("thirdparty")},
			[]infoDriver{provider("builtin", fcos), provider("thirdparty", fcos)}, fcos, "thirdparty"},
		{"defaults in order", []drivers.RegistryOption{drivers.WithDefault("c", "b")},
			[]infoDriver{provider("a", fcos), provider("b", fcos), provider("c", fcos)}, fcos, "c"},
		{"disabled is skipped", []drivers.RegistryOption{drivers.WithDisabled("builtin")},
			[]infoDriver{provider("builtin", fcos), provider("thirdparty", fcos)}, fcos, "thirdparty"},
		{"disabled default is skipped", []drivers.RegistryOption{drivers.WithDisabled("thirdparty"), drivers.WithDefault("thirdparty")},
			[]infoDriver{provider("builtin", fcos), provider("thirdparty", fcos)}, fcos, "builtin"},
		{"disabled only provider", []drivers.RegistryOption{drivers.WithDisabled("k8s")}, []infoDriver{provider("k8s", fcos)}, fcos, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := drivers.NewRegistry(append(tc.opts, quiet)...)
			for _, d := range tc.drivers {
				require.NoError(t, r.Register(t.Context(), d))
			}
			d, err := r.Select(tc.tuple)
			if tc.want == "" {
				require.ErrorIs(t, err, drivers.ErrNoDriver)
				assert.EqualError(t, err, "Cluster type "+tc.tuple.String()+" not supported.")
				var nd *drivers.NoDriverError
				require.ErrorAs(t, err, &nd)
				assert.Equal(t, tc.tuple, nd.Tuple)
				return
			}
			require.NoError(t, err)
			info, err := d.Info(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tc.want, info.Name)
		})
	}
}

var quiet = drivers.WithRegistryLogger(slog.New(slog.DiscardHandler))

func TestRegistryLogsTiesAndDisabled(t *testing.T) {
	logs := &logStore{}
	r := drivers.NewRegistry(drivers.WithRegistryLogger(logs.logger()), drivers.WithDisabled("off"))
	require.NoError(t, r.Register(t.Context(), provider("builtin", fcos)))
	require.NoError(t, r.Register(t.Context(), provider("thirdparty", fcos, atomic)))
	require.NoError(t, r.Register(t.Context(), provider("off", fcos)))
	tie := logs.waitFor(t, func(e logEntry) bool { return e.Msg == "another driver already provides this tuple" })
	assert.Equal(t, map[string]any{"tuple": fcos.String(), "driver": "thirdparty", "selected": "builtin"}, tie.Attrs)
	logs.waitFor(t, func(e logEntry) bool { return e.Msg == "driver is disabled" && e.Attrs["driver"] == "off" })
	assert.Len(t, logs.entries, 2, "no warning for the tuple only one driver provides")
}

func TestNoDriverMessage(t *testing.T) {
	_, err := drivers.NewRegistry().Select(fcos)
	assert.EqualError(t, err, "Cluster type (vm, fedora-coreos, kubernetes) not supported.")
}

func TestRegistryRegister(t *testing.T) {
	broken := errors.New("plugin down")
	for _, tc := range []struct {
		name string
		d    infoDriver
		want error
	}{
		{"info fails", infoDriver{err: broken}, broken},
		{"no name", provider("", fcos), drivers.ErrInvalid},
		{"no tuple", provider("k8s"), drivers.ErrInvalid},
		{"incomplete tuple", provider("k8s", drivers.Tuple{ServerType: "vm", COE: "kubernetes"}), drivers.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := drivers.NewRegistry(quiet)
			require.ErrorIs(t, r.Register(t.Context(), tc.d), tc.want)
			assert.Empty(t, r.Infos())
		})
	}
	t.Run("twice", func(t *testing.T) {
		r := drivers.NewRegistry()
		require.NoError(t, r.Register(t.Context(), provider("k8s", fcos)))
		require.ErrorIs(t, r.Register(t.Context(), provider("k8s", atomic)), drivers.ErrInvalid)
	})
	t.Run("infos list disabled drivers too", func(t *testing.T) {
		r := drivers.NewRegistry(drivers.WithDisabled("swarm"), quiet)
		require.NoError(t, r.Register(t.Context(), provider("k8s", fcos)))
		require.NoError(t, r.Register(t.Context(), provider("swarm", swarm)))
		var names []string
		for _, in := range r.Infos() {
			names = append(names, in.Name)
		}
		assert.Equal(t, []string{"k8s", "swarm"}, names)
		assert.True(t, r.Enabled("k8s"))
		assert.False(t, r.Enabled("swarm"))
	})
}

func TestRegistryConcurrentUse(t *testing.T) {
	r := drivers.NewRegistry(quiet)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			_, _ = r.Select(fcos)
			_ = r.Infos()
		}
	}()
	for i := range 100 {
		require.NoError(t, r.Register(t.Context(), provider(string(rune('a'+i%26))+string(rune('0'+i/26)), fcos)))
	}
	<-done
	d, err := r.Select(fcos)
	require.NoError(t, err)
	info, _ := d.Info(t.Context())
	assert.Equal(t, "a0", info.Name)
}

func ExampleRegistry() {
	r := drivers.NewRegistry(drivers.WithDisabled("k8s_fedora_atomic_v1"), quiet)
	_ = r.Register(context.Background(), provider("k8s_fedora_coreos_v1", fcos))
	_ = r.Register(context.Background(), provider("k8s_fedora_atomic_v1", atomic))

	if _, err := r.Select(atomic); errors.Is(err, drivers.ErrNoDriver) {
		fmt.Println(err)
	}
	// Output: Cluster type (vm, fedora-atomic, kubernetes) not supported.
}
