// Command quickstart runs gomagnum end to end on its embedded defaults: a
// SQLite database in a temporary directory, the simulated cloud, the
// embedded Heat engine and the built-in drivers. It creates a Kubernetes
// cluster template and a cluster, shows the build's progress until
// CREATE_COMPLETE, signs a client certificate and writes a kubeconfig,
// resizes the cluster and deletes it.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/magnum"
)

// demo is the simulated cloud's demo user.
var demo = magnum.Caller{UserID: "6ab2d0e08fa34f17afd3a42b80e1d235", UserName: "demo",
	ProjectID: "c99cc16abecc4cd0bbed7e1bc2f2b516", Roles: []string{"member"}}

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
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
	fmt.Printf("template %s: %s on %s (os_distro %s), network driver %s\n",
		tmpl.Name, tmpl.COE, tmpl.ImageID, tmpl.ClusterDistro, tmpl.NetworkDriver)

	workers := 2
	id, err := svc.CreateCluster(ctx, magnum.ClusterCreate{Name: "demo", ClusterTemplateID: tmpl.UUID, NodeCount: &workers})
	if err != nil {
		return fmt.Errorf("create cluster: %w", err)
	}
	c, err := wait(ctx, svc, id, magnum.CreateComplete)
	if err != nil {
		return err
	}
	fmt.Printf("cluster %s is up: API %s, masters %v, workers %v, Kubernetes %s\n",
		c.Name, c.APIAddress, c.MasterAddresses, c.NodeAddresses, c.COEVersion)

	if err := writeKubeconfig(ctx, svc, id); err != nil {
		return err
	}

	if _, err := svc.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 3}); err != nil {
		return fmt.Errorf("resize: %w", err)
	}
	if c, err = wait(ctx, svc, id, magnum.UpdateComplete); err != nil {
		return err
	}
	fmt.Printf("resized: workers %v\n", c.NodeAddresses)

	if err := svc.DeleteCluster(ctx, id); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := waitGone(ctx, svc, id); err != nil {
		return err
	}
	st, err := svc.Stats(ctx, "", "")
	if err != nil {
		return err
	}
	fmt.Printf("deleted: the project has %d clusters and %d nodes\n", st.Clusters, st.Nodes)
	return nil
}

// wait prints a cluster's status as it changes until its operation ends,
// and checks it ended in want.
func wait(ctx context.Context, svc *magnum.Service, id string, want magnum.Status) (*magnum.Cluster, error) {
	last := ""
	for {
		c, err := svc.GetCluster(ctx, id)
		if err != nil {
			return nil, err
		}
		if line := fmt.Sprintf("  %s %s", c.Status, c.StatusReason); line != last {
			fmt.Println(line)
			last = line
		}
		if !c.Status.IsInProgress() {
			if c.Status != want {
				return nil, fmt.Errorf("cluster %s ended %s: %s", c.Name, c.Status, c.StatusReason)
			}
			return c, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func waitGone(ctx context.Context, svc *magnum.Service, id string) error {
	for {
		_, err := svc.GetCluster(ctx, id)
		if errors.Is(err, magnum.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// writeKubeconfig makes a key and a CSR for the demo user, has the
// service sign it with the cluster's CA, and writes the kubeconfig the
// Kubernetes driver renders with it.
func writeKubeconfig(ctx context.Context, svc *magnum.Service, id string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: demo.UserName}}, key)
	if err != nil {
		return err
	}
	cert, err := svc.SignCertificate(ctx, id, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})), "")
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	cfg, err := svc.ClientConfig(ctx, id, []byte(cert.PEM), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	dir, err := os.MkdirTemp("", "gomagnum-kubeconfig-")
	if err != nil {
		return err
	}
	for name, content := range cfg.Files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			return err
		}
	}
	block, _ := pem.Decode([]byte(cert.PEM))
	signed, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	fmt.Printf("signed a client certificate for CN=%s by %s, valid until %s\n",
		signed.Subject.CommonName, signed.Issuer.CommonName, signed.NotAfter.Format(time.DateOnly))
	fmt.Printf("wrote the kubeconfig to %s (export KUBECONFIG=%s)\n", dir, filepath.Join(dir, "config"))
	return nil
}
