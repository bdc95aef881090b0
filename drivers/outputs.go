package drivers

// StringList returns a list output of the stack as strings (Heat gives a
// list of addresses as a JSON array). Elements that are not non-empty
// strings are left out; an output that is missing or no list gives nil.
func (s StackState) StringList(output string) []string {
	var out []string
	switch v := s.Outputs[output].(type) {
	case []string:
		for _, e := range v {
			if e != "" {
				out = append(out, e)
			}
		}
	case []any:
		for _, e := range v {
			if e, ok := e.(string); ok && e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}
