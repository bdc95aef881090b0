package certs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// CACert returns the PEM of the cluster's current CA of the given kind.
// The kind is read as ParseCAKind reads Magnum's ca_cert_type, so
// CAKind("front_proxy") and the zero value work too.
func (m *Manager) CACert(ctx context.Context, cluster string, kind CAKind) ([]byte, error) {
	g, err := m.state(ctx, cluster)
	if err != nil {
		return nil, err
	}
	pems, err := m.caPEMs(ctx, cluster, g, kind, false)
	if err != nil {
		return nil, err
	}
	return pems[0], nil
}

// CABundle returns the PEM of the cluster's current CA of the given kind
// followed by the superseded ones while a rotation is in progress. Clients
// and servers that trust the bundle accept both sides of the transition.
func (m *Manager) CABundle(ctx context.Context, cluster string, kind CAKind) ([]byte, error) {
	g, err := m.state(ctx, cluster)
	if err != nil {
		return nil, err
	}
	return m.caBundle(ctx, cluster, g, kind)
}

// CABundles returns the bundle of every CA kind (Kinds), as CABundle
// returns each, from one read of the cluster's certificate state.
func (m *Manager) CABundles(ctx context.Context, cluster string) (map[CAKind][]byte, error) {
	g, err := m.state(ctx, cluster)
	if err != nil {
		return nil, err
	}
	out := make(map[CAKind][]byte, len(Kinds))
	for _, kind := range Kinds {
		if out[kind], err = m.caBundle(ctx, cluster, g, kind); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// caBundle concatenates the current and superseded CAs of a kind.
func (m *Manager) caBundle(ctx context.Context, cluster string, g generations, kind CAKind) ([]byte, error) {
	pems, err := m.caPEMs(ctx, cluster, g, kind, true)
	if err != nil {
		return nil, err
	}
	return bytes.Join(pems, nil), nil
}

// caPEMs reads the current CA, and the superseded ones when all is true.
func (m *Manager) caPEMs(ctx context.Context, cluster string, g generations, kind CAKind, all bool) ([][]byte, error) {
	gens := []int{g.current}
	if all {
		gens = append(gens, g.superseded...)
	}
	slot := caSlot(ParseCAKind(string(kind)))
	pems := make([][]byte, 0, len(gens))
	for _, gen := range gens {
		c, err := m.loadCert(ctx, cluster, entryName(gen, slot))
		if err != nil {
			return nil, err
		}
		pems = append(pems, c.PEM)
	}
	return pems, nil
}

// Rotate issues new CAs and a new admin certificate for the cluster. The
// old generation stays, superseded, so that CABundle holds old and new and
// the old CAs keep verifying until the cluster has moved; then call
// FinishRotation. A second Rotate before FinishRotation fails with
// ErrRotationInProgress. The new CAs keep the old common name.
func (m *Manager) Rotate(ctx context.Context, cluster string) (Bundle, error) {
	if err := checkID("cluster UUID", cluster); err != nil {
		return Bundle{}, err
	}
	defer m.clusterLocks.lock(cluster)()
	g, err := m.loadGenerations(ctx, cluster)
	if err != nil {
		return Bundle{}, err
	}
	current, err := g.requireCurrent(cluster)
	if err != nil {
		return Bundle{}, err
	}
	if len(g.superseded) > 0 {
		return Bundle{}, fmt.Errorf("cluster %s: generation %d still supersedes %v: %w",
			cluster, current, g.superseded, ErrRotationInProgress)
	}
	if err := m.dropGenerations(ctx, cluster, g.partial...); err != nil {
		return Bundle{}, err
	}
	old, err := m.loadCert(ctx, cluster, entryName(current, caSlot(Kubernetes)))
	if err != nil {
		return Bundle{}, err
	}
	oldCA, err := loadAuthority(Entry{Cert: old.PEM})
	if err != nil {
		return Bundle{}, err
	}
	b, err := m.issueGeneration(ctx, cluster, oldCA.cert.Subject.CommonName, g.newest()+1)
	if err != nil {
		return Bundle{}, err
	}
	m.log.InfoContext(ctx, "rotated cluster CAs", "cluster", cluster, "generation", b.Generation)
	return b, nil
}

// FinishRotation deletes the superseded CAs and admin certificate once the
// cluster trusts only the new ones. Without a rotation in progress it does
// nothing.
func (m *Manager) FinishRotation(ctx context.Context, cluster string) error {
	if err := checkID("cluster UUID", cluster); err != nil {
		return err
	}
	defer m.clusterLocks.lock(cluster)()
	g, err := m.loadGenerations(ctx, cluster)
	if err != nil {
		return err
	}
	if _, err := g.requireCurrent(cluster); err != nil {
		return err
	}
	if err := m.dropGenerations(ctx, cluster, append(g.superseded, g.partial...)...); err != nil {
		return err
	}
	if len(g.superseded) > 0 {
		m.log.InfoContext(ctx, "finished CA rotation", "cluster", cluster, "generation", g.current)
	}
	return nil
}

// Delete frees all of the cluster's material: every CA, admin certificate
// and key of every generation, superseded and debris included, and any
// entry a store holds for the cluster under a name this package does not
// know. Deleting a cluster without certificates is not an error.
func (m *Manager) Delete(ctx context.Context, cluster string) error {
	if err := checkID("cluster UUID", cluster); err != nil {
		return err
	}
	defer m.clusterLocks.lock(cluster)()
	names, err := m.store.List(ctx, cluster)
	if err != nil {
		return fmt.Errorf("list certificates of cluster %s: %w", cluster, err)
	}
	var errs []error
	for _, n := range names {
		if err := m.store.Delete(ctx, cluster, n); err != nil {
			errs = append(errs, fmt.Errorf("delete %s of cluster %s: %w", n, cluster, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m.log.InfoContext(ctx, "deleted cluster certificates", "cluster", cluster, "entries", len(names))
	return nil
}
