package hot

import "slices"

// ValidateParameterGroups checks the parameter_groups section: a list of
// groups, each listing declared parameters, none in two groups.
func (t *Template) ValidateParameterGroups() error {
	t.analyse()
	return t.groupsErr
}

func (t *Template) validateParameterGroups() error {
	raw, ok := t.Raw["parameter_groups"]
	if !ok || !truthy(raw) {
		return nil
	}
	groups, ok := raw.([]any)
	if !ok {
		return groupError([]string{"parameter_groups"}, "The parameter_groups should be a list.")
	}
	names := append(sortedKeys(t.Params), ParamStackID, ParamProjectID)
	var grouped []string
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		label := PyStr(gm["label"])
		if gm["label"] == nil {
			label = ""
		}
		path := []string{"parameter_groups", label}
		params, ok := gm["parameters"]
		if !ok || params == nil {
			return groupError(path, "The parameters must be provided for each parameter group.")
		}
		list, ok := params.([]any)
		if !ok {
			return groupError(path, "The parameters of parameter group should be a list.")
		}
		for _, p := range list {
			name := PyStr(p)
			if slices.Contains(grouped, name) {
				return groupError(path, "The "+name+" parameter must be assigned to one parameter group only.")
			}
			grouped = append(grouped, name)
			if !slices.Contains(names, name) {
				return groupError(path, "The grouped parameter "+name+" does not reference a valid parameter.")
			}
		}
	}
	return nil
}

func groupError(path []string, msg string) error {
	return &Error{Type: TypeStackValidationFailed, Class: "Parameter Groups error", Path: path, Message: msg}
}
