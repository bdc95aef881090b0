package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// OS::Heat::ResourceGroup: count identical members, numbered from 0,
// in a nested stack.

func init() {
	groupKind.create, groupKind.update, groupKind.delete = createGroup, updateGroup, deleteNested
	register(groupKind)
	nestedKinds[groupKind] = groupChild
}

var groupKind = &kind{
	name: "OS::Heat::ResourceGroup", class: "ResourceGroup", nested: true,
	props: schema{
		"count":     p(tInteger).dflt(1).between(0, nil).upd(),
		"index_var": p(tString).dflt("%index%").with(map[string]any{"length": map[string]any{"min": 3}}),
		"resource_def": p(tMap).req().upd().of(map[string]*prop{
			"type":       p(tString).req(),
			"properties": p(tMap),
			"metadata":   p(tMap),
		}),
		"removal_policies": p(tList).dflt([]any{}).upd().items(p(tMap).of(map[string]*prop{
			"resource_list": p(tList).dflt([]any{}),
		})),
		"removal_policies_mode": p(tString).dflt("append").allowed("append", "update").upd(),
	},
	attr: groupAttr, has: func(*resource, string) bool { return true },
}

// groupAttrs are the attributes of the group itself.
var groupAttrs = []string{"refs", "refs_map", "attributes", "removed_rsrc_list"}

// skiplist returns the member names removal policies took out.
func skiplist(r *resource) []string {
	s, _ := r.rec.Data["name_blacklist"].(string)
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// groupCount is the number of members a group's properties ask for.
func groupCount(props map[string]any) int {
	count := intOf(props["count"])
	return count
}

// memberNames returns the names of count members, skipping removed ones.
// The count must have passed checkGroupSize.
func memberNames(r *resource, props map[string]any) []string {
	return firstMembers(r, groupCount(props))
}

// firstMembers returns the names of the first n members, skipping
// removed ones.
func firstMembers(r *resource, n int) []string {
	skip := skiplist(r)
	names := make([]string, 0, n)
	for i := 0; len(names) < n; i++ {
		if name := strconv.Itoa(i); !slices.Contains(skip, name) {
			names = append(names, name)
		}
	}
	return names
}

// memberDefinition builds one member's definition, substituting the
// index variable in its properties. Null properties are left out unless
// keepNull, as Heat's get_resource_def does unless include_all: the
// group's validation keeps them (a property fed by a resource not created
// yet is null then, yet assigned), its create and update drop them.
func memberDefinition(props map[string]any, name string, keepNull bool) map[string]any {
	rd, _ := props["resource_def"].(map[string]any)
	indexVar, _ := props["index_var"].(string)
	def := map[string]any{"type": rd["type"]}
	if p, ok := rd["properties"].(map[string]any); ok && len(p) > 0 {
		clean := map[string]any{}
		for k, v := range p {
			if v != nil || keepNull {
				clean[k] = substituteIndex(v, indexVar, name)
			}
		}
		def["properties"] = clean
	}
	if m, ok := rd["metadata"].(map[string]any); ok {
		def["metadata"] = m
	}
	return def
}

func substituteIndex(v any, indexVar, name string) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, indexVar, name)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = substituteIndex(e, indexVar, name)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = substituteIndex(e, indexVar, name)
		}
		return out
	}
	return v
}

// groupTemplate renders the nested template of given member definitions.
func groupTemplate(members map[string]map[string]any) string {
	res := make(map[string]any, len(members))
	for n, d := range members {
		res[n] = d
	}
	b, _ := json.Marshal(map[string]any{hot.VersionKey: "2015-04-30", "resources": res})
	return string(b)
}

// groupChild builds a group's nested stack. Validating, it holds the
// first member only, as Heat's validate_nested_stack does: members differ
// only by their index, and the count is checked when the group is
// created or updated. Otherwise the count is checked here too, where the
// members are built.
func groupChild(s *stack, r *resource, props map[string]any, validating bool) (stackDefinition, error) {
	n := groupCount(props)
	if validating {
		n = min(n, 1)
	} else if err := s.e.checkGroupSize(props); err != nil {
		return stackDefinition{}, err
	}
	members := make(map[string]map[string]any, n)
	for _, name := range firstMembers(r, n) {
		members[name] = memberDefinition(props, name, validating)
	}
	return groupDefinition(s, members), nil
}

