package hot

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// MaxTemplateSize is Heat's default max_template_size in bytes.
const MaxTemplateSize = 524288

// Template is a parsed HOT template: its version and raw sections. The
// snippets inside are parsed into functions when a Context binds the
// template to parameters. A Template is immutable once built: the
// results of its checks that depend on nothing else are kept.
type Template struct {
	// Version is the template's heat_template_version.
	Version Version
	// Raw is the whole template document.
	Raw map[string]any
	// Params are the parameter schemas, by name.
	Params map[string]*ParamSchema

	analysis sync.Once
	// structureErr and groupsErr are the results of ValidateStructure
	// and ValidateParameterGroups; resourceNames and outputNames the
	// sorted names.
	structureErr, groupsErr    error
	resourceNames, outputNames []string
	// boolKeys are the mapping keys YAML 1.1 read as booleans.
	boolKeys []boolKey
	// orders are the written orders of the template's mappings.
	orders keyOrders
}

// analyse runs the checks of the template alone, once.
func (t *Template) analyse() {
	t.analysis.Do(func() {
		t.structureErr = t.validateStructure()
		t.groupsErr = t.validateParameterGroups()
		res, _ := t.section("resources")
		t.resourceNames = sortedKeys(res)
		outs, _ := t.section("outputs")
		t.outputNames = sortedKeys(outs)
	})
}

// Parse reads a template from JSON or YAML text and checks its version
// and parameter schemas, as Heat does before anything else.
func Parse(data []byte) (*Template, error) {
	if len(data) > MaxTemplateSize {
		return nil, newError(TypeRequestLimitExceeded,
			"Request limit exceeded: Template size (%d bytes) exceeds maximum allowed size (%d bytes).",
			len(data), MaxTemplateSize)
	}
	loaded, err := loadDocument(data)
	doc := loaded.value
	if err != nil {
		return nil, formatError("Error parsing template [root stack] %v", err)
	}
	if doc == nil {
		doc = map[string]any{}
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, formatError("The template is not a JSON object or YAML mapping.")
	}
	t, err := FromMap(m)
	if err != nil {
		return nil, err
	}
	t.boolKeys, t.orders = loaded.boolKeys, loaded.orders
	for name, s := range t.Params {
		if s.Type == ParamJSON && len(t.orders) > 0 {
			s.orders = t.orders.under(childPath("parameters", name) + ".default")
		}
	}
	return t, nil
}

// FromMap builds a Template from an already decoded document.
func FromMap(m map[string]any) (*Template, error) {
	if !hasAnyKey(m, "HeatTemplateFormatVersion", VersionKey, "AWSTemplateFormatVersion") {
		return nil, formatError("Template format version not found.")
	}
	v, err := templateVersion(m)
	if err != nil {
		return nil, err
	}
	t := &Template{Version: v, Raw: m}
	if t.Params, err = parseParamSchemas(v, m["parameters"]); err != nil {
		return nil, err
	}
	return t, nil
}

func hasAnyKey(m map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func templateVersion(m map[string]any) (Version, error) {
	var present []string
	for _, k := range []string{VersionKey, "HeatTemplateFormatVersion", "AWSTemplateFormatVersion"} {
		if _, ok := m[k].(string); ok {
			present = append(present, k)
		}
	}
	switch {
	case len(present) > 1:
		return Version{}, newError(TypeInvalidTemplateVersion,
			"The template version is invalid: Ambiguous versions (%s)", strings.Join(present, ", "))
	case len(present) == 0:
		return Version{}, newError(TypeInvalidTemplateVersion,
			"The template version is invalid: Template version was not provided")
	case present[0] != VersionKey:
		return Version{}, newError(TypeInvalidTemplateVersion,
			"The template version is invalid: %s templates are not supported by this engine", present[0])
	}
	raw := m[VersionKey].(string)
	v, ok := lookupVersion(raw)
	if !ok {
		return Version{}, newError(TypeInvalidTemplateVersion,
			"The template version is invalid: \"%s: %s\". \"%s\" should be one of: %s",
			VersionKey, raw, VersionKey, availableVersions())
	}
	return v, nil
}

// section returns a map section, treating an empty section as empty.
func (t *Template) section(name string) (map[string]any, error) {
	raw := t.Raw[name]
	if raw == nil {
		return map[string]any{}, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, validationError(nil, "\"%s\" must contain a map of %s maps. Found a [%s] instead",
			name, name[:len(name)-1], pyTypeClass(raw))
	}
	return m, nil
}

// ValidateStructure checks the top-level sections, the keys of resource
// and output definitions and that every resource has a type: Heat's
// Template.validate.
func (t *Template) ValidateStructure() error {
	t.analyse()
	return t.structureErr
}

func (t *Template) validateStructure() error {
	if err := t.boolKeyError(); err != nil {
		return err
	}
	allowed := t.Version.sections()
	for _, k := range sortedKeys(t.Raw) {
		if !slices.Contains(allowed, k) {
			return validationError(nil, "The template section is invalid: %s", k)
		}
	}
	res, err := t.section("resources")
	if err != nil {
		return err
	}
	if err := validateDefinitions("resources", "type", res, t.Version.resourceKeys()); err != nil {
		return err
	}
	outs, err := t.section("outputs")
	if err != nil {
		return err
	}
	return validateDefinitions("outputs", "value", outs, t.Version.outputKeys())
}

// validateDefinitions mirrors HOT's validate_section: every entry is a
// non-empty map of known keys containing the required key.
func validateDefinitions(section, required string, data map[string]any, allowed []string) error {
	obj := section[:len(section)-1]
	missing := fmt.Sprintf("Each %s must contain a %s key.", obj, required)
	for _, name := range sortedKeys(data) {
		m, ok := data[name].(map[string]any)
		if data[name] == nil || (ok && len(m) == 0) {
			return validationError(nil, "%s", missing)
		}
		if !ok {
			return validationError(nil, "\"%s\" must contain a map of %s maps. Found a [%s] instead",
				section, obj, pyTypeClass(data[name]))
		}
		for _, k := range sortedKeys(m) {
			if !slices.Contains(allowed, k) {
				return validationError(nil, "\"%s\" is not a valid keyword inside a %s definition", k, obj)
			}
		}
		if _, ok := m[required]; !ok {
			return validationError(nil, "%s", missing)
		}
	}
	return nil
}

// ResourceNames returns the names of all resources declared in the
// template, enabled or not, sorted. The slice is shared: callers must not
// modify it.
func (t *Template) ResourceNames() []string {
	t.analyse()
	return t.resourceNames
}

// OutputNames returns the names of the outputs, sorted. The slice is
// shared: callers must not modify it.
func (t *Template) OutputNames() []string {
	t.analyse()
	return t.outputNames
}
