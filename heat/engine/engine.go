package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
	"github.com/gomagnum/gomagnum/internal/atrest"
)

// DefaultConcurrency bounds the resource operations running at once.
const DefaultConcurrency = 64

// DefaultMaxResourcesPerStack is Heat's default max_resources_per_stack:
// how many resources one stack (top-level or nested) may hold.
const DefaultMaxResourcesPerStack = 1000

// DefaultProject is the project stacks belong to unless WithProject says
// otherwise; it is what a noauth Heat uses.
const DefaultProject = "admin"

// Engine is the embedded orchestrator. It is safe for concurrent use.
type Engine struct {
	log   *slog.Logger
	cloud *sim.Cloud
	// blobs are where stacks persist, sealed by sealer; nil keeps them in
	// memory only.
	blobs  *atrest.Store
	sealer Sealer
	// queued is blobs when they can queue writes (QueuedBlobs), else nil.
	queued QueuedBlobs
	// stored are the Blobs WithBlobs gave, which New seals into blobs.
	stored  Blobs
	project string
	// cloudProject is the project cloud objects are made in; empty lets
	// the simulated cloud use its default project.
	cloudProject string
	// validateOnly marks the engine Validate uses: cloud types are
	// accepted without a cloud.
	validateOnly bool
	// templateOnly marks the engine Validate uses: resources are checked
	// as Heat's template validation does, without their property values
	// or nested stacks.
	templateOnly bool
	delays       map[string]time.Duration
	slots        chan struct{}
	// maxResources bounds the resources of one stack (WithMaxResourcesPerStack).
	maxResources int
	zones        []string

	// mu guards stacks, names and closed. It is never held while a
	// stack lock is taken.
	mu     sync.RWMutex
	stacks map[string]*stack
	names  map[string]string
	closed bool

	// resealed reports that the start found records in clear or under a
	// retired key, and sealed them again (load.go).
	resealed bool

	// texts are the stored template and file texts (texts.go).
	texts *textStore

	// tmpls caches parsed templates by text: every cluster of a driver
	// uses the same templates (templateCache).
	tmplMu sync.Mutex
	tmpls  templateCache
	// schemas caches the properties schemas of template resources.
	schemas schemaCache

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	configs *configStore
	signals *signalBoard

	// lingering are the trees kept in memory a while on their way to
	// rest (linger.go).
	lingering lingerQueue
}

// Option configures New.
type Option func(*Engine) error

// WithCloud sets the simulated cloud the Nova, Neutron, Cinder and
// Octavia resources live in. Without it, stacks using them are refused
// (ResourceTypeUnavailable, as from a Heat without those services).
func WithCloud(c *sim.Cloud) Option {
	return func(e *Engine) error {
		if c == nil {
			return errors.New("engine: nil cloud")
		}
		e.cloud = c
		return nil
	}
}

// WithBlobs sets where stacks persist. Without it they live in memory
// only and do not survive the process.
func WithBlobs(b Blobs) Option {
	return func(e *Engine) error {
		if b == nil {
			return errors.New("engine: nil blobs")
		}
		e.stored = b
		return nil
	}
}

// Sealer encrypts the records the engine stores; *certs.Keyring is one.
type Sealer interface {
	// SealBytes appends plaintext encrypted and bound to aad to dst,
	// and returns the extended slice.
	SealBytes(dst, plaintext, aad []byte) ([]byte, error)
	// OpenBytes decrypts what SealBytes returned for the same aad; stale
	// reports that it should be sealed again (its key is being retired).
	OpenBytes(sealed, aad []byte) (plaintext []byte, stale bool, err error)
}

// WithSealer seals every record the engine stores in its Blobs (stack
// states and definitions with their parameters, resources' properties
// and attributes, template and file texts): hidden parameters, and the
// outputs, properties and user data made from them, are never at rest in
// clear. Records an engine without a sealer stored in clear are read as
// they are, and sealed again when New loads them, as are those sealed
// under a key the sealer reports stale. Without WithSealer records are
// stored in clear, and sealed ones fail to load.
func WithSealer(s Sealer) Option {
	return func(e *Engine) error {
		if s == nil {
			return errors.New("engine: nil sealer")
		}
		e.sealer = s
		return nil
	}
}

// WithConcurrency bounds how many resource operations run at once across
// all stacks (DefaultConcurrency when unset). Resources waiting on others
// (nested stacks, wait conditions) do not hold a slot.
func WithConcurrency(n int) Option {
	return func(e *Engine) error {
		if n < 1 {
			return fmt.Errorf("engine: concurrency %d is below 1", n)
		}
		e.slots = make(chan struct{}, n)
		return nil
	}
}

