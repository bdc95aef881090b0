package hot

import (
	"fmt"
	"slices"
	"strings"
)

// yaqlMethod implements one yaql function. recv is the receiver (the
// first argument when called as a function); args are unevaluated so
// that lambdas can be evaluated per element.
type yaqlMethod func(e *yaqlEnv, recv any, args []yaqlNode) (any, error)

var yaqlMethods map[string]yaqlMethod

func init() {
	yaqlMethods = map[string]yaqlMethod{
		"startsWith": stringPredicate(strings.HasPrefix),
		"endsWith":   stringPredicate(strings.HasSuffix),
		"toLower":    stringMap(strings.ToLower),
		"toUpper":    stringMap(strings.ToUpper),
		"trim":       stringMap(strings.TrimSpace),
		"split":      ySplit,
		"replace":    yReplace,
		"join":       yJoin,
		"len":        yLen,
		"count":      yLen,
		"str":        func(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) { return yaqlString(r), nil },
		"int":        func(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) { return PyInt(r) },
		"float":      func(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) { return PyFloat(r) },
		"bool":       func(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) { return truthy(r), nil },
		"isEmpty":    func(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) { return !truthy(r), nil },
		"keys":       yKeys,
		"values":     yValues,
		"list":       yToList,
		"toList":     yToList,
		"dict":       yDictOf,
		"get":        yGet,
		"contains":   yContainsMethod,
		"select":     ySelect,
		"where":      yWhere,
		"any":        yAnyAll(false),
		"all":        yAnyAll(true),
		"first":      yEnd(true),
		"last":       yEnd(false),
		"distinct":   yDistinct,
		"flatten":    yFlatten,
		"sum":        ySum,
		"max":        yExtreme(">"),
		"min":        yExtreme("<"),
		"concat":     yConcat,
	}
}

func (e *yaqlEnv) call(c *yCall) (any, error) {
	if _, sorts := orderings[c.name]; sorts {
		return e.sortChain(c)
	}
	m, ok := yaqlMethods[c.name]
	if !ok {
		m, ok = yaqlQueries[c.name]
	}
	if !ok {
		return nil, fmt.Errorf("the function %q is not supported by the embedded engine", c.name)
	}
	args := c.args
	var recv any
	if c.recv != nil {
		r, err := e.eval(c.recv)
		if err != nil {
			return nil, err
		}
		recv = r
	} else if len(args) > 0 {
		r, err := e.eval(args[0])
		if err != nil {
			return nil, err
		}
		recv, args = r, args[1:]
	}
	if c.name == "join" && len(args) == 3 {
		return e.joinCollections(recv, args)
	}
	return m(e, recv, args)
}

func yaqlString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return PyStr(v)
}

func (e *yaqlEnv) stringArgs(args []yaqlNode) ([]string, error) {
	vals, err := e.evalAll(args)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("expected a string argument, got %s", pyType(v))
		}
		out[i] = s
	}
	return out, nil
}

func receiverString(r any) (string, error) {
	s, ok := r.(string)
	if !ok {
		return "", fmt.Errorf("expected a string, got %s", pyType(r))
	}
	return s, nil
}

func stringPredicate(pred func(s, x string) bool) yaqlMethod {
	return func(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
		s, err := receiverString(r)
		if err != nil {
			return nil, err
		}
		xs, err := e.stringArgs(args)
		if err != nil {
			return nil, err
		}
		return slices.ContainsFunc(xs, func(x string) bool { return pred(s, x) }), nil
	}
}

func stringMap(f func(string) string) yaqlMethod {
	return func(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
		s, err := receiverString(r)
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

func ySplit(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	xs, err := e.stringArgs(args)
	if err != nil {
		return nil, err
	}
	var delim any
	if len(xs) > 0 {
		delim = xs[0]
	}
	return pySplit(r, delim)
}

func yReplace(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	s, err := receiverString(r)
	if err != nil {
		return nil, err
	}
	xs, err := e.stringArgs(args)
	if err != nil || len(xs) != 2 {
		return nil, fmt.Errorf("replace() takes an old and a new string")
	}
	return strings.ReplaceAll(s, xs[0], xs[1]), nil
}

func yJoin(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	vals, err := e.evalAll(args)
	if err != nil || len(vals) != 1 {
		return nil, fmt.Errorf("join() takes one argument")
	}
	list, sep := r, vals[0]
	if s, ok := r.(string); ok {
		list, sep = vals[0], s
	}
	items, ok := list.([]any)
	delim, okSep := sep.(string)
	if !ok || !okSep {
		return nil, fmt.Errorf("join() needs a list and a string separator")
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = yaqlString(it)
	}
	return strings.Join(parts, delim), nil
}

func yLen(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) { return pyLen(r) }

func collection(r any) ([]any, error) {
	switch x := r.(type) {
	case []any:
		return x, nil
	case map[string]any:
		return toAnyList(sortedKeys(x)), nil
	case nil:
		return []any{}, nil
	}
	return nil, fmt.Errorf("expected a collection, got %s", pyType(r))
}

func yKeys(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
	m, ok := r.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("keys() needs a dict")
	}
	return toAnyList(sortedKeys(m)), nil
}

func yValues(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
	m, ok := r.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("values() needs a dict")
	}
	out := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out, nil
}

