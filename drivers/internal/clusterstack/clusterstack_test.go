package clusterstack_test

import (
	"embed"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
)

var schema = clusterstack.LabelSet{
	{Name: "flag", Default: "false", Kind: clusterstack.Bool},
	{Name: "count", Default: "0", Kind: clusterstack.Int},
	{Name: "net", Default: "10.0.0.0/8", Kind: clusterstack.CIDR},
	{Name: "tag", Default: "v1.0", Kind: clusterstack.Tag},
	{Name: "mode", Default: "a", Kind: clusterstack.Enum, Values: []string{"a", "b"}},
	{Name: "text", Default: "", Kind: clusterstack.Text},
	{Name: "opt", Default: "", Kind: clusterstack.Int, Min: 1},
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name   string
		layers []map[string]string
		err    string
		check  func(t *testing.T, v clusterstack.Values)
	}{
		{"defaults", nil, "", func(t *testing.T, v clusterstack.Values) {
			assert.False(t, v.Bool("flag"))
			assert.Equal(t, 0, v.Int("count"))
			assert.Equal(t, "v1.0", v.String("tag"))
			assert.Equal(t, "", v.String("opt"))
		}},
		{"later layers win", []map[string]string{{"flag": "yes", "count": "3"}, {"count": "5"}}, "", func(t *testing.T, v clusterstack.Values) {
			assert.True(t, v.Bool("flag"))
			assert.Equal(t, 5, v.Int("count"))
		}},
		{"bool spellings", []map[string]string{{"flag": "On"}}, "", func(t *testing.T, v clusterstack.Values) { assert.True(t, v.Bool("flag")) }},
		{"unknown labels kept", []map[string]string{{"other": "x y"}}, "", func(t *testing.T, v clusterstack.Values) {
			assert.Equal(t, "x y", v.String("other"))
		}},
		{"bad bool", []map[string]string{{"flag": "maybe"}}, "label flag", nil},
		{"bad int", []map[string]string{{"count": "1.5"}}, "an integer of at least 0", nil},
		{"below min", []map[string]string{{"opt": "0"}}, "at least 1", nil},
		{"bad cidr", []map[string]string{{"net": "10.0.0.1"}}, "a CIDR", nil},
		{"bad tag", []map[string]string{{"tag": "-v1"}}, "a tag", nil},
		{"bad enum", []map[string]string{{"mode": "c"}}, "one of a, b", nil},
		{"empty enum", []map[string]string{{"mode": ""}}, "one of a, b", nil},
		{"control chars", []map[string]string{{"text": "a\nb"}}, "control characters", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := schema.Resolve(tt.layers...)
			if tt.err != "" {
				require.ErrorIs(t, err, drivers.ErrInvalid)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			tt.check(t, v)
		})
	}
	l, ok := schema.Lookup("mode")
	assert.True(t, ok)
	assert.Equal(t, []string{"a", "b"}, l.Values)
	_, ok = schema.Lookup("nope")
	assert.False(t, ok)
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{"", "true", "17", "10.0.0.0/24", "v1.2.3", "a", "\x00", "-1"} {
		f.Add("count", s)
		f.Add("net", s)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		_, err := schema.Resolve(map[string]string{name: value})
		if err != nil {
			require.ErrorIs(t, err, drivers.ErrInvalid)
		}
	})
}

func TestStringsAndCount(t *testing.T) {
	assert.Equal(t, []string{"a", "b"}, clusterstack.Strings([]any{"a", nil, " ", "b", 3}))
	assert.Equal(t, []string{"a", "b"}, clusterstack.Strings("a, b,,"))
	assert.Equal(t, []string{"x"}, clusterstack.Strings([]string{"x", ""}))
	assert.Nil(t, clusterstack.Strings(nil))
	assert.Nil(t, clusterstack.Strings(map[string]any{"a": "b"}))
	assert.Equal(t, "ip", clusterstack.String(" ip "))
	assert.Equal(t, "", clusterstack.String(42))

	n, err := clusterstack.Count(map[string]string{"n": "3"}, "n")
	require.NoError(t, err)
	assert.Equal(t, 3, *n)
	n, err = clusterstack.Count(map[string]string{"n": "2.0"}, "n")
	require.NoError(t, err)
	assert.Equal(t, 2, *n)
	n, err = clusterstack.Count(nil, "n")
	require.NoError(t, err)
	assert.Nil(t, n)
	for _, bad := range []string{"x", "-1", "1.5", "NaN", "1e300"} {
		_, err = clusterstack.Count(map[string]string{"n": bad}, "n")
		require.ErrorIs(t, err, drivers.ErrInvalid, bad)
	}
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"0", "3", "2.0", "-1", "x", "1e9", "Inf"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		n, err := clusterstack.Count(map[string]string{"n": v}, "n")
		if err != nil {
			require.ErrorIs(t, err, drivers.ErrInvalid)
			return
		}
		if n != nil {
			require.GreaterOrEqual(t, *n, 0)
		}
	})
}

func FuzzStrings(f *testing.F) {
	f.Add("a,b, c")
	f.Add(",,")
	f.Fuzz(func(t *testing.T, v string) {
		for _, s := range clusterstack.Strings(v) {
			require.NotEmpty(t, s)
			require.NotContains(t, s, ",")
		}
	})
}

func TestAPIHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://172.24.4.10:6443": "172.24.4.10", "tcp://10.0.0.5:2376": "10.0.0.5", "10.0.0.5": "10.0.0.5",
		"10.0.0.5:5050": "10.0.0.5", "https://[fd00::1]:6443": "fd00::1", "": "",
	} {
		assert.Equal(t, want, clusterstack.APIHost(in), in)
	}
}

func TestNetworkChoices(t *testing.T) {
	c := stacktest.Cluster("kubernetes", stacktest.Options{Masters: 1, LB: true, FloatingIP: true})
	assert.Equal(t, "10.0.0.0/24", clusterstack.InternalCIDR(c))
	assert.Equal(t, "192.168.0.0/24", clusterstack.InternalCIDR(c, map[string]string{"fixed_subnet_cidr": "192.168.0.0/24"}))
	c.FixedNetwork, c.FixedSubnet = "net", "sub"
	assert.Equal(t, "0.0.0.0/0", clusterstack.InternalCIDR(c))

	labels := clusterstack.Values{}
	assert.True(t, clusterstack.LBFloatingIP(c, labels))
	assert.True(t, clusterstack.Accessible(c, labels))
	labels["master_lb_floating_ip_enabled"] = "false"
	assert.False(t, clusterstack.Accessible(c, labels))
	c.MasterLBEnabled = false
	assert.True(t, clusterstack.Accessible(c, labels))
	c.FloatingIPEnabled = false
	assert.False(t, clusterstack.Accessible(c, labels))

	p := clusterstack.Common(c, labels, false)
	assert.Equal(t, "net", p["fixed_network"])
	c.FixedNetwork, c.FixedSubnet = "", ""
	p = clusterstack.Common(c, labels, false)
	assert.Equal(t, "magnum-"+c.UUID, p["fixed_network"])
	assert.Equal(t, "8.8.8.8", p["dns_nameservers"])
}

func TestFiles(t *testing.T) {
	files, err := clusterstack.Files(embed.FS{}, "", clusterstack.NetworkTemplate, clusterstack.NodeTemplate)
	require.NoError(t, err)
	assert.Len(t, files, 2)
	assert.True(t, stacktest.IsTemplate(files[clusterstack.NodeTemplate]))
	_, err = clusterstack.Files(embed.FS{}, "", "missing.yaml")
	require.Error(t, err)
}
