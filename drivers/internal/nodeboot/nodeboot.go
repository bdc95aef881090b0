// Package nodeboot renders what the built-in drivers' nodes run at first
// boot: an Ignition config for Fedora CoreOS or a cloud-config for
// Ubuntu, carrying the drivers' boot scripts, the cluster's settings and
// the per-node values Heat fills in through str_replace.
//
// Cluster-wide settings the driver knows are rendered into a shell
// environment file, escaped here. Per-node values only Heat knows (the
// wait condition's curl command, the node's name, addresses of other
// nodes) are left as placeholders "__NAME__" in places where any single
// line of text is safe: a systemd drop-in's Environment= for Ignition, a
// literal block for cloud-config.
package nodeboot

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	ign "github.com/coreos/ignition/v2/config/v3_4/types"
	"gopkg.in/yaml.v3"
)

//go:embed scripts/magnum-node.sh
var lib []byte

// Paths on the nodes.
const (
	// LibPath is where the shared shell functions are installed.
	LibPath = "/usr/local/lib/magnum/magnum-node.sh"
	// ClusterEnvPath holds the cluster-wide settings, as shell assignments.
	ClusterEnvPath = "/etc/magnum/cluster.env"
	// NodeEnvPath holds the per-node values, as NAME=VALUE lines.
	NodeEnvPath = "/etc/magnum/node.env"
	// BootstrapUnit is the systemd unit that runs the boot command once.
	BootstrapUnit = "magnum-bootstrap.service"
)

// IgnitionVersion is the Ignition spec version of the configs rendered.
const IgnitionVersion = "3.4.0"

var envName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// File is a file written on a node.
type File struct {
	Path string
	Mode int
	Data []byte
}

// Lib returns the shared shell functions as a file installed at LibPath.
func Lib() File { return File{Path: LibPath, Mode: 0o644, Data: lib} }

// LibScript returns the source of the shared shell functions.
func LibScript() []byte { return slices.Clone(lib) }

// Placeholder returns the token Heat replaces with a node's value of the
// variable name: "__NAME__".
func Placeholder(name string) string { return "__" + name + "__" }

// Boot describes what a node runs at first boot.
type Boot struct {
	// Files are written before anything runs (scripts, manifests).
	Files []File
	// ClusterEnv are the cluster-wide settings, written to ClusterEnvPath.
	ClusterEnv map[string]string
	// NodeEnv names the per-node variables Heat fills in; each is set to
	// Placeholder(name).
	NodeEnv []string
	// Command is the program run once at first boot. It finds NodeEnv in
	// its environment (Ignition) or in NodeEnvPath (cloud-config), and
	// sources ClusterEnvPath itself.
	Command string
	// Units are extra systemd units, by name, enabled at boot (Ignition).
	Units map[string]string
}

func (b Boot) check() error {
	if b.Command == "" {
		return fmt.Errorf("nodeboot: no boot command")
	}
	for _, n := range b.NodeEnv {
		if !envName.MatchString(n) {
			return fmt.Errorf("nodeboot: bad node variable name %q", n)
		}
	}
	for n := range b.ClusterEnv {
		if !envName.MatchString(n) {
			return fmt.Errorf("nodeboot: bad cluster variable name %q", n)
		}
	}
	return nil
}

// EnvFile renders variables as sorted NAME='value' lines a shell can source.
func EnvFile(vars map[string]string) []byte {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	var sb strings.Builder
	for _, n := range names {
		sb.WriteString(n)
		sb.WriteString("=")
		sb.WriteString(ShellQuote(vars[n]))
		sb.WriteString("\n")
	}
	return []byte(sb.String())
}

// ShellQuote quotes s for a POSIX shell.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (b Boot) files() []File {
	files := append([]File{Lib(), {Path: ClusterEnvPath, Mode: 0o600, Data: EnvFile(b.ClusterEnv)}}, b.Files...)
	return files
}

