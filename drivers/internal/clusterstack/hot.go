package clusterstack

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"strings"
	"sync"
)

//go:embed hot/*.yaml
var hotFS embed.FS

// Names of the shared templates, as the drivers' templates refer to them.
const (
	// NetworkTemplate creates the private network unless one is given.
	NetworkTemplate = "network.yaml"
	// APILBTemplate is the Octavia load balancer in front of the API.
	APILBTemplate = "apilb.yaml"
	// ClusterTemplate is the top template of a primary master, secondary
	// masters and workers (Swarm mode, Mesos).
	ClusterTemplate = "cluster.yaml"
	// NodeTemplate is one node of ClusterTemplate.
	NodeTemplate = "node.yaml"
)

// Names of the boot configs NodeTemplate reads per role.
const (
	BootMaster = "boot-master"
	BootWorker = "boot-worker"
)

// Files reads every file of dir in fsys (none when dir is empty), plus
// the shared templates named, into a map keyed by base name: the files of
// a driver's stack. fsys is embedded, so what it holds never changes: the
// files are read once per set asked for, and every call gets a map of its
// own.
func Files(fsys embed.FS, dir string, shared ...string) (map[string]string, error) {
	key := filesKey{fsys: fsys, dir: dir, shared: strings.Join(shared, "\x00")}
	if m, ok := filesCache.Load(key); ok {
		return maps.Clone(m.(map[string]string)), nil
	}
	out := make(map[string]string)
	for _, name := range shared {
		b, err := hotFS.ReadFile("hot/" + name)
		if err != nil {
			return nil, fmt.Errorf("read templates: %w", err)
		}
		out[name] = string(b)
	}
	if dir != "" {
		if err := readDir(out, fsys, dir); err != nil {
			return nil, err
		}
	}
	filesCache.Store(key, out)
	return maps.Clone(out), nil
}

// filesKey names a set of files Files read.
type filesKey struct {
	fsys        embed.FS
	dir, shared string
}

var filesCache sync.Map // filesKey -> map[string]string

func readDir(out map[string]string, fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("read templates: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("read templates: %w", err)
		}
		out[e.Name()] = string(b)
	}
	return nil
}
