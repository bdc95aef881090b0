package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OperationState is where an operation is in its life.
type OperationState string

// Operation states.
const (
	// OpPending: recorded by the API, not started.
	OpPending OperationState = "pending"
	// OpRunning: a conductor works on it (see Owner and LeaseUntil).
	OpRunning OperationState = "running"
	// OpDone: finished, successfully or not (see Error).
	OpDone OperationState = "done"
)

// Operation is a unit of work the API hands to the conductor: create,
// update, resize, upgrade, delete a cluster, create or delete a node
// group, rotate a CA. It is held by one conductor at a time through a
// lease that expires unless renewed.
type Operation struct {
	ID            int64
	UUID          string
	ClusterUUID   string
	NodeGroupUUID string
	Kind          string
	// Params is the operation's JSON parameters.
	Params []byte
	// Step is where a running operation is, for whoever resumes it.
	Step string
	// Stacks are the stacks a waiting operation waits for, and Deadline
	// when it must be done by.
	Stacks     []string
	Deadline   time.Time
	State      OperationState
	Owner      string
	LeaseUntil time.Time
	// Attempts counts the claims of the operation: 1 while its first
	// holder runs it.
	Attempts  int
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

const selectOperation = `SELECT id, uuid, cluster_uuid, nodegroup_uuid, kind, params, step, stacks, deadline, state,
	owner, lease_until, attempts, error, created_at, updated_at FROM operations`

func scanOperation(sc scanner) (Operation, error) {
	var o Operation
	var params, stacks string
	var deadline, lease, created, updated int64
	err := sc.Scan(&o.ID, &o.UUID, &o.ClusterUUID, &o.NodeGroupUUID, &o.Kind, &params, &o.Step, &stacks, &deadline,
		&o.State, &o.Owner, &lease, &o.Attempts, &o.Error, &created, &updated)
	o.Params = []byte(params)
	o.Stacks, o.Deadline = strings.Fields(stacks), fromMicros(deadline)
	o.LeaseUntil, o.CreatedAt, o.UpdatedAt = fromMicros(lease), fromMicros(created), fromMicros(updated)
	return o, err
}

// InsertOperation records a pending operation.
func (t *Tx) InsertOperation(ctx context.Context, o *Operation) error {
	o.CreatedAt = t.now().UTC()
	o.State = OpPending
	if len(o.Params) == 0 {
		o.Params = []byte("{}")
	}
	err := t.queryRow(ctx, `INSERT INTO operations (uuid, cluster_uuid, nodegroup_uuid, kind, params, state, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.UUID, o.ClusterUUID, o.NodeGroupUUID, o.Kind, string(o.Params), o.State, micros(o.CreatedAt)).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("insert operation: %w", t.d.mapError(err))
	}
	return nil
}

// Operations returns the operations in the given states, oldest first; no
// state selects all. Limit zero means no bound.
func (t *Tx) Operations(ctx context.Context, limit int, states ...OperationState) ([]Operation, error) {
	var where Cond
	if len(states) > 0 {
		vs := make([]any, len(states))
		for i, s := range states {
			vs[i] = string(s)
		}
		where = In("state", vs...)
	}
	clause, args := where.where()
	stmt := selectOperation + clause + " ORDER BY id"
	if limit > 0 {
		stmt += " LIMIT " + strconv.Itoa(limit)
	}
	return t.operations(ctx, stmt, args...)
}

// ClusterOperations returns the operations of a cluster, oldest first.
func (t *Tx) ClusterOperations(ctx context.Context, clusterUUID string) ([]Operation, error) {
	return t.operations(ctx, selectOperation+" WHERE cluster_uuid = ? ORDER BY id", clusterUUID)
}

func (t *Tx) operations(ctx context.Context, stmt string, args ...any) ([]Operation, error) {
	return queryAll(ctx, t, scanOperation, stmt, args...)
}

// ClaimOperation makes owner the holder of an operation until
// leaseUntil, if it may be claimed at now (see ClaimableOperations). It
// reports whether the claim succeeded. The claiming transaction should
// first take the operation's ClaimLock: the claim then sees what another
// conductor claimed of the cluster meanwhile.
func (t *Tx) ClaimOperation(ctx context.Context, id int64, owner string, now, leaseUntil time.Time) (bool, error) {
	args := append([]any{OpRunning, owner, micros(leaseUntil), micros(now), id}, claimableArgs(now)...)
	res, err := t.exec(ctx, `UPDATE operations AS o SET state = ?, owner = ?, lease_until = ?, attempts = attempts + 1,
		updated_at = ? WHERE o.id = ? AND `+claimable, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RenewLeases extends until leaseUntil the leases owner holds and returns
// how many it holds.
func (t *Tx) RenewLeases(ctx context.Context, owner string, leaseUntil time.Time) (int64, error) {
	res, err := t.exec(ctx, "UPDATE operations SET lease_until = ? WHERE owner = ? AND state = ?",
		micros(leaseUntil), owner, OpRunning)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ReleaseLeases gives up the leases owner holds: its running operations
// may be claimed at once, where they stand.
func (t *Tx) ReleaseLeases(ctx context.Context, owner string) (int64, error) {
	res, err := t.exec(ctx, "UPDATE operations SET lease_until = 0 WHERE owner = ? AND state = ?", owner, OpRunning)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// FinishOperation marks an operation held by owner as done, with errText
// empty on success. It fails with ErrConflict if owner lost the lease.
func (t *Tx) FinishOperation(ctx context.Context, id int64, owner, errText string) error {
	res, err := t.exec(ctx, "UPDATE operations SET state = ?, error = ?, updated_at = ? WHERE id = ? AND owner = ? AND state = ?",
		OpDone, errText, micros(t.now().UTC()), id, owner, OpRunning)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("operation %d is not held by %s: %w", id, owner, ErrConflict)
	}
	return nil
}

// DeleteOperations removes a cluster's operations.
func (t *Tx) DeleteOperations(ctx context.Context, clusterUUID string) error {
	_, err := t.exec(ctx, "DELETE FROM operations WHERE cluster_uuid = ?", clusterUUID)
	return err
}

// ClaimableOperations returns, oldest first, the operations a conductor
// may claim at now:
//   - a pending delete, unless another operation of its cluster is being
//     started by a live conductor: until that one waits for its stacks
//     (and so has recorded them) or ends, a stack it makes could escape
//     the delete;
//   - the oldest pending operation of each cluster that has none running
//     and no delete queued (the delete supersedes it);
//   - the running operations whose holder's lease has run out, but for
//     those of a cluster with a delete queued, which the delete
//     supersedes.
func (t *Tx) ClaimableOperations(ctx context.Context, now time.Time, limit int) ([]Operation, error) {
	return t.operations(ctx, selectOperation+" o WHERE "+claimable+" ORDER BY o.id LIMIT "+strconv.Itoa(limit),
		claimableArgs(now)...)
}

// claimable is the condition on an operation o under which it may be
// claimed (see ClaimableOperations), with the arguments claimableArgs
// gives.
const claimable = `(
	(o.state = ? AND o.kind = ? AND NOT EXISTS (SELECT 1 FROM operations r WHERE r.cluster_uuid = o.cluster_uuid
		AND r.state = ? AND r.step <> ? AND r.lease_until >= ?))
	OR (o.state = ? AND o.kind <> ? AND NOT ` + deleteQueued + `
		AND NOT EXISTS (SELECT 1 FROM operations r WHERE r.cluster_uuid = o.cluster_uuid AND r.state = ?)
		AND o.id = (SELECT MIN(p.id) FROM operations p WHERE p.cluster_uuid = o.cluster_uuid AND p.state = ?))
	OR (o.state = ? AND o.lease_until < ? AND (o.kind = ? OR NOT ` + deleteQueued + `)))`

// deleteQueued is the condition that a delete of o's cluster is queued.
const deleteQueued = `EXISTS (SELECT 1 FROM operations x WHERE x.cluster_uuid = o.cluster_uuid AND x.kind = ? AND x.state <> ?)`

func claimableArgs(now time.Time) []any {
	at := micros(now)
	return []any{OpPending, OpKindDelete, OpRunning, StepWait, at,
		OpPending, OpKindDelete, OpKindDelete, OpDone, OpRunning, OpPending,
		OpRunning, at, OpKindDelete, OpKindDelete, OpDone}
}

// ClaimLock is the key (see Tx.Lock) a transaction takes before it claims
// an operation of a cluster: claims of one cluster's operations by
// several conductors on one database are serialised, those of different
// clusters are not.
func ClaimLock(clusterUUID string) string { return "operations/" + clusterUUID }

// OpKindDelete is the kind of the operations that delete a cluster; they
// supersede whatever else the cluster had under way.
const OpKindDelete = "delete"

// StepWait is the step of an operation whose stacks the orchestrator
// builds: the stacks it made are recorded, and the status sync follows
// them.
const StepWait = "wait"

// DeleteQueued reports whether a delete of a cluster is pending or
// running: whatever else the cluster has under way must not start a
// stack.
func (t *Tx) DeleteQueued(ctx context.Context, clusterUUID string) (bool, error) {
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM operations WHERE cluster_uuid = ? AND kind = ? AND state <> ?",
		clusterUUID, OpKindDelete, OpDone).Scan(&n)
	return n > 0, err
}

// Holds reports whether owner still holds an operation: it is running
// and owner claimed it last.
func (t *Tx) Holds(ctx context.Context, id int64, owner string) (bool, error) {
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM operations WHERE id = ? AND owner = ? AND state = ?",
		id, owner, OpRunning).Scan(&n)
	return n > 0, err
}

// HeldOperations returns the running operations owner holds, oldest
// first.
func (t *Tx) HeldOperations(ctx context.Context, owner string) ([]Operation, error) {
	return t.operations(ctx, selectOperation+" WHERE owner = ? AND state = ? ORDER BY id", owner, OpRunning)
}

// SetOperationStep records the step and parameters of an operation owner
// holds; it fails with ErrConflict if owner lost it.
func (t *Tx) SetOperationStep(ctx context.Context, id int64, owner, step string, params []byte) error {
	res, err := t.exec(ctx, "UPDATE operations SET step = ?, params = ?, updated_at = ? WHERE id = ? AND owner = ? AND state = ?",
		step, string(params), micros(t.now().UTC()), id, owner, OpRunning)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("operation %d is not held by %s: %w", id, owner, ErrConflict)
	}
	return nil
}

// WaitOperation records that an operation owner holds waits for stacks
// until deadline, in step.
func (t *Tx) WaitOperation(ctx context.Context, id int64, owner, step string, stacks []string, deadline time.Time) error {
	res, err := t.exec(ctx, "UPDATE operations SET step = ?, stacks = ?, deadline = ?, updated_at = ? WHERE id = ? AND owner = ? AND state = ?",
		step, strings.Join(stacks, " "), micros(deadline), micros(t.now().UTC()), id, owner, OpRunning)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("operation %d is not held by %s: %w", id, owner, ErrConflict)
	}
	return nil
}

// SupersedeOperations ends every other unfinished operation of a cluster,
// as a delete does.
func (t *Tx) SupersedeOperations(ctx context.Context, clusterUUID string, except int64, reason string) error {
	_, err := t.exec(ctx, "UPDATE operations SET state = ?, error = ?, updated_at = ? WHERE cluster_uuid = ? AND id <> ? AND state <> ?",
		OpDone, reason, micros(t.now().UTC()), clusterUUID, except, OpDone)
	return err
}

// PruneOperations removes the operations done before a time.
func (t *Tx) PruneOperations(ctx context.Context, before time.Time) (int64, error) {
	res, err := t.exec(ctx, "DELETE FROM operations WHERE state = ? AND updated_at < ?", OpDone, micros(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
