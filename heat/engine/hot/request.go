package hot

import (
	"errors"
	"fmt"
)

// formatError is an error of a template's format, reported by Parse.
func formatError(format string, args ...any) *Error {
	return &Error{Type: TypeStackValidationFailed, Message: fmt.Sprintf(format, args...), format: true}
}

// RootTemplateError returns the error Heat's API reports for a stack's
// own template that Parse refused for its format: an HTTPBadRequest
// "Template not in valid format: …", as the API parses the template
// before the engine sees it. Other errors are returned unchanged.
func RootTemplateError(err error) error {
	var he *Error
	if !errors.As(err, &he) || !he.format {
		return err
	}
	return &Error{Type: TypeBadRequest, Message: "Template not in valid format: " + he.Message}
}

// ValidateRequestError returns err as Heat's template validation reports
// it: the stack validation failures it catches become HTTPBadRequest
// with the same message; other errors keep their type.
func ValidateRequestError(err error) error {
	var he *Error
	if !errors.As(err, &he) || he.Type != TypeStackValidationFailed {
		return err
	}
	out := *he
	out.Type = TypeBadRequest
	return &out
}
