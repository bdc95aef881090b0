package engine

import (
	"context"
	"errors"
	"time"
)

// DefaultTimeout is Heat's default stack timeout (timeout_mins 60).
const DefaultTimeout = 60 * time.Minute

// run is the action running on a top-level stack.
type run struct {
	action string
	cancel context.CancelFunc
	done   chan struct{}
}

// start runs an action on a top-level stack in the background. The stack
// lock must be held; any previous run must be over.
func (e *Engine) start(s *stack, action string, body func(ctx context.Context)) {
	timeout := s.rec.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(e.ctx, timeout)
	r := &run{action: action, cancel: cancel, done: make(chan struct{})}
	s.run = r
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		body(ctx)
		cancel()
		close(r.done)
		e.settle(s, r)
	}()
}

// stop cancels the stack's current run and waits for it to end.
func (e *Engine) stop(s *stack) {
	s.mu.Lock()
	r := s.run
	s.mu.Unlock()
	if r == nil {
		return
	}
	r.cancel()
	<-r.done
}

func startedReason(action string) string   { return "Stack " + action + " started" }
func completedReason(action string) string { return "Stack " + action + " completed successfully" }

// beginStack marks a stack in progress and stores it, before the action
// touches a resource; the stack lock must be held. A top-level stack
// takes the next action serial; a nested one keeps the serial its parent
// gave it (nestedSerial).
func (e *Engine) beginStack(s *stack, action string) {
	if s.topLevel() {
		s.rec.Serial++
	}
	s.setState(action, stInProgress, startedReason(action))
	e.saveStack(s)
}

// markFailed records the first failure of a stack action.
func (e *Engine) markFailed(s *stack, action string, err error) {
	if e.ctx.Err() != nil {
		return // the engine is closing: the action resumes after a restart
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec.Action == action && s.rec.Status == stFailed {
		return
	}
	s.setState(action, stFailed, stackFailureReason(err))
	e.saveStack(s)
}

func stackFailureReason(err error) string {
	var re *resourceError
	switch {
	case errors.As(err, &re) && re.reason == "Timed out":
		return "Timed out"
	case errors.As(err, &re):
		return re.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "Timed out"
	}
	return err.Error()
}

// markComplete records the success of a stack action unless the action
// already failed.
func (e *Engine) markComplete(s *stack, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec.Status == stFailed {
		return
	}
	s.setState(action, stComplete, completedReason(action))
	e.saveStack(s)
}

// doCreate creates every resource of a stack; the result is in the
// stack's status.
func (e *Engine) doCreate(ctx context.Context, s *stack) error {
	err := e.converge(ctx, s, func(err error) { e.markFailed(s, actCreate, err) })
	if err != nil {
		e.markFailed(s, actCreate, err)
		return err
	}
	e.markComplete(s, actCreate)
	return nil
}

// doUpdate converges a stack on its new definition and deletes what the
// update replaced or removed, and the texts its tree no longer uses.
func (e *Engine) doUpdate(ctx context.Context, s *stack, action string) error {
	onFail := func(err error) { e.markFailed(s, action, err) }
	if err := e.converge(ctx, s, onFail); err != nil {
		onFail(err)
		return err
	}
	s.mu.Lock()
	garbage := append([]*resource(nil), s.garbage...)
	s.mu.Unlock()
	if err := e.deleteAll(ctx, s, garbage, onFail); err != nil {
		onFail(err)
		return err
	}
	s.mu.Lock()
	s.garbage = nil
	s.mu.Unlock()
	if s.topLevel() {
		e.dropUnusedTexts(s)
	}
	e.markComplete(s, action)
	return nil
}

// doDelete deletes every resource of a stack, replaced ones included.
func (e *Engine) doDelete(ctx context.Context, s *stack, action string) error {
	s.mu.Lock()
	all := append([]*resource(nil), s.garbage...)
	for _, name := range sortedKeys(s.resources) {
		all = append(all, s.resources[name])
	}
	s.mu.Unlock()
	onFail := func(err error) { e.markFailed(s, action, err) }
	if err := e.deleteAll(ctx, s, all, onFail); err != nil {
		onFail(err)
		return err
	}
	s.mu.Lock()
	s.garbage = nil
	s.mu.Unlock()
	e.markComplete(s, action)
	return nil
}

// runCreate is the body of a top-level create, with its rollback.
func (e *Engine) runCreate(ctx context.Context, s *stack) {
	if e.doCreate(ctx, s) == nil || !s.rec.Rollback || e.ctx.Err() != nil {
		return
	}
	e.rollback(s, actCreate)
}

// runUpdate is the body of a top-level update, with its rollback.
func (e *Engine) runUpdate(ctx context.Context, s *stack) {
	if e.doUpdate(ctx, s, actUpdate) == nil || !s.rec.Rollback || e.ctx.Err() != nil {
		return
	}
	e.rollback(s, actUpdate)
}

// rollback undoes a failed create (deleting everything) or update
// (converging back on the previous definition) with a fresh timeout.
func (e *Engine) rollback(s *stack, of string) {
	s.mu.Lock()
	s.rec.RollbackOf = of
	e.beginStack(s, actRollback)
	timeout := s.rec.Timeout
	s.mu.Unlock()
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(e.ctx, timeout)
	defer cancel()
	_ = e.doRollback(ctx, s)
}

// doRollback runs a rollback whose stack is marked ROLLBACK_IN_PROGRESS.
func (e *Engine) doRollback(ctx context.Context, s *stack) error {
	s.mu.Lock()
	of := s.rec.RollbackOf
	s.mu.Unlock()
	if of == actCreate {
		return e.doDelete(ctx, s, actRollback)
	}
	if err := e.revert(s); err != nil {
		e.markFailed(s, actRollback, err)
		return err
	}
	return e.doUpdate(ctx, s, actRollback)
}

// runDelete is the body of a top-level delete.
func (e *Engine) runDelete(ctx context.Context, s *stack) {
	if e.doDelete(ctx, s, actDelete) != nil {
		return
	}
	e.forgetStack(s)
	e.releaseTexts(s.rec.ID, nil)
	e.releaseName(s)
	time.AfterFunc(TombstoneTTL, func() { e.dropStack(s.rec.ID) })
}

// TombstoneTTL is how long a deleted stack stays visible (as
// DELETE_COMPLETE) to GetStack, as Heat keeps soft-deleted stacks.
const TombstoneTTL = 10 * time.Minute

// dropStack forgets a deleted stack for good.
func (e *Engine) dropStack(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.stacks, id)
}

// resume carries on the action a stored stack was running when the
// previous engine stopped.
func (e *Engine) resume(s *stack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.rec.Action {
	case actCreate:
		e.start(s, actCreate, func(ctx context.Context) { e.runCreate(ctx, s) })
	case actUpdate:
		e.start(s, actUpdate, func(ctx context.Context) { e.runUpdate(ctx, s) })
	case actRollback:
		e.start(s, actRollback, func(ctx context.Context) { _ = e.doRollback(ctx, s) })
	case actDelete:
		e.start(s, actDelete, func(ctx context.Context) { e.runDelete(ctx, s) })
	}
}
