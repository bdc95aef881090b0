package magnum

import (
	"encoding/json"
	"slices"
	"strings"
)

// labelsDiff compares an object's labels with its parent's (a cluster's
// with its template's, a node group's with its cluster's): overridden
// holds the parent's value of keys whose value differs, added the keys
// only the object has, skipped the parent's keys the object lacks.
func labelsDiff(parent, labels map[string]string) (overridden, added, skipped map[string]string) {
	overridden, added, skipped = map[string]string{}, map[string]string{}, map[string]string{}
	for k, v := range parent {
		if _, ok := labels[k]; !ok {
			skipped[k] = v
		}
	}
	for k, v := range labels {
		pv, ok := parent[k]
		switch {
		case !ok:
			added[k] = v
		case pv != v:
			overridden[k] = pv
		}
	}
	return overridden, added, skipped
}

// mergeLabels returns the labels an object gets: the parent's when none
// are given, the given ones over the parent's with merge, else the given
// ones alone.
func mergeLabels(parent, given map[string]string, merge bool) map[string]string {
	out := map[string]string{}
	if len(given) == 0 || merge {
		for k, v := range parent {
			out[k] = v
		}
	}
	for k, v := range given {
		out[k] = v
	}
	return out
}

var (
	mesosIsolations     = []string{"filesystem/posix", "filesystem/linux", "filesystem/shared", "posix/cpu", "posix/mem", "posix/disk", "cgroups/cpu", "cgroups/mem", "docker/runtime", "namespaces/pid"}
	mesosImageProviders = []string{"docker", "appc"}
	swarmStrategies     = []string{"spread", "binpack", "random"}
)

// validateLabels applies the label checks Magnum makes for every COE.
func validateLabels(labels map[string]string) error {
	if v, ok := labels["mesos_slave_isolation"]; ok {
		if bad := notIn(strings.Split(v, ","), mesosIsolations); len(bad) > 0 {
			return invalidf(`property "labels/mesos_slave_isolation" with value "%s" is not supported, supported values are: %s`,
				strings.Join(bad, ", "), strings.Join(append(slices.Clone(mesosIsolations), "unspecified"), ", "))
		}
	}
	if v, ok := labels["mesos_slave_image_providers"]; ok {
		if err := validateImageProviders(v, labels); err != nil {
			return err
		}
	}
	if v, ok := labels["mesos_slave_executor_env_variables"]; ok && !json.Valid([]byte(v)) {
		return invalidf("Json format error")
	}
	if v, ok := labels["swarm_strategy"]; ok {
		if bad := notIn(strings.Fields(v), swarmStrategies); len(bad) > 0 {
			return invalidf(`property "labels/swarm_strategy" with value "%s" is not supported, supported values are: %s`,
				strings.Join(bad, " "), strings.Join(append(slices.Clone(swarmStrategies), "unspecified"), ", "))
		}
	}
	return nil
}

func validateImageProviders(v string, labels map[string]string) error {
	for _, p := range strings.Split(v, ",") {
		p = strings.ToLower(p)
		if !slices.Contains(mesosImageProviders, p) {
			return invalidf(`property "labels/mesos_slave_image_providers" with value "%s" is not supported, supported values are: %s`,
				p, strings.Join(append(slices.Clone(mesosImageProviders), "unspecified"), ", "))
		}
		if p == "docker" && !slices.Contains(strings.Split(labels["mesos_slave_isolation"], ","), "docker/runtime") {
			return invalidf("Docker runtime isolator has to be specified if 'docker' is included in " +
				"'mesos_slave_image_providers' Please add 'docker/runtime' to 'mesos_slave_isolation' labels flags")
		}
	}
	return nil
}

func notIn(values, allowed []string) []string {
	var bad []string
	for _, v := range values {
		if !slices.Contains(allowed, v) {
			bad = append(bad, v)
		}
	}
	return bad
}