// WithMaxResourcesPerStack sets how many resources one stack, top-level
// or nested, may hold, as Heat's max_resources_per_stack does
// (DefaultMaxResourcesPerStack when unset): a template with more is
// refused, and a ResourceGroup whose count is larger fails before any of
// its members is built, with Heat's "Request limit exceeded: Maximum
// resources per stack exceeded."
func WithMaxResourcesPerStack(n int) Option {
	return func(e *Engine) error {
		if n < 1 {
			return fmt.Errorf("engine: max resources per stack %d is below 1", n)
		}
		e.maxResources = n
		return nil
	}
}

// WithLogger sets the logger (slog.Default() otherwise).
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) error {
		if l == nil {
			return errors.New("engine: nil logger")
		}
		e.log = l
		return nil
	}
}

// WithProject sets the project ID of the stacks (OS::project_id) and of
// the cloud objects they make. Without it, OS::project_id is
// DefaultProject and cloud objects go to the cloud's default project.
func WithProject(id string) Option {
	return func(e *Engine) error {
		if id == "" {
			return errors.New("engine: empty project")
		}
		e.project, e.cloudProject = id, id
		return nil
	}
}

// WithDelays sets how long each action of the OS::Heat::* resource
// types takes, by type name; the default is zero. The delays of cloud
// objects are the simulated cloud's (sim.Delays).
func WithDelays(d map[string]time.Duration) Option {
	return func(e *Engine) error {
		for name, v := range d {
			if v < 0 {
				return fmt.Errorf("engine: negative delay for %s", name)
			}
			e.delays[name] = v
		}
		return nil
	}
}

// New returns an engine. With WithBlobs, the stacks stored by a previous
// engine are loaded and those left in progress carry on.
func New(ctx context.Context, opts ...Option) (*Engine, error) {
	e := &Engine{
		log: slog.Default(), project: DefaultProject, delays: map[string]time.Duration{}, maxResources: DefaultMaxResourcesPerStack,
		stacks: map[string]*stack{}, names: map[string]string{}, zones: []string{"nova"}, texts: newTextStore(),
		configs: newConfigStore(), signals: newSignalBoard(),
		lingering: lingerQueue{wait: lingerFor, max: maxLingering},
	}
	for _, o := range opts {
		if err := o(e); err != nil {
			return nil, err
		}
	}
	if e.slots == nil {
		e.slots = make(chan struct{}, DefaultConcurrency)
	}
	if e.stored != nil {
		e.blobs = atrest.New(e.stored, "engine", e.sealer)
		if e.blobs.CanQueue() {
			e.queued = e.blobs
		}
	}
	e.ctx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := e.load(ctx); err != nil {
		e.cancel()
		return nil, err
	}
	return e, nil
}

// Close stops the engine: running actions are interrupted (they resume
// when a new engine loads the same Blobs) and Close waits for them.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	return nil
}

func (e *Engine) now() time.Time { return time.Now().UTC() }

func newUUID() string { return uuid.NewString() }

// shortID returns 12 lowercase letters and digits, like Heat's short_id.
func shortID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// customChecker validates custom constraints; cloud look-ups use the
// simulated cloud when there is one.
func (e *Engine) customChecker() hot.CustomChecker {
	return func(name string, value any) error { return e.checkCustom(name, value) }
}

// errClosed is returned by calls made after Close.
var errClosed = heat.NewError(heat.ErrUnavailable, "the engine is closed")

// maxCachedTemplates bounds each generation of the template cache.
const maxCachedTemplates = 128

// templateCache holds parsed templates by text in two generations: a
// template used since the current generation started is kept when it
// ends, so the templates every cluster uses stay cached while the ones
// generated for a single stack (groups) pass through.
type templateCache struct {
	current, previous map[string]*hot.Template
}

func (c *templateCache) get(text string) (*hot.Template, bool) {
	if t, ok := c.current[text]; ok {
		return t, true
	}
	t, ok := c.previous[text]
	if ok {
		c.put(text, t)
	}
	return t, ok
}

func (c *templateCache) put(text string, t *hot.Template) {
	if c.current == nil || len(c.current) >= maxCachedTemplates {
		c.previous, c.current = c.current, make(map[string]*hot.Template, maxCachedTemplates)
	}
	c.current[text] = t
}

// parseCached parses a template, reusing earlier parses of the same text
// (parsed templates are immutable).
func (e *Engine) parseCached(data string) (*hot.Template, error) {
	e.tmplMu.Lock()
	t, ok := e.tmpls.get(data)
	e.tmplMu.Unlock()
	if ok {
		return t, nil
	}
	t, err := hot.Parse([]byte(data))
	if err != nil {
		return nil, err
	}
	e.tmplMu.Lock()
	defer e.tmplMu.Unlock()
	e.tmpls.put(data, t)
	return t, nil
}
