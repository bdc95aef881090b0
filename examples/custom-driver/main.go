// Command custom-driver is a complete third-party gomagnum driver: k3s on Ubuntu.
package main

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/plugin"
	"github.com/gomagnum/gomagnum/heat"
)

//go:embed templates
var files embed.FS

var kubeconfig = template.Must(template.New("kubeconfig.tmpl").
	Funcs(template.FuncMap{"b64": base64.StdEncoding.EncodeToString}).ParseFS(files, "templates/kubeconfig.tmpl"))

func main() { plugin.Serve(driver{}) }

// driver builds k3s clusters; it leaves the optional operations out.
type driver struct{ drivers.Unsupported }

func (driver) Info(context.Context) (drivers.Info, error) {
	return drivers.Info{Name: "k3s_ubuntu_v1", Version: "1.0.0", ContainerVersion: "containerd",
		Provides:       []drivers.Tuple{{ServerType: "vm", OSDistro: "ubuntu", COE: "kubernetes"}},
		NetworkDrivers: []string{"flannel"}}, nil
}

func (driver) ValidateTemplate(_ context.Context, t drivers.Template) error {
	if t.NetworkDriver != "" && t.NetworkDriver != "flannel" {
		return fmt.Errorf("%w: network driver %q: k3s runs flannel here", drivers.ErrInvalid, t.NetworkDriver)
	}
	return nil
}

func (d driver) ValidateCluster(ctx context.Context, c drivers.Cluster) error {
	_, _, err := groups(c)
	return errors.Join(err, d.ValidateTemplate(ctx, c.Template))
}

// groups returns the default master and worker groups of a cluster.
func groups(c drivers.Cluster) (master, worker drivers.NodeGroup, err error) {
	for _, ng := range c.NodeGroups {
		if ng.IsDefault && ng.Role == "master" {
			master = ng
		} else if ng.IsDefault {
			worker = ng
		}
	}
	if master.UUID == "" || worker.UUID == "" {
		err = fmt.Errorf("%w: cluster %q lacks its default node groups", drivers.ErrInvalid, c.Name)
	}
	return master, worker, err
}

func (driver) ClusterStack(_ context.Context, c drivers.Cluster) (drivers.Stack, error) {
	master, worker, err := groups(c)
	version := cmp.Or(c.Labels["k3s_version"], "v1.30.4+k3s1")
	cluster, _ := files.ReadFile("templates/cluster.yaml")
	node, _ := files.ReadFile("templates/node.yaml")
	return drivers.Stack{Template: cluster, Files: map[string]string{"node.yaml": string(node)},
		Parameters: map[string]any{"cluster_uuid": c.UUID, "k3s_version": version, "image": c.Template.ImageID,
			"master_flavor": master.FlavorID, "worker_flavor": worker.FlavorID, "key_name": c.Keypair,
			"external_network": c.Template.ExternalNetworkID, "number_of_masters": master.NodeCount,
			"number_of_workers": worker.NodeCount, "ca_cert": c.Boot.CACert, "floating_ip_enabled": c.FloatingIPEnabled,
		}}, err
}

func (driver) ResizeStack(_ context.Context, c drivers.Cluster, r drivers.Resize) (heat.StackUpdate, error) {
	if _, worker, err := groups(c); err != nil || r.NodeGroup != worker.UUID || r.NodeCount < 0 {
		return heat.StackUpdate{}, fmt.Errorf("%w: only the default workers resize, to 0 or more nodes", drivers.ErrInvalid)
	}
	return heat.StackUpdate{Parameters: map[string]any{
		"number_of_workers": r.NodeCount, "workers_to_remove": strings.Join(r.NodesToRemove, ",")}}, nil
}

func (driver) MapOutputs(_ context.Context, c drivers.Cluster, _ drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	master, worker, err := groups(c)
	masters := s.StringList("master_addresses")
	out := drivers.Outputs{NodeGroups: map[string]drivers.NodeGroupOutputs{
		master.UUID: {NodeAddresses: masters}, worker.UUID: {NodeAddresses: s.StringList("worker_addresses")}}}
	if len(masters) > 0 {
		out.APIAddress = "https://" + masters[0] + ":6443"
	}
	return out, err
}

func (driver) ClientConfig(_ context.Context, c drivers.Cluster, cr drivers.Credentials) (drivers.ClientConfig, error) {
	var b bytes.Buffer
	err := kubeconfig.Execute(&b, map[string]any{"Cluster": c, "Credentials": cr})
	return drivers.ClientConfig{Files: map[string][]byte{"config": b.Bytes()}}, err
}
