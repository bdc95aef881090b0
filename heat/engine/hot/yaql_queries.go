package hot

import (
	"fmt"
	"slices"
)

// The query methods of yaql's standard library that Heat 19's yaql
// function provides and templates use to reshape collections: sorting,
// grouping, joining, slicing.

// yaqlQueries are the query methods taking their receiver evaluated;
// sorting chains and the join of collections are dispatched by call.
var yaqlQueries map[string]yaqlMethod

func init() {
	yaqlQueries = map[string]yaqlMethod{
		"groupBy":    yGroupBy,
		"skip":       ySkip,
		"limit":      yLimit,
		"take":       yLimit,
		"selectMany": ySelectMany,
		"reverse":    yReverse,
		"indexOf":    yIndexOf,
	}
}

// orderField is one key of a sort: the selector and its direction.
type orderField struct {
	sel  yaqlNode
	desc bool
}

// orderings are the methods that sort: orderBy starts a chain, thenBy
// refines the order a chain gave.
var orderings = map[string]bool{"orderBy": false, "orderByDescending": true, "thenBy": false, "thenByDescending": true}

// orderChain returns the collection an orderBy…thenBy chain ending at c
// sorts and its fields, first key first. thenBy needs an orderBy (or
// thenBy) as its receiver, as in yaql.
func orderChain(c *yCall) (yaqlNode, []orderField, error) {
	var fields []orderField
	for {
		recv, args := c.recv, c.args
		if recv == nil && len(args) > 0 {
			recv, args = args[0], args[1:]
		}
		if len(args) != 1 {
			return nil, nil, fmt.Errorf("%s() takes one selector", c.name)
		}
		fields = append(fields, orderField{sel: args[0], desc: orderings[c.name]})
		if c.name == "orderBy" || c.name == "orderByDescending" {
			slices.Reverse(fields)
			return recv, fields, nil
		}
		prev, ok := recv.(*yCall)
		if _, sorts := orderings[nameOf(prev)]; !ok || !sorts {
			return nil, nil, fmt.Errorf("%s() applies to the result of orderBy()", c.name)
		}
		c = prev
	}
}

func nameOf(c *yCall) string {
	if c == nil {
		return ""
	}
	return c.name
}