func groupDefinition(s *stack, members map[string]map[string]any) stackDefinition {
	return stackDefinition{Template: groupTemplate(members), Files: s.rec.Definition.Files, Env: childEnv(s, "")}
}

// updateSkiplist applies removal_policies: listed names (or references
// of members) are never used again. On an update the list is persisted
// at once, as it depends on the members then; on a create it depends on
// the policies alone and is persisted with the group's physical ID.
func (e *Engine) updateSkiplist(o *op) {
	members, refs := e.groupMembers(o.r)
	o.s.mu.Lock()
	defer o.s.mu.Unlock()
	current := skiplist(o.r)
	set := map[string]bool{}
	if mode, _ := o.props["removal_policies_mode"].(string); mode != "update" {
		for _, n := range current {
			set[n] = true
		}
	}
	for _, n := range removalEntries(o.props) {
		str := hot.PyStr(n)
		switch {
		case slices.Contains(current, str) || o.r.rec.PhysicalID == "" || slices.Contains(members, str):
			set[str] = true
		case isString(n):
			for _, m := range members {
				if refs[m] == n {
					set[m] = true
					break
				}
			}
		}
	}
	names := sortedKeys(set)
	if o.r.rec.Data == nil {
		o.r.rec.Data = map[string]any{}
	}
	o.r.rec.Data["name_blacklist"] = strings.Join(names, ",")
	if o.r.rec.PhysicalID != "" {
		e.saveResource(o.s, o.r, false)
	}
}

func isString(v any) bool { _, ok := v.(string); return ok }

