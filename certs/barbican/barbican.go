// Package barbican is a certs.Store in OpenStack Barbican, the key
// manager, through gophercloud's keymanager/v1.
//
// Each entry is a Barbican "certificate" container named
// "<prefix>/<cluster>/<name>" (prefix "gomagnum" by default) holding two
// secrets: "certificate" (secret type certificate) and "private_key"
// (secret type private), both PEM stored as application/octet-stream. The
// entry's ref is the container's URL. Listing a cluster's entries uses
// Barbican's name filter with a trailing "%", which Barbican evaluates as a
// SQL LIKE pattern (so the names avoid "_" and "%"); results are filtered
// again on this side.
//
// Deleting an entry deletes its secrets first and its container last, so a
// failure half-way is retried by the next Delete and never leaves secrets
// nobody can find. A failed Put deletes the secrets it created.
package barbican

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/keymanager/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/keymanager/v1/secrets"

	"github.com/gomagnum/gomagnum/certs"
)

// Names of the two secrets in a container (Barbican's certificate
// container type requires these).
const (
	certSecret = "certificate"
	keySecret  = "private_key"
)

// Store keeps certs entries in Barbican. It is safe for concurrent use.
type Store struct {
	client *gophercloud.ServiceClient
	prefix string
}

var _ certs.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store) error

// WithNamePrefix sets the first component of container names (default
// "gomagnum"), e.g. to keep two deployments apart in one project. It may
// hold letters, digits, '-' and '.'.
func WithNamePrefix(p string) Option {
	return func(s *Store) error {
		if p == "" || strings.ContainsAny(p, "/_%") {
			return fmt.Errorf("%w: Barbican name prefix %q", certs.ErrInvalid, p)
		}
		s.prefix = p
		return nil
	}
}

// New returns a Store using client, a key-manager v1 service client: from
// openstack.NewKeyManagerV1 with Keystone, or NoAuthClient.
func New(client *gophercloud.ServiceClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil Barbican client", certs.ErrInvalid)
	}
	s := &Store{client: client, prefix: "gomagnum"}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// NoAuthClient returns a key-manager client for a Barbican serving its
// unauthenticated pipeline (no Keystone) at endpoint, e.g.
// http://127.0.0.1:9311: every request carries X-Project-Id: project.
func NoAuthClient(endpoint, project string) *gophercloud.ServiceClient {
	base := strings.TrimSuffix(endpoint, "/") + "/"
	return &gophercloud.ServiceClient{
		ProviderClient: &gophercloud.ProviderClient{HTTPClient: http.Client{}},
		Endpoint:       base,
		ResourceBase:   base + "v1/",
		Type:           "key-manager",
		MoreHeaders:    map[string]string{"X-Project-Id": project},
	}
}

// containerName is the Barbican name of an entry.
func (s *Store) containerName(cluster, name string) string {
	return s.prefix + "/" + cluster + "/" + name
}

// checkNames refuses the characters that would break container names or
// Barbican's LIKE filter.
func checkNames(cluster, name string) error {
	if cluster == "" || strings.ContainsAny(cluster, "/_%") || strings.ContainsAny(name, "/_%") {
		return fmt.Errorf("%w: Barbican entry %q/%q", certs.ErrInvalid, cluster, name)
	}
	return nil
}

// Put stores the two secrets and their container, then removes any older
// container of the same name.
func (s *Store) Put(ctx context.Context, cluster, name string, e certs.Entry) (string, error) {
	if err := checkNames(cluster, name); err != nil {
		return "", err
	}
	cname := s.containerName(cluster, name)
	var created []string
	cleanup := func(err error) (string, error) {
		for _, ref := range created {
			_ = s.deleteSecret(ctx, ref)
		}
		return "", fmt.Errorf("barbican: store %s: %w", cname, err)
	}
	for _, sec := range []struct {
		suffix string
		typ    secrets.SecretType
		data   []byte
	}{{".crt", secrets.CertificateSecret, e.Cert}, {".key", secrets.PrivateSecret, e.Key}} {
		ref, err := s.createSecret(ctx, cname+sec.suffix, sec.typ, sec.data)
		if err != nil {
			return cleanup(err)
		}
		created = append(created, ref)
	}
	c, err := containers.Create(ctx, s.client, containers.CreateOpts{
		Type: containers.CertificateContainer,
		Name: cname,
		SecretRefs: []containers.SecretRef{
			{Name: certSecret, SecretRef: created[0]},
			{Name: keySecret, SecretRef: created[1]},
		},
	}).Extract()
	if err != nil {
		return cleanup(err)
	}
	old, err := s.find(ctx, cname, false)
	if err != nil {
		return "", fmt.Errorf("barbican: replace %s: %w", cname, err)
	}
	for _, o := range old {
		if o.ContainerRef != c.ContainerRef {
			if err := s.deleteContainer(ctx, o); err != nil {
				return "", fmt.Errorf("barbican: replace %s: %w", cname, err)
			}
		}
	}
	return c.ContainerRef, nil
}