// Ignition renders the boot as an Ignition config: the files, the boot
// command as a oneshot unit with the node variables in a drop-in, and the
// extra units.
func (b Boot) Ignition() ([]byte, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	cfg := ign.Config{Ignition: ign.Ignition{Version: IgnitionVersion}}
	for _, f := range b.files() {
		contents, err := compressed(f.Data)
		if err != nil {
			return nil, err
		}
		cfg.Storage.Files = append(cfg.Storage.Files, ign.File{
			Node:          ign.Node{Path: f.Path, Overwrite: ptr(true)},
			FileEmbedded1: ign.FileEmbedded1{Mode: ptr(f.Mode), Contents: contents},
		})
	}
	var dropin strings.Builder
	dropin.WriteString("[Service]\n")
	for _, n := range b.NodeEnv {
		fmt.Fprintf(&dropin, "Environment=\"%s=%s\"\n", n, Placeholder(n))
	}
	cfg.Systemd.Units = append(cfg.Systemd.Units, ign.Unit{
		Name:     BootstrapUnit,
		Enabled:  ptr(true),
		Contents: ptr(bootstrapUnit(b.Command)),
		Dropins:  []ign.Dropin{{Name: "10-node.conf", Contents: ptr(dropin.String())}},
	})
	names := make([]string, 0, len(b.Units))
	for n := range b.Units {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		cfg.Systemd.Units = append(cfg.Systemd.Units, ign.Unit{Name: n, Enabled: ptr(true), Contents: ptr(b.Units[n])})
	}
	return json.Marshal(cfg)
}

// compressed is the Ignition source of data: gzipped when that makes it
// smaller, since Nova caps user data at 64 KiB of base64.
func compressed(data []byte) (ign.Resource, error) {
	key := sha256.Sum256(data)
	if r, ok := compressedCache.Load(key); ok {
		return r.(ign.Resource), nil
	}
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	var buf bytes.Buffer
	zw.Reset(&buf)
	if _, err := zw.Write(data); err != nil {
		return ign.Resource{}, err
	}
	if err := zw.Close(); err != nil {
		return ign.Resource{}, err
	}
	r := ign.Resource{Source: ptr(DataURL(data))}
	if buf.Len() < len(data) {
		r = ign.Resource{Source: ptr(DataURL(buf.Bytes())), Compression: ptr("gzip")}
	}
	if compressedEntries.Add(1) <= maxCompressedEntries {
		compressedCache.Store(key, r)
	}
	return r, nil
}

// Compressing is most of the cost of a boot config, and most files (the
// scripts) are the same for every cluster: compressed files are kept by
// content, up to a bound, and gzip writers are reused.
var (
	compressedCache   sync.Map // [32]byte -> ign.Resource
	compressedEntries atomic.Int64
	gzipWriters       = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}
)

const maxCompressedEntries = 256

func bootstrapUnit(command string) string {
	return `[Unit]
Description=Join this node to its gomagnum cluster
Wants=network-online.target
After=network-online.target
ConditionPathExists=!/var/lib/magnum/bootstrap.done

[Service]
Type=oneshot
RemainAfterExit=yes
TimeoutStartSec=0
ExecStart=` + command + `
ExecStartPost=/usr/bin/touch /var/lib/magnum/bootstrap.done
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
`
}

// DataURL encodes data as a base64 data URL.
func DataURL(data []byte) string {
	return "data:;base64," + base64.StdEncoding.EncodeToString(data)
}

type cloudFile struct {
	Path        string `yaml:"path"`
	Permissions string `yaml:"permissions"`
	Encoding    string `yaml:"encoding,omitempty"`
	Content     string `yaml:"content"`
}

// CloudConfig renders the boot as a cloud-config: the files (base64,
// gzipped when smaller),
// the node variables as NAME=__NAME__ lines in NodeEnvPath, and the boot
// command in runcmd.
func (b Boot) CloudConfig() ([]byte, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	var files []cloudFile
	for _, f := range b.files() {
		src, err := compressed(f.Data)
		if err != nil {
			return nil, err
		}
		enc := "b64"
		if src.Compression != nil {
			enc = "gz+b64"
		}
		files = append(files, cloudFile{
			Path: f.Path, Permissions: fmt.Sprintf("%#o", f.Mode),
			Encoding: enc, Content: strings.TrimPrefix(*src.Source, "data:;base64,"),
		})
	}
	var env strings.Builder
	for _, n := range b.NodeEnv {
		fmt.Fprintf(&env, "%s=%s\n", n, Placeholder(n))
	}
	files = append(files, cloudFile{Path: NodeEnvPath, Permissions: "0600", Content: env.String()})
	doc := struct {
		WriteFiles []cloudFile `yaml:"write_files"`
		RunCmd     [][]string  `yaml:"runcmd"`
	}{files, [][]string{{b.Command}}}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return append([]byte("#cloud-config\n"), out...), nil
}

func ptr[T any](v T) *T { return &v }