func removalEntries(props map[string]any) []any {
	var out []any
	for _, pol := range asList(props["removal_policies"]) {
		m, _ := pol.(map[string]any)
		out = append(out, asList(m["resource_list"])...)
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

// groupMembers returns the nested stack's member names and references.
func (e *Engine) groupMembers(r *resource) ([]string, map[string]any) {
	r.s.mu.Lock()
	child := e.nestedOf(r)
	r.s.mu.Unlock()
	refs := map[string]any{}
	if child == nil {
		return nil, refs
	}
	child.mu.Lock()
	defer child.mu.Unlock()
	names := sortedKeys(child.resources)
	for _, n := range names {
		refs[n], _ = hotResource{child.resources[n]}.RefID()
	}
	return names, refs
}

func updatePolicy(r *resource, key string) (map[string]any, bool) {
	up, err := hot.Resolve(r.def.UpdatePolicy)
	if err != nil {
		return nil, false
	}
	m, _ := up.(map[string]any)
	pol, ok := m[key].(map[string]any)
	return pol, ok
}

func policyNum(pol map[string]any, key string, def float64) float64 {
	if v, ok := toFloat(pol[key]); ok {
		return v
	}
	if s, ok := pol[key].(string); ok {
		if f, err := hot.PyFloat(s); err == nil {
			return f
		}
	}
	return def
}

func createGroup(ctx context.Context, o *op) error {
	if err := o.e.checkGroupSize(o.props); err != nil {
		return err
	}
	o.e.updateSkiplist(o)
	o.s.mu.Lock()
	pol, batched := updatePolicy(o.r, "batch_create")
	o.s.mu.Unlock()
	if !batched || groupCount(o.props) == 0 {
		return createNested(ctx, o)
	}
	saved := o.props
	o.props = map[string]any{"count": 0}
	err := createNested(ctx, o)
	o.props = saved
	if err != nil {
		return err
	}
	return o.e.rollingUpdate(ctx, o, 0, pol)
}

func updateGroup(ctx context.Context, o *op) error {
	if err := o.e.checkGroupSize(o.props); err != nil {
		return err
	}
	o.e.updateSkiplist(o)
	o.s.mu.Lock()
	pol, rolling := updatePolicy(o.r, "rolling_update")
	o.s.mu.Unlock()
	if rolling && contains(o.changed, "resource_def") {
		return o.e.rollingUpdate(ctx, o, int(policyNum(pol, "min_in_service", 0)), pol)
	}
	return updateNestedSimple(ctx, o)
}

// rollingUpdate replaces members in batches of max_batch_size, keeping
// min_in_service members, pausing pause_time between batches (Heat's
// ResourceGroup._replace).
func (e *Engine) rollingUpdate(ctx context.Context, o *op, minInService int, pol map[string]any) error {
	batch := int(policyNum(pol, "max_batch_size", 1))
	pause := time.Duration(policyNum(pol, "pause_time", 0) * float64(time.Second))
	members, _ := e.groupMembers(o.r)
	o.s.mu.Lock()
	target := groupCount(o.props)
	skipped := 0
	for _, m := range members {
		if slices.Contains(skiplist(o.r), m) {
			skipped++
		}
	}
	o.s.mu.Unlock()
	batches := rollingBatches(target, len(members)-skipped, max(batch, 1), minInService)
	for i, b := range batches {
		if err := e.runBatch(ctx, o, b.capacity, b.fresh); err != nil {
			return err
		}
		if i < len(batches)-1 && pause > 0 {
			if err := o.sleep(ctx, pause); err != nil {
				return err
			}
		}
	}
	return nil
}

type rollBatch struct{ capacity, fresh int }

// rollingBatches is Heat's _get_batches over needs_update and next_batch.
func rollingBatches(target, current, batch, minInService int) []rollBatch {
	var out []rollBatch
	updated := 0
	for !(updated >= current && current == target) {
		effMin := min(minInService, target, current)
		effBatch := min(batch, max(target-updated, 0))
		capacity := effBatch + max(min(current, target-effBatch), effMin)
		out = append(out, rollBatch{capacity: capacity, fresh: effBatch})
		updated += effBatch - max(capacity-max(current, target), 0)
		current = capacity
		if len(out) > 10000 {
			break
		}
	}
	return out
}

// runBatch updates the nested stack to capacity members of which up to
// fresh get the new definition, highest indices first.
func (e *Engine) runBatch(ctx context.Context, o *op, capacity, fresh int) error {
	o.s.mu.Lock()
	names := firstMembers(o.r, capacity)
	target := groupCount(o.props)
	skip := skiplist(o.r)
	props := o.props
	o.s.mu.Unlock()
	old := e.memberDefinitions(o.r, skip)
	members := rollingMembers(old, names, target, capacity, fresh, func(n string) map[string]any {
		return memberDefinition(props, n, false)
	})
	o.s.mu.Lock()
	d := groupDefinition(o.s, members)
	o.s.mu.Unlock()
	return e.updateNested(ctx, o, d)
}

// memberDefinitions returns the current definitions of the members not
// skipped, from the nested stack's template.
func (e *Engine) memberDefinitions(r *resource, skip []string) map[string]map[string]any {
	out := map[string]map[string]any{}
	child := e.nestedOf(r)
	if child == nil {
		return out
	}
	child.mu.Lock()
	tmpl := child.rec.Definition.Template
	child.mu.Unlock()
	var doc struct {
		Resources map[string]map[string]any `json:"resources"`
	}
	_ = json.Unmarshal([]byte(tmpl), &doc)
	for n, d := range doc.Resources {
		if !slices.Contains(skip, n) {
			out[n] = d
		}
	}
	return out
}

// rollingMembers is Heat's member_definitions with the group's
// replacement priority.
func rollingMembers(old map[string]map[string]any, names []string, target, capacity, fresh int,
	build func(string) map[string]any) map[string]map[string]any {
	priority := func(n string) int {
		i := slices.Index(names, n)
		switch {
		case i < 0:
			return 0
		case i < target:
			return target - i
		}
		return capacity
	}
	existing := sortedKeys(old)
	slices.SortStableFunc(existing, func(a, b string) int { return priority(a) - priority(b) })
	if len(existing) > capacity {
		existing = existing[len(existing)-capacity:]
	}
	replace := fresh - (capacity - len(existing))
	out := map[string]map[string]any{}
	for _, n := range existing {
		def := build(n)
		if replace > 0 && !hot.PyEqual(anyMap(old[n]), anyMap(def)) {
			replace--
			out[n] = def
			continue
		}
		out[n] = old[n]
	}
	for _, n := range names {
		if len(out) >= capacity {
			break
		}
		if _, used := old[n]; !used {
			out[n] = build(n)
		}
	}
	return out
}

func anyMap(m map[string]any) any {
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(m)
	var v any
	_ = json.Unmarshal(b, &v)
	return normalizeNumbers(v)
}

// normalizeNumbers turns JSON float64 integers back into ints so that
// definitions round-tripped through JSON compare equal.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	}
	return v
}

// groupAttr answers a group's attributes from its members.
func groupAttr(r *resource, key string, path []any) (any, error) {
	if key == "removed_rsrc_list" {
		out := []any{}
		for _, n := range skiplist(r) {
			out = append(out, n)
		}
		return out, nil
	}
	child := r.s.e.nestedOf(r)
	if child == nil {
		return nil, nil
	}
	if strings.HasPrefix(key, "resource.") {
		return nestedResourceAttr(r, child, key, path)
	}
	names := memberNames(r, r.rec.Props)
	child.mu.Lock()
	defer child.mu.Unlock()
	return memberAttrs(r, child, names, key, path)
}

func memberAttrs(r *resource, child *stack, names []string, key string, path []any) (any, error) {
	one := func(n, attr string, p []any) (any, error) {
		m := child.resources[n]
		if m == nil {
			return nil, nil
		}
		if attr == "" {
			return hotResource{m}.RefID()
		}
		return hotResource{m}.Attribute(attr, p)
	}
	switch key {
	case "refs", "refs_map":
		return collectMembers(names, key == "refs_map", func(n string) (any, error) { return one(n, "", nil) }, path)
	case "attributes":
		if len(path) == 0 {
			return nil, &hot.Error{Type: hot.TypeInvalidTemplateAttr,
				Message: fmt.Sprintf("The Referenced Attribute (%s attributes) is incorrect.", r.rec.Name)}
		}
		return collectMembers(names, true, func(n string) (any, error) { return one(n, hot.PyStr(path[0]), path[1:]) }, nil)
	}
	return collectMembers(names, false, func(n string) (any, error) { return one(n, key, path) }, nil)
}

// collectMembers gathers a value per member as a list (or a map by
// name), then follows path into it.
func collectMembers(names []string, asMap bool, get func(string) (any, error), path []any) (any, error) {
	list := make([]any, 0, len(names))
	m := make(map[string]any, len(names))
	for _, n := range names {
		v, err := get(n)
		if err != nil {
			return nil, err
		}
		list, m[n] = append(list, v), v
	}
	if asMap {
		return m, nil
	}
	return hot.SelectPath(list, path), nil
}

// validateGroupAttrs checks the member attributes the stack reads from
// the group, reporting a bad one the way Heat's nested validation does.
func (e *Engine) validateGroupAttrs(s *stack, r *resource, child *stack) error {
	names := sortedKeys(child.resources)
	if len(names) == 0 {
		return nil
	}
	first := hotResource{child.resources[names[0]]}
	for _, ref := range groupRefs(s, r.rec.Name) {
		attr, outName, valuePath := memberAttrRef(ref)
		if attr == "" || first.HasAttribute(attr) {
			continue
		}
		return &hot.Error{Type: hot.TypeStackValidationFailed,
			Path:    []string{"resources", r.rec.Name + "<nested_stack>", "outputs", outName, valuePath, "get_attr"},
			Message: fmt.Sprintf("The Referenced Attribute (%s %s) is incorrect.", names[0], attr)}
	}
	return nil
}

// groupRefs lists the get_attr references to a resource in the stack's
// definitions and outputs.
func groupRefs(s *stack, name string) []hot.AttributeRef {
	var snippets []any
	for _, n := range sortedKeys(s.def.defs) {
		d := s.def.defs[n]
		snippets = append(snippets, d.Properties, d.Metadata)
	}
	for _, n := range sortedKeys(s.def.outputs) {
		snippets = append(snippets, s.def.outputs[n].Value)
	}
	var refs []hot.AttributeRef
	for _, sn := range snippets {
		for _, ref := range hot.AttributeRefs(sn) {
			if ref.Resource == name {
				refs = append(refs, ref)
			}
		}
	}
	return refs
}

// memberAttrRef returns the member attribute a group reference reads,
// with the nested output name and value path Heat would report.
func memberAttrRef(ref hot.AttributeRef) (attr, outName, valuePath string) {
	parts := []string{ref.Attr}
	for _, p := range ref.Path {
		parts = append(parts, hot.PyStr(p))
	}
	outName = strings.Join(parts, ", ")
	switch {
	case ref.Attr == "" || slices.Contains(groupAttrs[:2], ref.Attr) || ref.Attr == "removed_rsrc_list":
		return "", "", ""
	case ref.Attr == "attributes" && len(ref.Path) > 0:
		return hot.PyStr(ref.Path[0]), outName, "Value[0]"
	case ref.Attr == "attributes":
		return "", "", ""
	case strings.HasPrefix(ref.Attr, "resource."):
		bits := strings.SplitN(ref.Attr, ".", 3)
		if len(bits) == 3 {
			return bits[2], outName, "Value"
		}
		return "", "", ""
	}
	return ref.Attr, outName, "Value[0]"
}
