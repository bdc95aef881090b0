package remote

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/gomagnum/gomagnum/magnum"
)

// Client is a client of a Magnum v1 REST API. It is safe for concurrent
// use.
type Client struct {
	sc   *gophercloud.ServiceClient
	poll time.Duration
	log  *slog.Logger
}

var _ magnum.API = (*Client)(nil)

// Option configures a Client.
type Option func(*Client)

// WithPollInterval sets how often waits and watches read a cluster
// (default 2 s).
func WithPollInterval(d time.Duration) Option {
	return func(c *Client) {
		if d > 0 {
			c.poll = d
		}
	}
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// Microversion is the API microversion a Client asks for unless its
// service client names one: the newest magnumd serves; a server that
// serves less answers with its own newest.
const Microversion = "latest"

// New returns a client of the Magnum API sc reaches, such as the service
// client openstack.NewContainerInfraV1 returns. The client asks for
// Microversion unless sc names one.
func New(sc *gophercloud.ServiceClient, opts ...Option) *Client {
	if sc.Microversion == "" {
		cp := *sc
		cp.Microversion = Microversion
		sc = &cp
	}
	c := &Client{sc: sc, poll: 2 * time.Second, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// NewNoAuth returns a client of a Magnum API that trusts identity
// headers, such as magnumd with api.NoAuth or the real Magnum behind a
// noauth filter: each request carries the identity of the caller in its
// context (magnum.WithCaller), as X-User-Id, X-Project-Id, X-Roles...
// endpoint is the API's v1 URL ("http://127.0.0.1:9511/v1/"). It is meant
// for development and tests over loopback.
func NewNoAuth(endpoint string, httpClient *http.Client, opts ...Option) *Client {
	hc := http.Client{}
	if httpClient != nil {
		hc = *httpClient
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = callerHeaders{base: base}
	provider := &gophercloud.ProviderClient{HTTPClient: hc}
	if !strings.HasSuffix(endpoint, "/") {
		endpoint += "/"
	}
	return New(&gophercloud.ServiceClient{ProviderClient: provider, Endpoint: endpoint, Type: "container-infra"}, opts...)
}

// callerHeaders sets the identity headers of the caller in a request's
// context.
type callerHeaders struct{ base http.RoundTripper }

func (t callerHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	c, found := magnum.CallerFrom(r.Context())
	if !found {
		return t.base.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	for name, v := range map[string]string{"X-User-Id": c.UserID, "X-User-Name": c.UserName,
		"X-Project-Id": c.ProjectID, "X-Project-Name": c.ProjectName, "X-User-Domain-Id": c.DomainID,
		"X-User-Domain-Name": c.DomainName, "X-Roles": strings.Join(c.Roles, ",")} {
		if v != "" {
			r.Header.Set(name, v)
		}
	}
	return t.base.RoundTrip(r)
}

// url is the URL of an API path below the v1 endpoint.
func (c *Client) url(parts ...string) string { return c.sc.ServiceURL(parts...) }

// ok is the request options of a call answering with one of codes.
func ok(codes ...int) *gophercloud.RequestOpts { return &gophercloud.RequestOpts{OkCodes: codes} }