// sortChain evaluates an orderBy…thenBy chain: a stable sort on each
// field in turn, as yaql's OrderingIterable.
func (e *yaqlEnv) sortChain(c *yCall) (any, error) {
	base, fields, err := orderChain(c)
	if err != nil {
		return nil, err
	}
	recv, err := e.eval(base)
	if err != nil {
		return nil, err
	}
	items, err := collection(recv)
	if err != nil {
		return nil, err
	}
	keys := make([][]any, len(items))
	for i, it := range items {
		keys[i] = make([]any, len(fields))
		for j, f := range fields {
			if keys[i][j], err = e.with(it).eval(f.sel); err != nil {
				return nil, err
			}
		}
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	slices.SortStableFunc(idx, func(a, b int) int {
		for j, f := range fields {
			c, err := order(keys[a][j], keys[b][j])
			if err != nil && cmpErr == nil {
				cmpErr = err
			}
			if f.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	if cmpErr != nil {
		return nil, cmpErr
	}
	out := make([]any, len(idx))
	for i, k := range idx {
		out[i] = items[k]
	}
	return out, nil
}

// order compares two sort keys with yaql's < and >.
func order(a, b any) (int, error) {
	lt, err := compare("<", a, b)
	if err != nil {
		return 0, err
	}
	if lt == true {
		return -1, nil
	}
	gt, err := compare(">", a, b)
	if err != nil {
		return 0, err
	}
	if gt == true {
		return 1, nil
	}
	return 0, nil
}

// yGroupBy is groupBy(keySelector, valueSelector => null, aggregator =>
// null): [key, values] pairs in the order keys first appear, the
// aggregator applied to each list of values.
func yGroupBy(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	if len(args) < 1 || len(args) > 3 {
		return nil, fmt.Errorf("groupBy() takes one to three selectors")
	}
	var groups [][2]any
	for _, it := range items {
		key, val, err := e.groupEntry(it, args)
		if err != nil {
			return nil, err
		}
		if _, ok := key.([]any); ok {
			return nil, fmt.Errorf("unhashable type: 'list'")
		}
		i := slices.IndexFunc(groups, func(g [2]any) bool { return PyEqual(g[0], key) })
		if i < 0 {
			groups = append(groups, [2]any{key, []any{}})
			i = len(groups) - 1
		}
		groups[i][1] = append(groups[i][1].([]any), val)
	}
	out := make([]any, len(groups))
	for i, g := range groups {
		if len(args) == 3 && args[2] != nil {
			if g[1], err = e.with(g[1]).eval(args[2]); err != nil {
				return nil, err
			}
		}
		out[i] = []any{g[0], g[1]}
	}
	return out, nil
}

// groupEntry returns the key and the value groupBy files an item under.
func (e *yaqlEnv) groupEntry(it any, args []yaqlNode) (key, val any, err error) {
	if key, err = e.with(it).eval(args[0]); err != nil {
		return nil, nil, err
	}
	val = it
	if len(args) > 1 && args[1] != nil {
		if val, err = e.with(it).eval(args[1]); err != nil {
			return nil, nil, err
		}
	}
	return key, val, nil
}

// joinCollections is collection1.join(collection2, predicate, selector):
// the selector of every pair ($1 from the receiver, $2 from the other
// collection) the predicate accepts.
func (e *yaqlEnv) joinCollections(left any, args []yaqlNode) (any, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("join() of collections takes a collection, a predicate and a selector")
	}
	l, err := collection(left)
	if err != nil {
		return nil, err
	}
	other, err := e.eval(args[0])
	if err != nil {
		return nil, err
	}
	r, err := collection(other)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, a := range l {
		for _, b := range r {
			pair := e.withPair(a, b)
			ok, err := pair.eval(args[1])
			if err != nil {
				return nil, err
			}
			if !truthy(ok) {
				continue
			}
			v, err := pair.eval(args[2])
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// withPair binds $ and $1 to a and $2 to b, for two-argument lambdas.
func (e *yaqlEnv) withPair(a, b any) *yaqlEnv {
	vars := make(map[string]any, len(e.vars)+1)
	for k, v := range e.vars {
		vars[k] = v
	}
	vars["2"] = b
	return &yaqlEnv{dollar: a, vars: vars}
}

// countArg evaluates the one integer argument of skip and limit.
func (e *yaqlEnv) countArg(name string, args []yaqlNode) (int, error) {
	vals, err := e.evalAll(args)
	if err != nil {
		return 0, err
	}
	if len(vals) != 1 {
		return 0, fmt.Errorf("%s() takes one count", name)
	}
	n, ok := vals[0].(int)
	if !ok {
		return 0, fmt.Errorf("%s() needs an integer count, got %s", name, pyType(vals[0]))
	}
	return max(n, 0), nil
}

func ySkip(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	n, err := e.countArg("skip", args)
	if err != nil {
		return nil, err
	}
	return slices.Clone(items[min(n, len(items)):]), nil
}

func yLimit(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	n, err := e.countArg("limit", args)
	if err != nil {
		return nil, err
	}
	return slices.Clone(items[:min(n, len(items))]), nil
}

// ySelectMany flattens the collections the selector returns; a value
// that is not a collection is kept as it is.
func ySelectMany(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	out := []any{}
	return out, e.lambda(items, args, func(_, v any) error {
		if l, ok := v.([]any); ok {
			out = append(out, l...)
		} else {
			out = append(out, v)
		}
		return nil
	})
}

func yReverse(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(items)
	slices.Reverse(out)
	return out, nil
}

// yIndexOf returns the index of the first item equal to the argument,
// -1 when there is none.
func yIndexOf(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	vals, err := e.evalAll(args)
	if err != nil || len(vals) != 1 {
		return nil, fmt.Errorf("indexOf() takes one item")
	}
	return slices.IndexFunc(items, func(it any) bool { return PyEqual(it, vals[0]) }), nil
}
