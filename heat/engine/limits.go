package engine

import "github.com/gomagnum/gomagnum/heat/engine/hot"

// Heat's max_resources_per_stack bounds the resources of every stack it
// creates, top-level or nested: a top-level template with more is
// refused at the API, a nested stack with more fails the resource that
// makes it. The engine checks the same bound before it builds anything
// from a template: a template's resources are counted as soon as it is
// parsed, and a ResourceGroup's members are counted from its count
// property before any member is named, so that a huge count costs
// nothing but the failure.

// errTooManyResources is Heat's RequestLimitExceeded for a stack over
// max_resources_per_stack.
func errTooManyResources() error {
	return &hot.Error{Type: hot.TypeRequestLimitExceeded,
		Message: "Request limit exceeded: Maximum resources per stack exceeded."}
}

// checkResourceCount refuses a template with more resources than a stack
// may hold. A template that does not parse passes: parsing it again
// reports why.
func (e *Engine) checkResourceCount(template string) error {
	t, err := e.parseCached(template)
	if err != nil {
		return nil
	}
	if len(t.ResourceNames()) > e.maxResources {
		return errTooManyResources()
	}
	return nil
}

// checkGroupSize refuses a ResourceGroup whose nested stack would hold
// more members than a stack may hold resources.
func (e *Engine) checkGroupSize(props map[string]any) error {
	if groupCount(props) > e.maxResources {
		return errTooManyResources()
	}
	return nil
}
