package hot

import (
	"slices"
	"strings"
)

// VersionKey is the template key naming the HOT version.
const VersionKey = "heat_template_version"

// Version is one heat_template_version: its canonical date and the
// language features that date brings.
type Version struct {
	// Date is the canonical version ("2018-08-31"), also for a release
	// name ("rocky").
	Date string
	// Name is the value written in the template.
	Name string
}

// versionDates lists the supported versions in order.
var versionDates = []string{
	"2013-05-23", "2014-10-16", "2015-04-30", "2015-10-15", "2016-04-08",
	"2016-10-14", "2017-02-24", "2017-09-01", "2018-03-02", "2018-08-31",
	"2021-04-16",
}

// versionAliases maps release names to dates.
var versionAliases = map[string]string{
	"newton": "2016-10-14", "ocata": "2017-02-24", "pike": "2017-09-01",
	"queens": "2018-03-02", "rocky": "2018-08-31", "wallaby": "2021-04-16",
}

// lookupVersion resolves a heat_template_version value.
func lookupVersion(v string) (Version, bool) {
	if d, ok := versionAliases[v]; ok {
		return Version{Date: d, Name: v}, true
	}
	if slices.Contains(versionDates, v) {
		return Version{Date: v, Name: v}, true
	}
	return Version{}, false
}

// availableVersions returns the sorted list Heat prints when a version is
// unknown.
func availableVersions() string {
	all := slices.Clone(versionDates)
	for k := range versionAliases {
		all = append(all, k)
	}
	slices.Sort(all)
	return strings.Join(all, ", ")
}

// AtLeast reports whether the version is the given date or later.
func (v Version) AtLeast(date string) bool { return v.Date >= date }

// HasConditions reports whether the version has the conditions section
// and the condition keys of resources and outputs.
func (v Version) HasConditions() bool { return v.AtLeast("2016-10-14") }

// functionKind names the implementation a version binds a function name to.
type functionKind int

const (
	fnRemoved functionKind = iota
	fnGetParam
	fnGetResource
	fnGetAttrThenSelect
	fnGetAttr
	fnGetAttrAll
	fnGetFile
	fnJoin
	fnJoinMultiple
	fnReplace
	fnReplaceJSON
	fnReplaceStrict
	fnReplaceVeryStrict
	fnRepeat
	fnRepeatWithMap
	fnRepeatNested
	fnDigest
	fnStrSplit
	fnMapMerge
	fnMapReplace
	fnYaql
	fnIf
	fnIfNullable
	fnFilter
	fnMakeURL
	fnListConcat
	fnListConcatUnique
	fnContains
	fnResourceFacade
	fnEquals
	fnNot
	fnAnd
	fnOr
	fnInvalid
	fnCfnRef
	fnCfnSelect
	fnCfnJoin
	fnCfnSplit
	fnCfnReplace
	fnCfnBase64
	fnCfnGetAZs
	fnCfnMemberListToMap
	fnCfnResourceFacade
)

var cfnRemovedIn20141016 = []string{
	"Fn::GetAZs", "Fn::Join", "Fn::Split", "Fn::Replace", "Fn::Base64",
	"Fn::MemberListToMap", "Fn::ResourceFacade", "Ref",
}

// Function tables are built once per version; parsers only read them.
var (
	functionTables  = map[string]map[string]functionKind{}
	conditionTables = map[string]map[string]functionKind{}
)

func init() {
	for _, d := range versionDates {
		v := Version{Date: d}
		functionTables[d], conditionTables[d] = v.buildFunctions(), v.buildConditionFunctions()
	}
}

// functions returns the function table of the version.
func (v Version) functions() map[string]functionKind { return functionTables[v.Date] }

// conditionFunctions returns the table used to parse conditions.
func (v Version) conditionFunctions() map[string]functionKind { return conditionTables[v.Date] }

