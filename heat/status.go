package heat

import "strings"

// Status is a Heat stack or resource status: an action and a state joined
// by an underscore, such as CREATE_IN_PROGRESS.
type Status string

// Stack and resource statuses.
const (
	InitInProgress     Status = "INIT_IN_PROGRESS"
	InitComplete       Status = "INIT_COMPLETE"
	InitFailed         Status = "INIT_FAILED"
	CreateInProgress   Status = "CREATE_IN_PROGRESS"
	CreateComplete     Status = "CREATE_COMPLETE"
	CreateFailed       Status = "CREATE_FAILED"
	UpdateInProgress   Status = "UPDATE_IN_PROGRESS"
	UpdateComplete     Status = "UPDATE_COMPLETE"
	UpdateFailed       Status = "UPDATE_FAILED"
	DeleteInProgress   Status = "DELETE_IN_PROGRESS"
	DeleteComplete     Status = "DELETE_COMPLETE"
	DeleteFailed       Status = "DELETE_FAILED"
	RollbackInProgress Status = "ROLLBACK_IN_PROGRESS"
	RollbackComplete   Status = "ROLLBACK_COMPLETE"
	RollbackFailed     Status = "ROLLBACK_FAILED"
	SuspendInProgress  Status = "SUSPEND_IN_PROGRESS"
	SuspendComplete    Status = "SUSPEND_COMPLETE"
	SuspendFailed      Status = "SUSPEND_FAILED"
	ResumeInProgress   Status = "RESUME_IN_PROGRESS"
	ResumeComplete     Status = "RESUME_COMPLETE"
	ResumeFailed       Status = "RESUME_FAILED"
	AdoptInProgress    Status = "ADOPT_IN_PROGRESS"
	AdoptComplete      Status = "ADOPT_COMPLETE"
	AdoptFailed        Status = "ADOPT_FAILED"
	SnapshotInProgress Status = "SNAPSHOT_IN_PROGRESS"
	SnapshotComplete   Status = "SNAPSHOT_COMPLETE"
	SnapshotFailed     Status = "SNAPSHOT_FAILED"
	CheckInProgress    Status = "CHECK_IN_PROGRESS"
	CheckComplete      Status = "CHECK_COMPLETE"
	CheckFailed        Status = "CHECK_FAILED"
	RestoreInProgress  Status = "RESTORE_IN_PROGRESS"
	RestoreComplete    Status = "RESTORE_COMPLETE"
	RestoreFailed      Status = "RESTORE_FAILED"
)

// Action returns the action part of the status ("CREATE").
func (s Status) Action() string {
	a, _, _ := strings.Cut(string(s), "_")
	return a
}

// IsInProgress reports whether the status ends in _IN_PROGRESS.
func (s Status) IsInProgress() bool { return strings.HasSuffix(string(s), "_IN_PROGRESS") }

// IsFailed reports whether the status ends in _FAILED.
func (s Status) IsFailed() bool { return strings.HasSuffix(string(s), "_FAILED") }

// IsComplete reports whether the status ends in _COMPLETE.
func (s Status) IsComplete() bool { return strings.HasSuffix(string(s), "_COMPLETE") }
