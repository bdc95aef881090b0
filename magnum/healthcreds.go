package magnum

import (
	"context"

	"github.com/gomagnum/gomagnum/drivers"
)

// maxHealthCreds bounds the clusters whose admin credentials the health
// monitor keeps between passes (about 2 KB each with ECDSA keys, 4 KB
// with RSA).
const maxHealthCreds = 20000

// healthCreds keeps the admin credentials of running clusters between
// health passes, so that a pass does not read and unseal every cluster's
// certificates again. An entry holds for the version of the cluster's
// record it was read at: any change of the cluster (an operation such as
// a CA rotation starts and ends with one) reads them again. The monitor
// confirms with fresh credentials any verdict but HEALTHY that kept ones
// gave (see conductor.probe).
type healthCreds struct {
	kept twoGen[keptCreds]
}

type keptCreds struct {
	version int64
	creds   drivers.Credentials
}

func (keptCreds) bound() int { return maxHealthCreds }

// get returns the credentials of a cluster and whether they were kept
// from an earlier read; fresh reads them anew.
func (h *healthCreds) get(ctx context.Context, s *Service, d *clusterDoc, fresh bool) (drivers.Credentials, bool, error) {
	if !fresh {
		if c, ok := h.lookup(d.UUID, d.rev); ok {
			c.Proxy = s.coeProxy(d.UUID)
			return c, true, nil
		}
	}
	creds, err := s.certs.AdminCredentials(ctx, d.UUID)
	if err != nil {
		h.forget(d.UUID)
		return drivers.Credentials{}, false, err
	}
	c := drivers.Credentials{CACert: creds.CA, ClientCert: creds.Cert, ClientKey: []byte(creds.Key)}
	h.keep(d.UUID, keptCreds{version: d.rev, creds: c})
	c.Proxy = s.coeProxy(d.UUID)
	return c, false, nil
}

func (h *healthCreds) lookup(cluster string, version int64) (drivers.Credentials, bool) {
	k, ok := h.kept.get(cluster)
	return k.creds, ok && k.version == version
}

func (h *healthCreds) keep(cluster string, k keptCreds) { h.kept.put(cluster, k) }

func (h *healthCreds) forget(cluster string) { h.kept.forget(cluster) }
