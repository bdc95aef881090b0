package hot

import "slices"

// badRequestText is the message of Heat's API when a request fails in
// a way it does not explain (webob's default explanation).
const badRequestText = "The server could not comply with the request since it is either malformed or otherwise incorrect."

// boolKeyError reports the first boolean key standing where Heat 19
// expects a name, with the error Heat gives: PyYAML reads an unquoted
// on, yes or off as True or False, and Heat fails on the boolean where
// it needs a string. A boolean key inside a value is kept as "true" or
// "false", as Heat's JSON output shows it.
func (t *Template) boolKeyError() error {
	for _, bk := range t.boolKeys {
		py := pyScalar(bk.value)
		switch {
		case len(bk.path) == 0:
			return validationError(nil, "The template section is invalid: %s", py)
		case len(bk.path) == 1 && slices.Contains([]string{"parameters", "outputs", "conditions", "parameter_groups"}, bk.path[0]):
			return &Error{Type: TypeBadRequest, Message: badRequestText}
		case len(bk.path) == 1 && bk.path[0] == "resources":
			if res, _ := t.Raw["resources"].(map[string]any); len(res) > 1 {
				return validationError(nil, "'<' not supported between instances of 'bool' and 'str'")
			}
			return validationError(nil, "sequence item 1: expected str instance, bool found")
		case len(bk.path) == 2 && bk.path[0] == "resources":
			// Heat's message leaves its placeholder unfilled.
			return validationError(nil, "\"%%s\" is not a valid keyword inside a %s definition", py)
		}
	}
	return nil
}
