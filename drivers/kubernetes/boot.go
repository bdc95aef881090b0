package kubernetes

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"embed"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strconv"
	"sync"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/nodeboot"
)

//go:embed scripts/*.sh
var scriptsFS embed.FS

// nodeEnv are the per-node values kubenode.yaml substitutes into the
// Ignition configs.
var nodeEnv = []string{
	"NODE_NAME", "NODEGROUP_NAME", "WAIT_CURL", "API_ADDRESS", "API_PUBLIC_ADDRESS", "PRIMARY_ADDRESS",
	"KUBE_TAG", "CA_CERT", "ETCD_CA_CERT", "FRONT_PROXY_CA_CERT",
	"SERVICE_ACCOUNT_KEY_PUBLIC", "SERVICE_ACCOUNT_KEY_PRIVATE", "DOCKER_VOLUME", "ETCD_VOLUME",
}

// bootScripts maps the scripts to where nodes install them.
var bootScripts = []struct {
	name, path string
	mode       int
}{
	{"k8s-bootstrap.sh", "/usr/local/bin/magnum-bootstrap", 0o755},
	{"k8s-reconfigure.sh", "/usr/local/bin/magnum-reconfigure", 0o755},
	{"k8s-lib.sh", "/usr/local/lib/magnum/k8s-lib.sh", 0o644},
	{"k8s-master.sh", "/usr/local/lib/magnum/k8s-master.sh", 0o644},
	{"k8s-addons.sh", "/usr/local/lib/magnum/k8s-addons.sh", 0o644},
}

// agentUnit runs the heat-container-agent, which applies the reconfigure
// deployments (upgrades and CA rotations) Heat hands the node.
func agentUnit(tag string) string {
	return `[Unit]
Description=Heat agent applying upgrades and CA rotations
After=network-online.target ` + nodeboot.BootstrapUnit + `
Wants=network-online.target

[Service]
ExecStartPre=-/usr/bin/podman rm -f heat-container-agent
ExecStartPre=/usr/bin/mkdir -p /var/lib/heat-cfntools /var/lib/cloud /var/run/heat-config /var/run/os-collect-config
ExecStart=/usr/bin/podman run --name heat-container-agent --privileged --pid host --net host ` +
		`-v /var/lib/heat-cfntools:/var/lib/heat-cfntools -v /var/lib/cloud:/var/lib/cloud ` +
		`-v /var/run/heat-config:/var/run/heat-config -v /var/run/os-collect-config:/var/run/os-collect-config ` +
		`-v /etc/pki/ca-trust:/etc/pki/ca-trust:ro docker.io/openstackmagnum/heat-container-agent:` + tag + `
ExecStop=/usr/bin/podman stop heat-container-agent
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
`
}

// bootFiles are the boot scripts as nodes install them, read once.
var bootFiles = sync.OnceValues(func() ([]nodeboot.File, error) {
	files := make([]nodeboot.File, 0, len(bootScripts))
	for _, s := range bootScripts {
		b, err := scriptsFS.ReadFile("scripts/" + s.name)
		if err != nil {
			return nil, fmt.Errorf("kubernetes: boot script: %w", err)
		}
		files = append(files, nodeboot.File{Path: s.path, Mode: s.mode, Data: b})
	}
	return files, nil
})