// createSecret stores data as a secret and returns its ref.
func (s *Store) createSecret(ctx context.Context, name string, typ secrets.SecretType, data []byte) (string, error) {
	sec, err := secrets.Create(ctx, s.client, secrets.CreateOpts{
		Name:                   name,
		SecretType:             typ,
		Payload:                base64.StdEncoding.EncodeToString(data),
		PayloadContentType:     "application/octet-stream",
		PayloadContentEncoding: "base64",
	}).Extract()
	if err != nil {
		return "", err
	}
	return sec.SecretRef, nil
}

// Get reads the newest container of the entry and both payloads.
func (s *Store) Get(ctx context.Context, cluster, name string) (certs.Entry, error) {
	if err := checkNames(cluster, name); err != nil {
		return certs.Entry{}, err
	}
	cname := s.containerName(cluster, name)
	found, err := s.find(ctx, cname, false)
	if err != nil {
		return certs.Entry{}, fmt.Errorf("barbican: read %s: %w", cname, err)
	}
	if len(found) == 0 {
		return certs.Entry{}, fmt.Errorf("barbican: %s: %w", cname, certs.ErrNotFound)
	}
	newest := found[0]
	for _, c := range found[1:] {
		if c.Created.After(newest.Created) {
			newest = c
		}
	}
	e := certs.Entry{Ref: newest.ContainerRef}
	for _, ref := range newest.SecretRefs {
		var dst *[]byte
		switch ref.Name {
		case certSecret:
			dst = &e.Cert
		case keySecret:
			dst = &e.Key
		default:
			continue
		}
		if *dst, err = secrets.GetPayload(ctx, s.client, lastSegment(ref.SecretRef),
			secrets.GetPayloadOpts{PayloadContentType: "application/octet-stream"}).Extract(); err != nil {
			return certs.Entry{}, fmt.Errorf("barbican: read %s: %w", cname, notFound(err))
		}
	}
	if e.Cert == nil || e.Key == nil {
		return certs.Entry{}, fmt.Errorf("barbican: container %s lacks a secret: %w", newest.ContainerRef, certs.ErrNotFound)
	}
	return e, nil
}

// List returns the names of the cluster's entries.
func (s *Store) List(ctx context.Context, cluster string) ([]string, error) {
	if err := checkNames(cluster, ""); err != nil {
		return nil, err
	}
	prefix := s.containerName(cluster, "")
	found, err := s.find(ctx, prefix, true)
	if err != nil {
		return nil, fmt.Errorf("barbican: list %s: %w", prefix, err)
	}
	seen := map[string]bool{}
	var names []string
	for _, c := range found {
		n := strings.TrimPrefix(c.Name, prefix)
		if !seen[n] && !strings.Contains(n, "/") {
			seen[n] = true
			names = append(names, n)
		}
	}
	return names, nil
}

// Delete removes every container of the entry with its secrets.
func (s *Store) Delete(ctx context.Context, cluster, name string) error {
	if err := checkNames(cluster, name); err != nil {
		return err
	}
	cname := s.containerName(cluster, name)
	found, err := s.find(ctx, cname, false)
	if err != nil {
		return fmt.Errorf("barbican: delete %s: %w", cname, err)
	}
	for _, c := range found {
		if err := s.deleteContainer(ctx, c); err != nil {
			return fmt.Errorf("barbican: delete %s: %w", cname, err)
		}
	}
	return nil
}

// find lists the containers named name, or whose name starts with name
// when prefix is true.
func (s *Store) find(ctx context.Context, name string, prefix bool) ([]containers.Container, error) {
	filter := name
	if prefix {
		filter += "%"
	}
	pages, err := containers.List(s.client, containers.ListOpts{Name: filter, Limit: 100}).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	all, err := containers.ExtractContainers(pages)
	if err != nil {
		return nil, err
	}
	var out []containers.Container
	for _, c := range all {
		if c.Name == name || (prefix && strings.HasPrefix(c.Name, name)) {
			out = append(out, c)
		}
	}
	return out, nil
}

// deleteContainer deletes a container's secrets, then the container.
func (s *Store) deleteContainer(ctx context.Context, c containers.Container) error {
	for _, ref := range c.SecretRefs {
		if err := s.deleteSecret(ctx, ref.SecretRef); err != nil {
			return err
		}
	}
	err := containers.Delete(ctx, s.client, lastSegment(c.ContainerRef)).ExtractErr()
	if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return err
	}
	return nil
}

// deleteSecret deletes a secret by ref; a missing one is not an error.
func (s *Store) deleteSecret(ctx context.Context, ref string) error {
	err := secrets.Delete(ctx, s.client, lastSegment(ref)).ExtractErr()
	if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return err
	}
	return nil
}

// lastSegment returns the ID at the end of a Barbican ref URL.
func lastSegment(ref string) string { return path.Base(strings.TrimSuffix(ref, "/")) }

// notFound maps Barbican's 404 to certs.ErrNotFound.
func notFound(err error) error {
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return errors.Join(err, certs.ErrNotFound)
	}
	return err
}
