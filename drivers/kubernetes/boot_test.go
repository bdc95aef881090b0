package kubernetes_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers/internal/nodeboot"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// heatValues are values as Heat substitutes them, including the curl
// command of a wait condition handle with its quotes.
var heatValues = map[string]string{
	"__NODE_NAME__":                   "k8s-abc-master-0",
	"__NODEGROUP_NAME__":              "default-master",
	"__WAIT_CURL__":                   "curl -i -X POST -H 'X-Auth-Token: gAAAAABl-token_x=' -H 'Content-Type: application/json' -H 'Accept: application/json' http://heat.example:8004/v1/p/stacks/k8s-abc/1/resources/wait_handle/signal",
	"__API_ADDRESS__":                 "10.0.0.4",
	"__API_PUBLIC_ADDRESS__":          "172.24.4.9",
	"__PRIMARY_ADDRESS__":             "",
	"__KUBE_TAG__":                    "v1.30.4",
	"__CA_CERT__":                     "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
	"__ETCD_CA_CERT__":                "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
	"__FRONT_PROXY_CA_CERT__":         "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
	"__SERVICE_ACCOUNT_KEY_PUBLIC__":  "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K",
	"__SERVICE_ACCOUNT_KEY_PRIVATE__": "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==",
	"__DOCKER_VOLUME__":               "0f3c6a5e-7c1b-4f1e-9a51-1d0c2b9f7e11",
	"__ETCD_VOLUME__":                 "",
}

func TestIgnitionConfigs(t *testing.T) {
	d := kubernetes.New()
	st, err := d.ClusterStack(ctx, cluster(stacktest.Options{Masters: 3, LB: true, FloatingIP: true, TLS: true, Volumes: true}))
	require.NoError(t, err)
	keys := stacktest.StrReplaceKeys(t, []byte(st.Files["kubenode.yaml"]), "boot_config")
	for _, name := range []string{"master.ign", "worker.ign"} {
		t.Run(name, func(t *testing.T) {
			raw := st.Files[name]
			assert.Equal(t, keys, stacktest.Placeholders(raw), "placeholders and str_replace params differ")
			// Nova takes at most 64 KiB of base64 user data; Heat adds the
			// deployments' metadata (a few KiB) to the config.
			assert.Less(t, len(stacktest.StrReplace(raw, heatValues))+8<<10, 48<<10, "user data too large for Nova")
			cfg := stacktest.ParseIgnition(t, []byte(stacktest.StrReplace(raw, heatValues)))
			assert.Equal(t, nodeboot.IgnitionVersion, cfg.Ignition.Version)
			for _, path := range []string{"/usr/local/bin/magnum-bootstrap", "/usr/local/bin/magnum-reconfigure", nodeboot.LibPath,
				"/usr/local/lib/magnum/k8s-lib.sh", "/usr/local/lib/magnum/k8s-master.sh", "/usr/local/lib/magnum/k8s-addons.sh"} {
				assert.NotEmpty(t, stacktest.IgnitionFile(t, cfg, path), path)
			}
			units := map[string]string{}
			for _, u := range cfg.Systemd.Units {
				require.NotNil(t, u.Contents, u.Name)
				units[u.Name] = *u.Contents
				if u.Name == nodeboot.BootstrapUnit {
					require.Len(t, u.Dropins, 1)
					assert.Contains(t, *u.Dropins[0].Contents, `Environment="WAIT_CURL=curl -i -X POST -H 'X-Auth-Token: gAAAAABl-token_x='`)
				}
			}
			assert.Contains(t, units, nodeboot.BootstrapUnit)
			assert.Contains(t, units["heat-container-agent.service"], "heat-container-agent:wallaby-stable-1")
			env := stacktest.IgnitionFile(t, cfg, nodeboot.ClusterEnvPath)
			assert.Contains(t, env, "ROLE='"+strings.TrimSuffix(name, ".ign")+"'")
		})
	}
}

// TestClusterEnvRoundTrip sources the rendered cluster settings in bash:
// the trustee password, quotes and all, comes back as it was.
func TestClusterEnvRoundTrip(t *testing.T) {
	bash := testenv.Command(t, "bash")
	c := cluster(defaultOptions)
	st, err := kubernetes.New().ClusterStack(ctx, c)
	require.NoError(t, err)
	cfg := stacktest.ParseIgnition(t, []byte(stacktest.StrReplace(st.Files["worker.ign"], heatValues)))
	file := filepath.Join(t.TempDir(), "cluster.env")
	require.NoError(t, os.WriteFile(file, []byte(stacktest.IgnitionFile(t, cfg, nodeboot.ClusterEnvPath)), 0o600))
	out, err := exec.Command(bash, "-c", `set -a; . "$1"; printf '%s|%s|%s' "$TRUSTEE_PASSWORD" "$POD_CIDR" "$DNS_SERVICE_IP"`, "bash", file).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, c.Boot.TrusteePassword+"|10.100.0.0/16|10.254.0.10", string(out))
}

func TestShellcheck(t *testing.T) {
	scripts, err := filepath.Glob("scripts/*.sh")
	require.NoError(t, err)
	require.NotEmpty(t, scripts)
	stacktest.Shellcheck(t, append(scripts, "templates/reconfigure-agent.sh", "../internal/nodeboot/scripts/magnum-node.sh")...)
}
