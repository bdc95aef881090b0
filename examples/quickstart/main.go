// Command quickstart runs gomagnum end to end on its embedded defaults: a
// SQLite database in a temporary directory, the simulated cloud, the
// embedded Heat engine and the built-in drivers. It creates a Kubernetes
// cluster template and a cluster, follows the build until
// CREATE_COMPLETE, gets a kubeconfig, resizes the cluster and deletes it,
// leaving nothing behind.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/magnum"
)

// demo is the simulated cloud's demo user.
var demo = magnum.Caller{UserID: "6ab2d0e08fa34f17afd3a42b80e1d235", UserName: "demo",
	ProjectID: "c99cc16abecc4cd0bbed7e1bc2f2b516", Roles: []string{"member"}}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run tells the story on out.
func run(ctx context.Context, out io.Writer) error {
	// The simulated servers take a few seconds to boot, as real ones do, so
	// that the build's progress shows.
	slow := sim.WithDelays(sim.Delays{Create: map[sim.Kind]time.Duration{sim.KindServer: time.Second}, Boot: 2 * time.Second})
	svc, err := magnum.New(ctx, magnum.WithSimulatedCloud(slow),
		magnum.WithSyncInterval(500*time.Millisecond), magnum.WithProgressInterval(500*time.Millisecond),
		magnum.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		return err
	}
	defer svc.Close()
	ctx = magnum.WithCaller(ctx, demo)

	tmpl, err := svc.CreateClusterTemplate(ctx, magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s-fcos", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public",
		FlavorID: "m1.small", MasterFlavorID: "m1.medium", KeypairID: "default",
		Labels: map[string]string{"kube_tag": "v1.30.1"},
	}})
	if err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	fmt.Fprintf(out, "template %s: %s on %s (os_distro %s), network driver %s\n",
		tmpl.Name, tmpl.COE, tmpl.ImageID, tmpl.ClusterDistro, tmpl.NetworkDriver)

	workers := 2
	id, err := svc.CreateCluster(ctx, magnum.ClusterCreate{Name: "demo", ClusterTemplateID: tmpl.UUID, NodeCount: &workers})
	if err != nil {
		return fmt.Errorf("create cluster: %w", err)
	}
	c, err := follow(ctx, out, svc, id, magnum.CreateComplete)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "cluster %s is up: API %s, masters %v, workers %v, Kubernetes %s\n",
		c.Name, c.APIAddress, c.MasterAddresses, c.NodeAddresses, c.COEVersion)

	creds, err := svc.ClusterCredentials(ctx, id, magnum.CredentialsOptions{})
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	dir, err := os.MkdirTemp("", "gomagnum-kubeconfig-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) // the cluster does not outlive the quickstart either
	paths, err := creds.Write(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "signed a client certificate for CN=%s, valid until %s\n",
		creds.Subject.CommonName, creds.NotAfter.Format(time.DateOnly))
	fmt.Fprintf(out, "wrote the kubeconfig to %s\n", paths[0])

	if _, err := svc.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 3}); err != nil {
		return fmt.Errorf("resize: %w", err)
	}
	if c, err = follow(ctx, out, svc, id, magnum.UpdateComplete); err != nil {
		return err
	}
	fmt.Fprintf(out, "resized: workers %v\n", c.NodeAddresses)

	if err := svc.DeleteCluster(ctx, id); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if _, err := svc.WaitCluster(ctx, id, magnum.DeleteComplete); err != nil {
		return err
	}
	st, err := svc.Stats(ctx, "", "")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "deleted: the project has %d clusters and %d nodes\n", st.Clusters, st.Nodes)
	return nil
}

// follow prints the progress of a cluster's operation as the service
// reports it, and returns the cluster once the operation ended in want.
func follow(ctx context.Context, out io.Writer, svc *magnum.Service, id string, want magnum.Status) (*magnum.Cluster, error) {
	last := ""
	for ch, err := range svc.WatchCluster(ctx, id) {
		if err != nil {
			return nil, err
		}
		c := ch.Cluster
		if c == nil {
			continue // a node group changed; the cluster's own change follows
		}
		if line := fmt.Sprintf("  %s: %s", c.Status, c.StatusReason); c.StatusReason != "" && line != last {
			fmt.Fprintln(out, line)
			last = line
		}
		if !c.Status.IsInProgress() {
			if c.Status != want {
				return c, fmt.Errorf("cluster %s ended %s: %s", c.Name, c.Status, c.StatusReason)
			}
			return c, nil
		}
	}
	return nil, ctx.Err()
}
