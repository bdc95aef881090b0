package swarm

import (
	"fmt"
	"strconv"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/nodeboot"
)

// ignitions renders the Ignition configs of the managers and the workers.
func ignitions(c drivers.Cluster, labels clusterstack.Values) (master, worker []byte, err error) {
	script, err := scriptsFS.ReadFile("scripts/swarm-bootstrap.sh")
	if err != nil {
		return nil, nil, fmt.Errorf("swarm: boot script: %w", err)
	}
	storage := c.Template.DockerStorageDriver
	if storage == "" {
		storage = "overlay2"
	}
	env := map[string]string{
		"CLUSTER_UUID": c.UUID, "MAGNUM_URL": c.Boot.MagnumURL, "AUTH_URL": c.Boot.AuthURL,
		"TRUSTEE_USER_ID": c.Boot.TrusteeUserID, "TRUSTEE_PASSWORD": c.Boot.TrusteePassword,
		"TRUST_ID": c.Boot.TrustID, "VERIFY_CA": "true",
		"TLS_DISABLED":          strconv.FormatBool(c.Template.TLSDisabled),
		"DOCKER_STORAGE_DRIVER": storage, "VOLUME_DRIVER": c.Template.VolumeDriver,
		"REXRAY_PREEMPT": strconv.FormatBool(labels.Bool("rexray_preempt")), "REXRAY_IMAGE": labels.String("rexray_image"),
		"HTTP_PROXY": c.Template.HTTPProxy, "HTTPS_PROXY": c.Template.HTTPSProxy, "NO_PROXY": c.Template.NoProxy,
	}
	render := func(role string) ([]byte, error) {
		env["ROLE"] = role
		return nodeboot.Boot{
			Files:      []nodeboot.File{{Path: "/usr/local/bin/magnum-bootstrap", Mode: 0o755, Data: script}},
			ClusterEnv: env,
			NodeEnv:    clusterstack.NodeEnv,
			Command:    "/usr/local/bin/magnum-bootstrap",
		}.Ignition()
	}
	if master, err = render(clusterstack.RoleMaster); err != nil {
		return nil, nil, err
	}
	worker, err = render(clusterstack.RoleWorker)
	return master, worker, err
}
