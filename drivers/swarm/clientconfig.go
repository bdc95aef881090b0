package swarm

import (
	"context"
	"fmt"

	"github.com/gomagnum/gomagnum/drivers"
)

// ClientConfig renders the Docker client's environment: DOCKER_HOST, and
// with TLS DOCKER_TLS_VERIFY and DOCKER_CERT_PATH pointing at the files
// ca.pem, cert.pem and key.pem (the CA and the client certificate and key
// of creds).
func (d *Driver) ClientConfig(_ context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.ClientConfig, error) {
	if c.APIAddress == "" {
		return drivers.ClientConfig{}, fmt.Errorf("%w: cluster %s has no API address yet", drivers.ErrInvalid, c.UUID)
	}
	cfg := drivers.ClientConfig{Env: map[string]string{"DOCKER_HOST": c.APIAddress}}
	if c.Template.TLSDisabled {
		return cfg, nil
	}
	if len(creds.CACert) == 0 || len(creds.ClientCert) == 0 || len(creds.ClientKey) == 0 {
		return drivers.ClientConfig{}, fmt.Errorf("%w: the Docker client needs the CA certificate and a client certificate and key", drivers.ErrInvalid)
	}
	cfg.Env["DOCKER_TLS_VERIFY"] = "1"
	cfg.Env["DOCKER_CERT_PATH"] = "."
	cfg.Files = map[string][]byte{"ca.pem": creds.CACert, "cert.pem": creds.ClientCert, "key.pem": creds.ClientKey}
	return cfg, nil
}
