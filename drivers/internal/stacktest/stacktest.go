// Package stacktest holds the test helpers the built-in drivers share:
// clusters for every combination of the main options, shellcheck on boot
// scripts, Ignition parsing, Heat's str_replace, and template validation
// by a real Heat. It is imported by tests only.
package stacktest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/coreos/ignition/v2/config/v3_4"
	ign "github.com/coreos/ignition/v2/config/v3_4/types"
	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// Options are the main options of a cluster.
type Options struct {
	Masters    int
	LB         bool
	FloatingIP bool
	TLS        bool
	Volumes    bool
}

// String names the combination for subtests.
func (o Options) String() string {
	return fmt.Sprintf("masters=%d,lb=%t,fip=%t,tls=%t,volumes=%t", o.Masters, o.LB, o.FloatingIP, o.TLS, o.Volumes)
}

// Combinations returns every combination of load balancer, floating IP,
// TLS and volumes on and off with 1 and 3 masters; 3 masters need the load
// balancer.
func Combinations() []Options {
	var out []Options
	for _, masters := range []int{1, 3} {
		for _, lb := range []bool{false, true} {
			if masters > 1 && !lb {
				continue
			}
			for _, fip := range []bool{false, true} {
				for _, tls := range []bool{false, true} {
					for _, vol := range []bool{false, true} {
						out = append(out, Options{Masters: masters, LB: lb, FloatingIP: fip, TLS: tls, Volumes: vol})
					}
				}
			}
		}
	}
	return out
}

// CACert is a PEM the tests hand to drivers as the cluster CA.
const CACert = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBATAKBggqhkjOPQQDAjAAMB4XDTI2MDEwMTAwMDAwMFoX\n-----END CERTIFICATE-----\n"

// Cluster returns a valid cluster of coe with the given options, two
// workers and complete boot data, whose names (images, flavors, keypair,
// external network, project) exist in the simulated cloud's default
// catalog.
func Cluster(coe string, o Options) drivers.Cluster {
	vol, labels := 0, map[string]string{}
	if o.Volumes {
		// The host names the cloud's default volume type when the
		// cluster names none, as Magnum does: Heat refuses an empty one.
		vol = 10
		labels["docker_volume_type"], labels["etcd_volume_type"] = "__DEFAULT__", "__DEFAULT__"
	}
	maxNodes := 5
	image := "fedora-coreos-40"
	if coe == "mesos" {
		image = "ubuntu-22.04"
	}
	return drivers.Cluster{
		UUID: "5d12f6fd-a196-4bf0-ae4c-1f639a523a52", Name: "test-" + strings.ReplaceAll(coe, "-", ""),
		ProjectID: "c99cc16abecc4cd0bbed7e1bc2f2b516", UserID: "6ab2d0e08fa34f17afd3a42b80e1d235",
		Template: drivers.Template{
			UUID: "0c2b9f7e-1111-4c4e-9d7e-7b3a1f0e2d11", Name: "tmpl", COE: coe, ServerType: "vm",
			ImageID: image, FlavorID: "m1.small", MasterFlavorID: "m1.medium",
			ExternalNetworkID: "public", DNSNameserver: "8.8.8.8", TLSDisabled: !o.TLS,
			MasterLBEnabled: o.LB, FloatingIPEnabled: o.FloatingIP,
		},
		Keypair: "default", DockerVolumeSize: vol, MasterLBEnabled: o.LB, FloatingIPEnabled: o.FloatingIP,
		Labels: labels,
		NodeGroups: []drivers.NodeGroup{
			{UUID: "ng-master", Name: "default-master", Role: "master", IsDefault: true, NodeCount: o.Masters},
			{UUID: "ng-worker", Name: "default-worker", Role: "worker", IsDefault: true, NodeCount: 2, MaxNodeCount: &maxNodes},
		},
		Boot: drivers.Boot{
			MagnumURL: "https://magnum.example:9511/v1", AuthURL: "https://keystone.example:5000/v3",
			TrusteeUserID: "trustee-1", TrusteeUserName: "trustee", TrusteePassword: `pa'ss"w\ord$`,
			TrusteeDomainID: "dom-1", TrustID: "trust-1",
			CACert: CACert, EtcdCACert: CACert, FrontProxyCACert: CACert,
			ExternalNetworkID: "public",
		},
	}
}

// Shellcheck runs shellcheck on scripts (paths relative to the test's
// directory), following the files they source.
func Shellcheck(t testing.TB, scripts ...string) {
	t.Helper()
	bin := testenv.Command(t, "shellcheck")
	args := append([]string{"--external-sources", "--source-path=SCRIPTDIR", "--severity=style"}, scripts...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("shellcheck %s: %v\n%s", strings.Join(scripts, " "), err, out)
	}
}