// clusterEnv is what every node of a stack knows of its cluster.
func clusterEnv(c drivers.Cluster, s settings, worker drivers.NodeGroup) (map[string]string, error) {
	nl, err := nodeLabels(worker)
	if err != nil {
		return nil, err
	}
	nt, err := nodeTaints(worker)
	if err != nil {
		return nil, err
	}
	lo, hi := nodeCounts(s.labels, worker)
	l := s.labels
	return map[string]string{
		"CLUSTER_UUID": c.UUID, "CLUSTER_NAME": c.Name, "PROJECT_ID": c.ProjectID,
		"MAGNUM_URL": c.Boot.MagnumURL, "AUTH_URL": c.Boot.AuthURL,
		"TRUSTEE_USER_ID": c.Boot.TrusteeUserID, "TRUSTEE_PASSWORD": c.Boot.TrusteePassword,
		"TRUSTEE_DOMAIN_ID": c.Boot.TrusteeDomainID, "TRUST_ID": c.Boot.TrustID, "VERIFY_CA": "true",
		"EXTERNAL_NETWORK_ID": clusterstack.ExternalNetwork(c),
		"TLS_DISABLED":        strconv.FormatBool(!s.tls), "API_PORT": strconv.Itoa(securePort),
		"NETWORK_DRIVER": s.network, "POD_CIDR": s.podCIDR, "FLANNEL_BACKEND": l.String("flannel_backend"),
		"FLANNEL_TAG": l.String("flannel_tag"), "CALICO_TAG": l.String("calico_tag"),
		"CNI_PLUGINS_TAG": l.String("cni_plugins_tag"), "SERVICE_CIDR": l.String("service_cluster_ip_range"),
		"DNS_SERVICE_IP": s.dnsIP, "DNS_DOMAIN": l.String("dns_cluster_domain"),
		"COREDNS_TAG": l.String("coredns_tag"), "ETCD_TAG": l.String("etcd_tag"),
		"CLOUD_PROVIDER_ENABLED":  strconv.FormatBool(l.Bool("cloud_provider_enabled")),
		"CLOUD_PROVIDER_TAG":      l.String("cloud_provider_tag"),
		"AUTO_HEALING_ENABLED":    strconv.FormatBool(l.Bool("auto_healing_enabled")),
		"AUTO_HEALING_CONTROLLER": l.String("auto_healing_controller"), "DRAINO_TAG": l.String("draino_tag"),
		"AUTO_SCALING_ENABLED": strconv.FormatBool(l.Bool("auto_scaling_enabled")),
		"AUTOSCALER_TAG":       l.String("autoscaler_tag"), "MIN_NODE_COUNT": lo, "MAX_NODE_COUNT": hi,
		"DEFAULT_WORKER_NODEGROUP": worker.Name, "NODEGROUP_ROLE": worker.Role,
		"NODE_LABELS": nl, "NODE_TAINTS": nt,
		"HTTP_PROXY": c.Template.HTTPProxy, "HTTPS_PROXY": c.Template.HTTPSProxy, "NO_PROXY": c.Template.NoProxy,
		"INSECURE_REGISTRY": c.Template.InsecureRegistry,
	}, nil
}

// ignition renders the Ignition config of one role: the scripts, the
// cluster's settings, the boot unit and the agent.
func ignition(role string, env map[string]string, agentTag string) ([]byte, error) {
	files, err := bootFiles()
	if err != nil {
		return nil, err
	}
	roleEnv := make(map[string]string, len(env)+1)
	for k, v := range env {
		roleEnv[k] = v
	}
	roleEnv["ROLE"] = role
	if role == clusterstack.RoleMaster {
		roleEnv["NODEGROUP_ROLE"] = clusterstack.RoleMaster
		roleEnv["NODE_LABELS"], roleEnv["NODE_TAINTS"] = "", ""
	}
	boot := nodeboot.Boot{
		Files:      files,
		ClusterEnv: roleEnv,
		NodeEnv:    nodeEnv,
		Command:    "/usr/local/bin/magnum-bootstrap",
		Units:      map[string]string{"heat-container-agent.service": agentUnit(agentTag)},
	}
	return boot.Ignition()
}

// b64 encodes a PEM for a Heat parameter that ends up in a systemd
// environment: one line of base64.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// serviceAccountKeys returns a new key pair for signing service-account
// tokens, as base64 of PEM public and private keys.
func serviceAccountKeys() (public, private string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("kubernetes: service-account key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("kubernetes: service-account key: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("kubernetes: service-account key: %w", err)
	}
	return b64(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))),
		b64(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}))), nil
}