func (v Version) buildFunctions() map[string]functionKind {
	if v.Date == "2013-05-23" {
		return map[string]functionKind{
			"Fn::GetAZs": fnCfnGetAZs, "get_param": fnGetParam, "get_resource": fnGetResource,
			"Ref": fnCfnRef, "get_attr": fnGetAttrThenSelect, "Fn::Select": fnCfnSelect,
			"Fn::Join": fnCfnJoin, "list_join": fnJoin, "Fn::Split": fnCfnSplit,
			"str_replace": fnReplace, "Fn::Replace": fnCfnReplace, "Fn::Base64": fnCfnBase64,
			"Fn::MemberListToMap": fnCfnMemberListToMap, "resource_facade": fnResourceFacade,
			"Fn::ResourceFacade": fnCfnResourceFacade, "get_file": fnGetFile,
		}
	}
	f := map[string]functionKind{
		"get_attr": fnGetAttr, "get_file": fnGetFile, "get_param": fnGetParam,
		"get_resource": fnGetResource, "list_join": fnJoin,
		"resource_facade": fnResourceFacade, "str_replace": fnReplace,
		"Fn::Select": fnCfnSelect,
	}
	for _, n := range cfnRemovedIn20141016 {
		f[n] = fnRemoved
	}
	v.addLaterFunctions(f)
	return f
}

func (v Version) addLaterFunctions(f map[string]functionKind) {
	if v.AtLeast("2015-04-30") {
		f["repeat"], f["digest"] = fnRepeat, fnDigest
	}
	if v.AtLeast("2015-10-15") {
		f["get_attr"], f["list_join"], f["str_replace"] = fnGetAttrAll, fnJoinMultiple, fnReplaceJSON
		f["str_split"], f["Fn::Select"] = fnStrSplit, fnRemoved
	}
	if v.AtLeast("2016-04-08") {
		f["map_merge"] = fnMapMerge
	}
	if v.AtLeast("2016-10-14") {
		f["repeat"], f["yaql"], f["map_replace"], f["if"] = fnRepeatWithMap, fnYaql, fnMapReplace, fnIf
	}
	if v.AtLeast("2017-02-24") {
		f["filter"], f["str_replace_strict"] = fnFilter, fnReplaceStrict
	}
	if v.AtLeast("2017-09-01") {
		f["repeat"], f["make_url"], f["list_concat"] = fnRepeatNested, fnMakeURL, fnListConcat
		f["str_replace_vstrict"], f["list_concat_unique"], f["contains"] = fnReplaceVeryStrict, fnListConcatUnique, fnContains
	}
	if v.AtLeast("2021-04-16") {
		f["if"] = fnIfNullable
	}
}

// buildConditionFunctions builds the condition table: the condition
// functions, every other function marked invalid, and removed functions
// kept as removed.
func (v Version) buildConditionFunctions() map[string]functionKind {
	f := map[string]functionKind{}
	for n, k := range v.buildFunctions() {
		if k == fnRemoved {
			f[n] = fnRemoved
		} else {
			f[n] = fnInvalid
		}
	}
	f["get_param"], f["equals"], f["not"], f["and"], f["or"] = fnGetParam, fnEquals, fnNot, fnAnd, fnOr
	if v.AtLeast("2017-09-01") {
		f["yaql"], f["contains"] = fnYaql, fnContains
	}
	return f
}

// The keys allowed in a resource definition, without and with
// conditions.
var (
	resourceKeys           = []string{"type", "properties", "metadata", "depends_on", "deletion_policy", "update_policy", "description"}
	resourceKeysConditions = append(slices.Clone(resourceKeys), "external_id", "condition")
)

// resourceKeys returns the keys allowed in a resource definition; the
// slice is shared.
func (v Version) resourceKeys() []string {
	if v.HasConditions() {
		return resourceKeysConditions
	}
	return resourceKeys
}

// outputKeys returns the keys allowed in an output definition.
func (v Version) outputKeys() []string {
	if v.HasConditions() {
		return []string{"description", "value", "condition"}
	}
	return []string{"description", "value"}
}

// sections returns the top-level sections allowed in a template.
func (v Version) sections() []string {
	s := []string{VersionKey, "description", "parameter_groups", "parameters", "resources", "outputs", "__undefined__"}
	if v.HasConditions() {
		s = append(s, "conditions")
	}
	return s
}

// paramKeys returns the keys allowed in a parameter definition.
func (v Version) paramKeys() []string {
	k := []string{"type", "description", "default", "schema", "constraints", "hidden", "label", "immutable"}
	if v.AtLeast("2018-03-02") {
		k = append(k, "tags")
	}
	return k
}

// deletionPolicies maps accepted deletion_policy values to canonical ones.
func (v Version) deletionPolicies() map[string]string {
	p := map[string]string{"Delete": "Delete", "Retain": "Retain", "Snapshot": "Snapshot"}
	if v.HasConditions() {
		p["delete"], p["retain"], p["snapshot"] = "Delete", "Retain", "Snapshot"
	}
	return p
}
