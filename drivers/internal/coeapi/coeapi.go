// Package coeapi is the HTTP client the built-in drivers use to ask a
// running COE about its health: TLS with the cluster's CA and client
// certificate, JSON decoding, and the mapping of failures to a health
// status with a reason per component.
package coeapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
)

// DefaultTimeout bounds one health request when the context has no
// earlier deadline.
const DefaultTimeout = 10 * time.Second

// maxBody bounds how much of an answer is read.
const maxBody = 8 << 20

// Client returns an HTTP client for a cluster's COE API. With TLS it
// trusts only the cluster's CA and presents the client certificate. It
// goes through the proxy the credentials name, if any, and never through
// the environment's. Credentials that do not parse give an error wrapping
// drivers.ErrInvalid.
func Client(creds drivers.Credentials, useTLS bool) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	if creds.Proxy != "" {
		u, err := url.Parse(creds.Proxy)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("%w: proxy %q is not a URL", drivers.ErrInvalid, creds.Proxy)
		}
		tr.Proxy = http.ProxyURL(u)
	}
	if useTLS {
		cfg, err := TLSConfig(creds)
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = cfg
	}
	return &http.Client{Transport: tr, Timeout: DefaultTimeout}, nil
}

// TLSConfig builds the TLS configuration of Client.
func TLSConfig(creds drivers.Credentials) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(creds.CACert) {
		return nil, fmt.Errorf("%w: the cluster CA certificate is not PEM", drivers.ErrInvalid)
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if len(creds.ClientCert) > 0 || len(creds.ClientKey) > 0 {
		pair, err := tls.X509KeyPair(creds.ClientCert, creds.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("%w: client certificate: %v", drivers.ErrInvalid, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// StatusError is a COE answer outside 2xx.
type StatusError struct {
	Code int
	Body string
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.Code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Code, e.Body)
}

// Get fetches url and returns the body of a 2xx answer.
func Get(ctx context.Context, c *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", drivers.ErrInvalid, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	}
	return body, nil
}

// GetJSON fetches url and decodes its JSON answer into v.
func GetJSON(ctx context.Context, c *http.Client, url string, v any) error {
	body, err := Get(ctx, c, url)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode %s: %w", url, err)
	}
	return nil
}

// NotAccessible is the health of a cluster the service cannot reach from
// outside: UNKNOWN, with Magnum's reason.
func NotAccessible(clusterName string) drivers.Health {
	return drivers.Health{
		Status: drivers.Unknown,
		Reason: map[string]string{"api": fmt.Sprintf("The cluster %s is not accessible.", clusterName)},
	}
}

// Failed is the health of a cluster whose API could not be asked or
// answered with an error: UNHEALTHY, with the error as the api reason.
// A cancelled context is returned as an error instead, since it says
// nothing about the cluster.
func Failed(ctx context.Context, err error) (drivers.Health, error) {
	if ctx.Err() != nil {
		return drivers.Health{}, ctx.Err()
	}
	if errors.Is(err, drivers.ErrInvalid) {
		return drivers.Health{}, err
	}
	return drivers.Health{
		Status: drivers.Unhealthy,
		Reason: map[string]string{"api": err.Error()},
	}, nil
}

// Verdict returns HEALTHY when every component of reason is healthy as
// judged by ok, else UNHEALTHY.
func Verdict(reason map[string]string, ok func(component, value string) bool) drivers.Health {
	status := drivers.Healthy
	for k, v := range reason {
		if !ok(k, v) {
			status = drivers.Unhealthy
			break
		}
	}
	return drivers.Health{Status: status, Reason: reason}
}