func yToList(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) { return collection(r) }

func yDictOf(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
	if m, ok := r.(map[string]any); ok {
		return m, nil
	}
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, it := range items {
		pair, ok := it.([]any)
		if !ok || len(pair) != 2 {
			return nil, fmt.Errorf("dict() needs a list of pairs")
		}
		out[keyString(pair[0])] = pair[1]
	}
	return out, nil
}

func yGet(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	vals, err := e.evalAll(args)
	if err != nil || len(vals) == 0 {
		return nil, fmt.Errorf("get() takes a key and an optional default")
	}
	m, ok := r.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("get() needs a dict")
	}
	if v, found := m[keyString(vals[0])]; found {
		return v, nil
	}
	if len(vals) > 1 {
		return vals[1], nil
	}
	return nil, nil
}

func yContainsMethod(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	vals, err := e.evalAll(args)
	if err != nil || len(vals) != 1 {
		return nil, fmt.Errorf("contains() takes one argument")
	}
	return binaryOp("in", vals[0], r)
}

// lambda evaluates a lambda argument with $ bound to each item.
func (e *yaqlEnv) lambda(items []any, args []yaqlNode, each func(item, v any) error) error {
	if len(args) != 1 {
		return fmt.Errorf("expected one expression argument")
	}
	for _, it := range items {
		v, err := e.with(it).eval(args[0])
		if err != nil {
			return err
		}
		if err := each(it, v); err != nil {
			return err
		}
	}
	return nil
}

func ySelect(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	out := []any{}
	return out, e.lambda(items, args, func(_, v any) error { out = append(out, v); return nil })
}

func yWhere(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	out := []any{}
	err = e.lambda(items, args, func(it, v any) error {
		if truthy(v) {
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

func yAnyAll(all bool) yaqlMethod {
	return func(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
		items, err := collection(r)
		if err != nil {
			return nil, err
		}
		if len(args) == 0 {
			args = []yaqlNode{&yVar{}}
		}
		result := all
		err = e.lambda(items, args, func(_, v any) error {
			if truthy(v) != all {
				result = !all
			}
			return nil
		})
		return result, err
	}
}

func yEnd(first bool) yaqlMethod {
	return func(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
		items, err := collection(r)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			if len(args) > 0 {
				return e.eval(args[0])
			}
			return nil, fmt.Errorf("sequence contains no elements")
		}
		if first {
			return items[0], nil
		}
		return items[len(items)-1], nil
	}
}

func yDistinct(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, it := range items {
		if !slices.ContainsFunc(out, func(o any) bool { return PyEqual(o, it) }) {
			out = append(out, it)
		}
	}
	return out, nil
}

func yFlatten(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, it := range items {
		if l, ok := it.([]any); ok {
			flat, _ := yFlatten(nil, l, nil)
			out = append(out, flat.([]any)...)
		} else {
			out = append(out, it)
		}
	}
	return out, nil
}

func ySum(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
	items, err := collection(r)
	if err != nil {
		return nil, err
	}
	var total any = 0
	for _, it := range items {
		if total, err = arith("+", total, it); err != nil {
			return nil, err
		}
	}
	return total, nil
}

func yExtreme(op string) yaqlMethod {
	return func(_ *yaqlEnv, r any, _ []yaqlNode) (any, error) {
		items, err := collection(r)
		if err != nil || len(items) == 0 {
			return nil, fmt.Errorf("max()/min() need a non-empty collection")
		}
		best := items[0]
		for _, it := range items[1:] {
			better, err := compare(op, it, best)
			if err != nil {
				return nil, err
			}
			if better.(bool) {
				best = it
			}
		}
		return best, nil
	}
}

func yConcat(e *yaqlEnv, r any, args []yaqlNode) (any, error) {
	vals, err := e.evalAll(args)
	if err != nil {
		return nil, err
	}
	out := r
	for _, v := range vals {
		c, ok := concat(out, v)
		if !ok {
			return nil, fmt.Errorf("cannot concatenate %s and %s", pyType(out), pyType(v))
		}
		out = c
	}
	return out, nil
}
