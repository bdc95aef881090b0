package heat

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// requestBody is a ready JSON body for gophercloud's stacks.Create and
// stacks.UpdatePatch. gophercloud's own option types would parse the
// template and read every get_file target and nested template from the
// local disk or the network; a StackSpec already carries its files, so
// the body is built here and sent as it is.
type requestBody map[string]any

// ToStackCreateMap implements stacks.CreateOptsBuilder.
func (b requestBody) ToStackCreateMap() (map[string]any, error) { return b, nil }

// ToStackUpdatePatchMap implements stacks.UpdatePatchOptsBuilder.
func (b requestBody) ToStackUpdatePatchMap() (map[string]any, error) { return b, nil }

// createBody builds the body of POST /stacks, refusing what Heat would
// refuse without asking it.
func createBody(spec StackSpec) (requestBody, error) {
	if err := checkName(spec.Name); err != nil {
		return nil, err
	}
	if len(spec.Template) == 0 {
		return nil, &Error{Kind: ErrInvalid, Message: "the stack has no template"}
	}
	b := requestBody{
		"stack_name":       spec.Name,
		"template":         string(spec.Template),
		"disable_rollback": !spec.Rollback,
	}
	if len(spec.Tags) > 0 {
		for _, t := range spec.Tags {
			if t == "" || strings.Contains(t, ",") {
				return nil, &Error{Kind: ErrInvalid, Message: fmt.Sprintf("invalid tag %q: tags are non-empty and hold no comma", t)}
			}
		}
		b["tags"] = strings.Join(spec.Tags, ",")
	}
	env := spec.Environment
	return b, fillCommon(b, spec.Files, &env, spec.Parameters, spec.Timeout)
}

// patchBody builds the body of PATCH /stacks/{name}/{id}: Heat keeps the
// stored template, files, environment and parameters, and applies what
// the body names over them.
func patchBody(u StackUpdate) (requestBody, error) {
	b := requestBody{"disable_rollback": !u.Rollback}
	if u.Template != nil {
		if len(u.Template) == 0 {
			return nil, &Error{Kind: ErrInvalid, Message: "the new template is empty"}
		}
		b["template"] = string(u.Template)
	}
	return b, fillCommon(b, u.Files, u.Environment, u.Parameters, u.Timeout)
}

// fillCommon adds the parts shared by create and update, and checks that
// the body encodes as JSON.
func fillCommon(b requestBody, files map[string]string, env *Environment, params map[string]any, timeout time.Duration) error {
	if len(files) > 0 {
		b["files"] = files
	}
	if env != nil && !env.empty() {
		b["environment"] = env
	}
	if params != nil {
		b["parameters"] = params
	}
	switch {
	case timeout < 0:
		return &Error{Kind: ErrInvalid, Message: fmt.Sprintf("negative timeout %s", timeout)}
	case timeout > 0:
		// Heat counts whole minutes; round up so the bound is never shorter.
		b["timeout_mins"] = int((timeout + time.Minute - 1) / time.Minute)
	}
	if _, err := json.Marshal(b); err != nil {
		return &Error{Kind: ErrInvalid, Message: "the request cannot be encoded as JSON: " + err.Error()}
	}
	return nil
}

// empty reports whether the environment sets nothing.
func (e *Environment) empty() bool {
	return len(e.Parameters) == 0 && len(e.ParameterDefaults) == 0 && len(e.ResourceRegistry) == 0
}
