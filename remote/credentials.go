package remote

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/builtin"
	"github.com/gomagnum/gomagnum/magnum"
)

// ClusterCredentials makes a key, has the cluster's CA sign a client
// certificate for it through the API, and renders the client
// configuration with the built-in driver of the cluster's COE, in
// process, as the openstack coe cluster config command does. The
// certificate's common name is opts.CommonName, else the user name of the
// caller in ctx (NewNoAuth), else that of the user the client's Keystone
// token is for, else "admin" as python-magnumclient asks for. The private key never leaves the process.
func (c *Client) ClusterCredentials(ctx context.Context, clusterIdent string, opts magnum.CredentialsOptions) (*magnum.Credentials, error) {
	cl, err := c.GetCluster(ctx, clusterIdent)
	if err != nil {
		return nil, err
	}
	if cl.APIAddress == "" {
		return nil, &magnum.Error{Kind: magnum.ErrConflict, Message: "Cluster API address is not available yet"}
	}
	t, err := c.GetClusterTemplate(ctx, cl.ClusterTemplateID)
	if err != nil {
		return nil, err
	}
	drv, err := builtinDriver(ctx, drivers.Tuple{ServerType: t.ServerType, OSDistro: t.ClusterDistro, COE: t.COE})
	if err != nil {
		return nil, err
	}
	key, err := magnum.NewClientKey(opts.KeyType, c.commonName(ctx, opts), opts.Organizations...)
	if err != nil {
		return nil, err
	}
	cert, err := c.SignCertificate(ctx, cl.UUID, string(key.CSRPEM), "")
	if err != nil {
		return nil, err
	}
	ca, err := c.GetCACertificate(ctx, cl.UUID, "")
	if err != nil {
		return nil, err
	}
	spec := drivers.Cluster{UUID: cl.UUID, Name: cl.Name, ProjectID: cl.ProjectID, UserID: cl.UserID,
		APIAddress: cl.APIAddress, COEVersion: cl.COEVersion, Labels: cl.Labels,
		Template: drivers.Template{UUID: t.UUID, Name: t.Name, COE: t.COE, ServerType: t.ServerType,
			ClusterDistro: t.ClusterDistro, TLSDisabled: t.TLSDisabled}}
	cfg, err := drv.ClientConfig(ctx, spec, drivers.Credentials{CACert: []byte(ca.PEM), ClientCert: []byte(cert.PEM), ClientKey: key.KeyPEM})
	if err != nil {
		return nil, fmt.Errorf("render the client configuration of cluster %s: %w", cl.UUID, err)
	}
	return magnum.NewCredentials(cl.UUID, []byte(cert.PEM), key.KeyPEM, cfg.Files, cfg.Env)
}

// commonName is the name a client certificate is asked for.
func (c *Client) commonName(ctx context.Context, opts magnum.CredentialsOptions) string {
	if opts.CommonName != "" {
		return opts.CommonName
	}
	if caller, ok := magnum.CallerFrom(ctx); ok {
		return magnum.CallerName(caller)
	}
	if u, err := tokenUser(c.sc.ProviderClient); err == nil && u != "" {
		return u
	}
	return "admin"
}

// tokenUser is the name of the user the provider's Keystone token is
// for, if it authenticated with one.
func tokenUser(p *gophercloud.ProviderClient) (string, error) {
	res, ok := p.GetAuthResult().(tokens.CreateResult)
	if !ok {
		return "", nil
	}
	u, err := res.ExtractUser()
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// builtinDriver returns the built-in driver serving t, in process.
func builtinDriver(ctx context.Context, t drivers.Tuple) (drivers.Driver, error) {
	r := drivers.NewRegistry()
	for _, d := range builtin.Drivers() {
		if err := r.Register(ctx, d); err != nil {
			return nil, err
		}
	}
	d, err := r.Select(t)
	if err != nil {
		return nil, &magnum.Error{Kind: magnum.ErrInvalid, Err: err,
			Message: fmt.Sprintf("No built-in driver renders the client configuration of %s clusters on %s.", t.COE, t.OSDistro)}
	}
	return d, nil
}
