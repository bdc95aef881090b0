package drivers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Plugin is a Driver served by a plugin process. The host starts the
// process, pings it, and when it dies restarts it with exponential backoff:
// a call the death interrupts is made again on the fresh process, within
// the host's CallRetry, and fails with an *UnavailableError only when the
// plugin keeps dying or cannot be restarted. Every method may be called
// concurrently.
type Plugin struct {
	name   string
	cfg    *hostConfig
	logger *slog.Logger
	spec   launchSpec

	starting  chan struct{} // one token, held while an instance starts
	done      chan struct{} // closed by Close
	stopWatch context.CancelFunc
	watchDone chan struct{}
	killers   sync.WaitGroup

	mu       sync.Mutex
	cur      *instance
	failures int    // consecutive failures, for the backoff
	answers  uint64 // calls and pings answered, to tell a call's bad luck from a plugin that keeps dying
	retryAt  time.Time
	closed   bool
}

func newPlugin(cfg *hostConfig, name string, spec launchSpec) *Plugin {
	watchCtx, stop := context.WithCancel(context.Background())
	p := &Plugin{
		name:      name,
		cfg:       cfg,
		logger:    cfg.logger.With("driver", name),
		spec:      spec,
		starting:  make(chan struct{}, 1),
		done:      make(chan struct{}),
		stopWatch: stop,
		watchDone: make(chan struct{}),
	}
	go p.watch(watchCtx)
	return p
}

// Name is the name the plugin was started under: the built-in driver's
// name or the executable's file name.
func (p *Plugin) Name() string { return p.name }

// PID is the process ID of the running plugin, or 0 when none runs.
func (p *Plugin) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil {
		return 0
	}
	return p.cur.pid
}

// Close stops the plugin process and its supervision. Calls made after
// Close fail with ErrUnavailable.
func (p *Plugin) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	inst := p.cur
	p.cur = nil
	close(p.done)
	p.mu.Unlock()

	p.stopWatch()
	<-p.watchDone
	p.starting <- struct{}{} // wait for a start in flight: it sees closed and reaps
	if inst != nil {
		inst.stop(true)
	}
	p.killers.Wait()
	return nil
}

func (p *Plugin) closedError() error {
	return fmt.Errorf("driver plugin %q is closed: %w", p.name, ErrUnavailable)
}

// instance returns the running instance, starting one if none runs.
func (p *Plugin) instance(ctx context.Context) (*instance, error) {
	if inst, err := p.running(); inst != nil || err != nil {
		return inst, err
	}
	select {
	case p.starting <- struct{}{}:
	case <-p.done:
		return nil, p.closedError()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.starting }()
	if inst, err := p.running(); inst != nil || err != nil {
		return inst, err
	}
	if err := p.waitBackoff(ctx); err != nil {
		return nil, err
	}
	inst, err := p.launch(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		p.failures++
		p.retryAt = time.Now().Add(p.backoff())
		return nil, p.startFailed(err)
	case p.closed:
		p.reap(inst)
		return nil, p.closedError()
	}
	p.cur = inst
	p.logger.Info("driver plugin started", "pid", inst.pid, "protocol", inst.client.NegotiatedVersion())
	return inst, nil
}

// startFailed is the error of a failed start. A plugin the host refuses
// (checksum, protocol version) stays refused; any other failure may pass
// at the next start, so the call that met it may be made again.
func (p *Plugin) startFailed(err error) error {
	var verr *ProtocolVersionError
	if errors.Is(err, ErrChecksumMismatch) || errors.As(err, &verr) {
		return fmt.Errorf("driver plugin %q: %w: %w", p.name, ErrUnavailable, err)
	}
	return &lostError{driver: p.name, cause: err}
}

// current reports whether inst is still the running instance: one that
// was retired (dead, hung, or failed by another call) is not.
func (p *Plugin) current(inst *instance) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur == inst
}

// restartIn is how long the host waits before it next starts the plugin:
// 0 when a process runs or may start now.
func (p *Plugin) restartIn() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil {
		return 0
	}
	return max(0, time.Until(p.retryAt))
}

// running returns the current instance, nil when none runs.
func (p *Plugin) running() (*instance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, p.closedError()
	}
	if p.cur != nil && p.cur.client.Exited() {
		p.dropLocked(p.cur, errors.New("the plugin process exited"))
	}
	return p.cur, nil
}

func (p *Plugin) waitBackoff(ctx context.Context) error {
	p.mu.Lock()
	wait := time.Until(p.retryAt)
	p.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	return p.sleep(ctx, wait)
}

// sleep waits for d, until ctx is done, or until the plugin is closed.
func (p *Plugin) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-p.done:
		return p.closedError()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff is the delay before the next start after p.failures failures.
func (p *Plugin) backoff() time.Duration {
	d := p.cfg.backoffMin
	for i := 1; i < p.failures && d < p.cfg.backoffMax; i++ {
		d *= 2
	}
	return min(d, p.cfg.backoffMax)
}

// fail retires inst after cause, if it is still the current instance.
func (p *Plugin) fail(inst *instance, cause error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropLocked(inst, cause)
}

func (p *Plugin) dropLocked(inst *instance, cause error) {
	if p.cur != inst {
		return
	}
	p.cur = nil
	p.failures++
	delay := p.backoff()
	p.retryAt = time.Now().Add(delay)
	p.logger.Warn("driver plugin failed; it will be restarted", "pid", inst.pid, "error", cause, "retry_in", delay)
	p.reap(inst)
}

// reap kills inst in the background; Close waits for it.
func (p *Plugin) reap(inst *instance) {
	p.killers.Add(1)
	go func() {
		defer p.killers.Done()
		inst.stop(false)
	}()
}

// healthy counts an answer of inst and resets the backoff.
func (p *Plugin) healthy(inst *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answers++
	if p.cur == inst {
		p.failures = 0
	}
}

// answered is how many calls and pings the plugin has answered.
func (p *Plugin) answered() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.answers
}

// watch pings the plugin every ping interval, retires it when it does not
// answer, and restarts a dead plugin once its backoff allows.
func (p *Plugin) watch(ctx context.Context) {
	defer close(p.watchDone)
	t := time.NewTicker(p.cfg.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.check(ctx)
		}
	}
}

func (p *Plugin) check(ctx context.Context) {
	inst, err := p.instance(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.logger.Warn("driver plugin is down", "error", err)
		}
		return
	}
	pingCtx, cancel := context.WithTimeout(ctx, p.cfg.pingTimeout)
	defer cancel()
	if err := inst.conn.Ping(pingCtx); err != nil {
		if ctx.Err() == nil {
			p.fail(inst, fmt.Errorf("health ping: %w", err))
		}
		return
	}
	p.healthy(inst)
}
