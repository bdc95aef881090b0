// Package hot is the Heat Orchestration Template language as Heat 19
// implements it: template versions from 2013-05-23 to wallaby, parameters
// and their constraints, parameter groups, conditions, the intrinsic
// functions (with Heat's Python value semantics, such as booleans printed
// as "True"), a subset of yaql, and environments with their resource
// registry.
//
// The package knows nothing about the life of a stack. A stack engine
// parses a template with Parse, binds parameters with Template.Bind, and
// evaluates the parsed snippets through a Scope it implements; the Scope
// answers for resources, files and conditions.
//
// Values follow the JSON data model: nil, bool, int, float64, string,
// []any and map[string]any.
package hot
