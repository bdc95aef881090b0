package kubernetes

import (
	"context"
	"encoding/base64"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/drivers"
)

type kubeconfig struct {
	APIVersion     string         `yaml:"apiVersion"`
	Kind           string         `yaml:"kind"`
	Clusters       []namedCluster `yaml:"clusters"`
	Users          []namedUser    `yaml:"users"`
	Contexts       []namedContext `yaml:"contexts"`
	CurrentContext string         `yaml:"current-context"`
}

type namedCluster struct {
	Name    string `yaml:"name"`
	Cluster struct {
		Server                   string `yaml:"server"`
		CertificateAuthorityData string `yaml:"certificate-authority-data,omitempty"`
		ProxyURL                 string `yaml:"proxy-url,omitempty"`
	} `yaml:"cluster"`
}

type namedUser struct {
	Name string `yaml:"name"`
	User struct {
		ClientCertificateData string `yaml:"client-certificate-data,omitempty"`
		ClientKeyData         string `yaml:"client-key-data,omitempty"`
	} `yaml:"user"`
}

type namedContext struct {
	Name    string `yaml:"name"`
	Context struct {
		Cluster string `yaml:"cluster"`
		User    string `yaml:"user"`
	} `yaml:"context"`
}

// ClientConfig renders a kubeconfig ("config") for the cluster: its CA,
// its API address and a user authenticating with the client certificate
// and key of creds, through the proxy of creds if any. Without TLS the
// kubeconfig holds the server only.
func (d *Driver) ClientConfig(_ context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.ClientConfig, error) {
	if c.APIAddress == "" {
		return drivers.ClientConfig{}, fmt.Errorf("%w: cluster %s has no API address yet", drivers.ErrInvalid, c.UUID)
	}
	name := c.Name
	if name == "" {
		name = c.UUID
	}
	user := "admin"
	kc := kubeconfig{APIVersion: "v1", Kind: "Config", CurrentContext: "default"}
	cl := namedCluster{Name: name}
	cl.Cluster.Server, cl.Cluster.ProxyURL = c.APIAddress, creds.Proxy
	u := namedUser{Name: user}
	if !c.Template.TLSDisabled {
		if len(creds.CACert) == 0 || len(creds.ClientCert) == 0 || len(creds.ClientKey) == 0 {
			return drivers.ClientConfig{}, fmt.Errorf("%w: a kubeconfig needs the CA certificate and a client certificate and key", drivers.ErrInvalid)
		}
		cl.Cluster.CertificateAuthorityData = base64.StdEncoding.EncodeToString(creds.CACert)
		u.User.ClientCertificateData = base64.StdEncoding.EncodeToString(creds.ClientCert)
		u.User.ClientKeyData = base64.StdEncoding.EncodeToString(creds.ClientKey)
	}
	ctx := namedContext{Name: "default"}
	ctx.Context.Cluster, ctx.Context.User = name, user
	kc.Clusters, kc.Users, kc.Contexts = []namedCluster{cl}, []namedUser{u}, []namedContext{ctx}
	b, err := yaml.Marshal(kc)
	if err != nil {
		return drivers.ClientConfig{}, fmt.Errorf("kubernetes: kubeconfig: %w", err)
	}
	return drivers.ClientConfig{
		Files: map[string][]byte{"config": b},
		Env:   map[string]string{"KUBECONFIG": "config"},
	}, nil
}
