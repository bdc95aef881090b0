package mesos

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/coeapi"
)

// state is the part of GET /master/state the health check reads.
type state struct {
	Leader string `json:"leader"`
	Slaves []struct {
		ID       string `json:"id"`
		Hostname string `json:"hostname"`
		Active   bool   `json:"active"`
	} `json:"slaves"`
}

// Health asks the Mesos master (https with the client certificate of creds,
// or http without TLS) for /master/state: HEALTHY when a leader is elected,
// every registered agent is active and as many agents are active as the
// worker groups (the default one and the extra ones) have nodes; UNHEALTHY otherwise or when the API cannot be
// reached or fails TLS; UNKNOWN when the cluster has no public address.
// The reason holds "api", "agents" and "<hostname>.Active".
func (d *Driver) Health(ctx context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.Health, error) {
	labels, err := Labels.Resolve(c.Template.Labels, c.Labels)
	if err != nil {
		return drivers.Health{}, err
	}
	if !clusterstack.Accessible(c, labels) || c.APIAddress == "" {
		return coeapi.NotAccessible(c.Name), nil
	}
	if _, _, err := clusterstack.Defaults(c); err != nil {
		return drivers.Health{}, err
	}
	agents := clusterstack.WorkerCount(c)
	client, err := coeapi.ClusterClient(c.UUID, creds, !c.Template.TLSDisabled)
	if err != nil {
		return drivers.Health{}, err
	}
	client.Timeout = d.timeout
	var st state
	if err := coeapi.GetJSON(ctx, client, masterURL(c)+"/master/state", &st); err != nil {
		return coeapi.Failed(ctx, err)
	}
	reason := map[string]string{"api": "ok"}
	if st.Leader == "" {
		reason["api"] = "no leading master"
	}
	active := 0
	for _, a := range st.Slaves {
		name := a.Hostname
		if name == "" {
			name = a.ID
		}
		reason[name+".Active"] = strconv.FormatBool(a.Active)
		if a.Active {
			active++
		}
	}
	reason["agents"] = fmt.Sprintf("%d/%d active", active, agents)
	return coeapi.Verdict(reason, func(k, v string) bool {
		switch k {
		case "api":
			return v == "ok"
		case "agents":
			return active == agents
		}
		return v == "true"
	}), nil
}

// masterURL is the URL of the Mesos master API: api_address is a bare IP
// (Magnum's format) to which the master port is added; an address that
// already names a port is used as it is.
func masterURL(c drivers.Cluster) string {
	scheme := "https://"
	if c.Template.TLSDisabled {
		scheme = "http://"
	}
	if _, _, err := net.SplitHostPort(c.APIAddress); err == nil {
		return scheme + c.APIAddress
	}
	return scheme + net.JoinHostPort(c.APIAddress, strconv.Itoa(masterPort))
}

// ClientConfig renders the URLs of the Mesos master and Marathon
// (MESOS_MASTER_URL, MARATHON_URL) and, with TLS, the CA and the client
// certificate and key of creds as ca.pem, cert.pem and key.pem.
func (d *Driver) ClientConfig(_ context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.ClientConfig, error) {
	if c.APIAddress == "" {
		return drivers.ClientConfig{}, fmt.Errorf("%w: cluster %s has no API address yet", drivers.ErrInvalid, c.UUID)
	}
	cfg := drivers.ClientConfig{Env: map[string]string{
		"MESOS_MASTER_URL": masterURL(c),
		"MARATHON_URL":     "http://" + net.JoinHostPort(clusterstack.APIHost(c.APIAddress), strconv.Itoa(marathonPort)),
	}}
	if c.Template.TLSDisabled {
		return cfg, nil
	}
	if len(creds.CACert) == 0 || len(creds.ClientCert) == 0 || len(creds.ClientKey) == 0 {
		return drivers.ClientConfig{}, fmt.Errorf("%w: the Mesos client needs the CA certificate and a client certificate and key", drivers.ErrInvalid)
	}
	cfg.Files = map[string][]byte{"ca.pem": creds.CACert, "cert.pem": creds.ClientCert, "key.pem": creds.ClientKey}
	return cfg, nil
}
