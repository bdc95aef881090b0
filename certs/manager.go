package certs

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Defaults of a Manager.
const (
	// DefaultCAValidity is Magnum's term_of_validity: 1825 days.
	DefaultCAValidity = 1825 * 24 * time.Hour
	// DefaultMaxCertValidity caps certificates signed from CSRs: one year,
	// the default of Kubernetes' own cluster signer.
	DefaultMaxCertValidity = 365 * 24 * time.Hour
)

// Manager issues and keeps the certificates of clusters: three CAs per
// cluster, the admin client certificate, API server certificates, and
// client certificates signed from users' and nodes' CSRs. It is safe for
// concurrent use; operations on one cluster are serialised in-process.
type Manager struct {
	store        Store
	keyType      KeyType
	caValidity   time.Duration
	maxValidity  time.Duration
	now          func() time.Time
	log          *slog.Logger
	userGroups   map[string]bool
	clusterLocks keyedMutex
}

// Option configures a Manager.
type Option func(*Manager) error

// WithKeyType selects the key algorithm of generated keys (default RSA2048).
func WithKeyType(kt KeyType) Option {
	return func(m *Manager) error {
		if kt != RSA2048 && kt != ECDSAP256 {
			return fmt.Errorf("%w: key type %v", ErrInvalid, kt)
		}
		m.keyType = kt
		return nil
	}
}

// WithCAValidity sets how long new CAs are valid (default 1825 days). The
// admin and server certificates live as long as their CA.
func WithCAValidity(d time.Duration) Option {
	return func(m *Manager) error {
		if d < time.Hour {
			return fmt.Errorf("%w: CA validity %v is under an hour", ErrInvalid, d)
		}
		m.caValidity = d
		return nil
	}
}

// WithMaxCertValidity caps the validity of certificates signed from CSRs
// (default one year). A certificate never outlives the CA that signs it.
func WithMaxCertValidity(d time.Duration) Option {
	return func(m *Manager) error {
		if d < time.Minute {
			return fmt.Errorf("%w: certificate validity %v is under a minute", ErrInvalid, d)
		}
		m.maxValidity = d
		return nil
	}
}

// WithClock sets the clock used for validity periods (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(m *Manager) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", ErrInvalid)
		}
		m.now = now
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(m *Manager) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalid)
		}
		m.log = l
		return nil
	}
}

// WithUserGroups lists the organisations (Kubernetes groups) a non-admin
// user may put in a CSR, for instance a group the cluster binds to a role.
// Groups in the reserved "system:" namespace are refused here, so this list
// can never grant system:masters. Default: none.
func WithUserGroups(groups ...string) Option {
	return func(m *Manager) error {
		for _, g := range groups {
			if g == "" || strings.HasPrefix(g, reservedPrefix) {
				return fmt.Errorf("%w: group %q cannot be granted to users", ErrInvalid, g)
			}
			m.userGroups[g] = true
		}
		return nil
	}
}

// New returns a Manager keeping its material in store.
func New(store Store, opts ...Option) (*Manager, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: nil store", ErrInvalid)
	}
	m := &Manager{
		store:       store,
		keyType:     RSA2048,
		caValidity:  DefaultCAValidity,
		maxValidity: DefaultMaxCertValidity,
		now:         time.Now,
		log:         slog.Default(),
		userGroups:  map[string]bool{},
	}
	var errs []error
	for _, o := range opts {
		errs = append(errs, o(m))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// clock returns the current time in UTC.
func (m *Manager) clock() time.Time { return m.now().UTC() }

// keyedMutex serialises work per key and forgets keys nobody holds.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*refMutex
}

type refMutex struct {
	sync.Mutex
	refs int
}

// lock locks key and returns its unlock function.
func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*refMutex{}
	}
	l := k.locks[key]
	if l == nil {
		l = &refMutex{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