// ParseIgnition parses an Ignition config with the Ignition library and
// fails the test on any error or warning.
func ParseIgnition(t testing.TB, data []byte) ign.Config {
	t.Helper()
	cfg, rpt, err := v3_4.Parse(data)
	if err != nil {
		t.Fatalf("ignition: %v\n%s", err, rpt.String())
	}
	if len(rpt.Entries) > 0 {
		t.Fatalf("ignition report:\n%s", rpt.String())
	}
	return cfg
}

// StrReplace does what Heat's str_replace does: it replaces the keys of
// params, longest first, without replacing inside what it inserted.
func StrReplace(template string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	parts := []string{template}
	for _, k := range keys {
		var next []string
		for i, p := range parts {
			if i%2 == 1 { // an inserted value
				next = append(next, p)
				continue
			}
			pieces := strings.Split(p, k)
			for j, piece := range pieces {
				if j > 0 {
					next = append(next, params[k])
				}
				next = append(next, piece)
			}
		}
		parts = next
	}
	return strings.Join(parts, "")
}

// NoneRegistry maps the resource types a Heat without the other OpenStack
// services cannot create to OS::Heat::None: Nova, Neutron, Cinder, Octavia,
// and the software-config and signalling types that need Heat's own
// CloudFormation endpoint in the catalog.
func NoneRegistry() map[string]any {
	return map[string]any{
		"OS::Nova::*": "OS::Heat::None", "OS::Neutron::*": "OS::Heat::None",
		"OS::Cinder::*": "OS::Heat::None", "OS::Octavia::*": "OS::Heat::None",
		"OS::Heat::SoftwareConfig": "OS::Heat::None", "OS::Heat::SoftwareDeployment": "OS::Heat::None",
		"OS::Heat::MultipartMime": "OS::Heat::None", "OS::Heat::WaitCondition": "OS::Heat::None",
		"OS::Heat::WaitConditionHandle": "OS::Heat::None",
	}
}

// HeatValidate asks the real Heat at url (GOMAGNUM_HEAT_URL) to validate a
// template with its files and parameters, cloud types mapped by
// NoneRegistry. It returns Heat's refusal as an error.
func HeatValidate(ctx context.Context, url string, template []byte, files map[string]string, params map[string]any) error {
	body, err := json.Marshal(map[string]any{
		"template":    string(template),
		"files":       files,
		"environment": map[string]any{"resource_registry": NoneRegistry(), "parameters": params},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(url, "/")+"/validate", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "gomagnum-tests")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("heat validate: %s: %s", resp.Status, msg)
	}
	return nil
}

// NestedParams returns parameters for validating a nested template on its
// own: a placeholder for every parameter without a default (string "x",
// number 1, boolean false, an empty list), then overrides for those the
// template declares.
func NestedParams(template []byte, overrides map[string]any) (map[string]any, error) {
	var doc struct {
		Parameters map[string]struct {
			Type    string `yaml:"type"`
			Default any    `yaml:"default"`
		} `yaml:"parameters"`
	}
	if err := yaml.Unmarshal(template, &doc); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for name, p := range doc.Parameters {
		if v, ok := overrides[name]; ok {
			out[name] = v
			continue
		}
		if p.Default != nil {
			continue
		}
		switch p.Type {
		case "number":
			out[name] = 1
		case "boolean":
			out[name] = false
		case "comma_delimited_list":
			out[name] = ""
		default:
			out[name] = "x"
		}
	}
	return out, nil
}

// IsTemplate reports whether a stack file is a HOT template.
func IsTemplate(content string) bool {
	return strings.HasPrefix(content, "heat_template_version:")
}

// IgnitionFile returns the contents of the file at path in an Ignition
// config, decoding its data URL; a missing file fails the test.
func IgnitionFile(t testing.TB, cfg ign.Config, path string) string {
	t.Helper()
	for _, f := range cfg.Storage.Files {
		if f.Path != path || f.Contents.Source == nil {
			continue
		}
		src := *f.Contents.Source
		if b64, ok := strings.CutPrefix(src, "data:;base64,"); ok {
			b, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if f.Contents.Compression != nil && *f.Contents.Compression == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if b, err = io.ReadAll(zr); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
			}
			return string(b)
		}
		t.Fatalf("%s: unexpected source %.40q", path, src)
	}
	t.Fatalf("ignition config has no file %s", path)
	return ""
}
