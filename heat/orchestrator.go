package heat

import (
	"context"
	"time"
)

// Orchestrator is what the conductor needs from Heat, and nothing more.
//
// Stacks are addressed by their ID alone; implementations that need more
// (a real Heat wants /stacks/{name}/{id}) resolve it themselves.
type Orchestrator interface {
	// CreateStack starts the creation of a stack and returns its ID once the
	// orchestrator has accepted it. The stack is built asynchronously.
	CreateStack(ctx context.Context, spec StackSpec) (string, error)
	// UpdateStack applies an update with PATCH semantics: parameters not
	// named in the update keep their current values.
	UpdateStack(ctx context.Context, id string, update StackUpdate) error
	// DeleteStack starts the deletion of a stack.
	DeleteStack(ctx context.Context, id string) error
	// GetStack returns one stack with its outputs and parameters.
	GetStack(ctx context.Context, id string) (*Stack, error)
	// ListStacks returns one page of stacks (without outputs) and the
	// marker of the next page, empty on the last one.
	ListStacks(ctx context.Context, opts ListOptions) ([]Stack, string, error)
	// Resources lists the resources of a stack, descending into nested
	// stacks down to depth levels (0 lists only the top level).
	Resources(ctx context.Context, id string, depth int) ([]Resource, error)
	// FailedResources lists the failed resources of a stack across every
	// nesting level, deepest first.
	FailedResources(ctx context.Context, id string) ([]Resource, error)
}

// StackSpec describes a stack to create.
type StackSpec struct {
	// Name of the stack, unique within the project.
	Name string
	// Template is the HOT template, as YAML or JSON.
	Template []byte
	// Files holds the contents of the files the template refers to
	// (get_file targets and nested templates), keyed by the name used in
	// the template or the environment.
	Files map[string]string
	// Environment carries parameters, parameter_defaults and the
	// resource_registry.
	Environment Environment
	// Parameters are the stack's parameter values.
	Parameters map[string]any
	// Timeout bounds the creation; zero means the orchestrator's default.
	Timeout time.Duration
	// Rollback asks the orchestrator to roll back a failed create. Heat's
	// default, kept when false, leaves a failed stack as it is.
	Rollback bool
	// Tags are attached to the stack and can filter ListStacks.
	Tags []string
}

// Environment is a Heat environment.
type Environment struct {
	Parameters        map[string]any `json:"parameters,omitempty" yaml:"parameters,omitempty"`
	ParameterDefaults map[string]any `json:"parameter_defaults,omitempty" yaml:"parameter_defaults,omitempty"`
	// ResourceRegistry maps resource types to other types or to template
	// files ("Magnum::Optional::Cinder::Volume": "OS::Heat::None").
	ResourceRegistry map[string]any `json:"resource_registry,omitempty" yaml:"resource_registry,omitempty"`
}

// StackUpdate is an update with PATCH semantics.
type StackUpdate struct {
	// Template replaces the stack's template when non-nil; otherwise the
	// existing template, files and environment are kept.
	Template []byte
	// Files replaces or adds files; used with Template.
	Files map[string]string
	// Environment replaces the environment when non-nil.
	Environment *Environment
	// Parameters are merged over the stack's current parameters.
	Parameters map[string]any
	// Timeout bounds the update; zero keeps the orchestrator's default.
	Timeout time.Duration
	// Rollback asks for a rollback if the update fails.
	Rollback bool
}

// Stack is the state of one stack.
type Stack struct {
	ID           string
	Name         string
	Status       Status
	StatusReason string
	// Outputs maps output keys to values; empty in ListStacks results.
	Outputs map[string]any
	// Parameters are the stack's parameter values, as strings (Heat
	// returns numbers and booleans as strings).
	Parameters map[string]string
	Tags       []string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ListOptions filters and pages ListStacks.
type ListOptions struct {
	// Tags keeps only stacks carrying every one of these tags.
	Tags []string
	// Limit is the page size; zero means the orchestrator's default.
	Limit int
	// Marker is the ID of the last stack of the previous page.
	Marker string
}

// Resource is one resource of a stack or of one of its nested stacks.
type Resource struct {
	// Name is the logical name of the resource in its template.
	Name string
	// Type is the declared resource type (OS::Nova::Server).
	Type         string
	Status       Status
	StatusReason string
	// PhysicalID is the ID of the underlying object, if any.
	PhysicalID string
	// Parent is the name of the resource in the parent stack whose nested
	// stack holds this one; empty at the top level.
	Parent string
	// StackID and StackName identify the (possibly nested) stack holding
	// the resource.
	StackID   string
	StackName string
	// Depth is the nesting level: 0 for the top-level stack.
	Depth     int
	UpdatedAt time.Time
}
