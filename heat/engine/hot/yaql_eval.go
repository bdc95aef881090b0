package hot

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// yaqlFn is the yaql function.
type yaqlFn struct {
	*base
	expression, data any
}

func newYaqlFn(b *base) (Fn, error) {
	m, ok := b.args.(map[string]any)
	if !ok {
		return nil, typeError("Arguments to \"%s\" must be a map.", b.name)
	}
	expr, hasExpr := m["expression"]
	for k := range m {
		if k != "expression" && k != "data" {
			hasExpr = false
		}
	}
	if !hasExpr {
		return nil, keyError("\"%s\" syntax should be %s:\n              expression: $.data.var1.sum()\n              data:\n                var1: [3, 2, 1]", b.name, b.name)
	}
	return &yaqlFn{base: b, expression: expr, data: m["data"]}, nil
}

func (f *yaqlFn) parseExpression(v any) (yaqlNode, error) {
	s, ok := v.(string)
	if !ok {
		return nil, typeError("The \"expression\" argument to %s must contain a string.", f.name)
	}
	n, err := parseYaql(s)
	if err != nil {
		return nil, valueError("Bad expression %s.", err.Error())
	}
	return n, nil
}

func (f *yaqlFn) validate() error {
	if err := validateSnippet(f.args, nil); err != nil {
		return err
	}
	if _, isFn := f.expression.(Fn); isFn {
		return nil
	}
	_, err := f.parseExpression(f.expression)
	return err
}

func (f *yaqlFn) result() (any, error) {
	e, err := Resolve(f.expression)
	if err != nil {
		return nil, err
	}
	n, err := f.parseExpression(e)
	if err != nil {
		return nil, err
	}
	data, err := Resolve(f.data)
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = map[string]any{}
	}
	v, err := (&yaqlEnv{dollar: map[string]any{"data": data}}).eval(n)
	if err != nil {
		return nil, valueError("yaql: %s", err.Error())
	}
	return v, nil
}

// yaqlEnv binds $ (and named variables) while an expression is evaluated.
type yaqlEnv struct {
	dollar any
	vars   map[string]any
}

func (e *yaqlEnv) with(dollar any) *yaqlEnv { return &yaqlEnv{dollar: dollar, vars: e.vars} }

func (e *yaqlEnv) eval(n yaqlNode) (any, error) {
	switch x := n.(type) {
	case *yLiteral:
		return x.v, nil
	case *yVar:
		return e.variable(x.name)
	case *yMember:
		obj, err := e.eval(x.obj)
		if err != nil {
			return nil, err
		}
		return memberOf(obj, x.name), nil
	case *yIndex:
		return e.index(x)
	case *yCall:
		return e.call(x)
	case *yBinary:
		return e.binary(x)
	case *yUnary:
		return e.unary(x)
	case *yList:
		return e.evalAll(x.items)
	case *yDict:
		return e.dict(x)
	}
	return nil, fmt.Errorf("unsupported expression")
}

func (e *yaqlEnv) variable(name string) (any, error) {
	if name == "" || name == "1" {
		return e.dollar, nil
	}
	if v, ok := e.vars[name]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("unknown variable $%s", name)
}

func memberOf(obj any, name string) any {
	switch o := obj.(type) {
	case map[string]any:
		return o[name]
	case []any:
		out := make([]any, 0, len(o))
		for _, e := range o {
			out = append(out, memberOf(e, name))
		}
		return out
	}
	return nil
}

func (e *yaqlEnv) index(x *yIndex) (any, error) {
	obj, err := e.eval(x.obj)
	if err != nil {
		return nil, err
	}
	idx, err := e.eval(x.idx)
	if err != nil {
		return nil, err
	}
	v, ok := index(obj, idx)
	if !ok {
		return nil, fmt.Errorf("cannot index %s with %s", pyType(obj), PyRepr(idx))
	}
	return v, nil
}

func (e *yaqlEnv) evalAll(nodes []yaqlNode) ([]any, error) {
	out := make([]any, 0, len(nodes))
	for _, n := range nodes {
		v, err := e.eval(n)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (e *yaqlEnv) dict(x *yDict) (any, error) {
	out := make(map[string]any, len(x.keys))
	for i := range x.keys {
		k, err := e.eval(x.keys[i])
		if err != nil {
			return nil, err
		}
		v, err := e.eval(x.values[i])
		if err != nil {
			return nil, err
		}
		out[keyString(k)] = v
	}
	return out, nil
}

func (e *yaqlEnv) unary(x *yUnary) (any, error) {
	v, err := e.eval(x.x)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "not":
		return !truthy(v), nil
	case "-":
		return arith("*", -1, v)
	}
	return v, nil
}

func (e *yaqlEnv) binary(x *yBinary) (any, error) {
	l, err := e.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "and":
		if !truthy(l) {
			return l, nil
		}
		return e.eval(x.r)
	case "or":
		if truthy(l) {
			return l, nil
		}
		return e.eval(x.r)
	}
	r, err := e.eval(x.r)
	if err != nil {
		return nil, err
	}
	return binaryOp(x.op, l, r)
}

func binaryOp(op string, l, r any) (any, error) {
	switch op {
	case "=":
		return PyEqual(l, r), nil
	case "!=":
		return !PyEqual(l, r), nil
	case "in":
		if m, ok := r.(map[string]any); ok {
			k, isStr := l.(string)
			_, found := m[k]
			return isStr && found, nil
		}
		return pyContains(r, l)
	case "<", ">", "<=", ">=":
		return compare(op, l, r)
	}
	return arith(op, l, r)
}

func compare(op string, l, r any) (any, error) {
	var c int
	ls, lok := l.(string)
	rs, rok := r.(string)
	switch {
	case lok && rok:
		c = strings.Compare(ls, rs)
	default:
		lf, ok1 := pyNumber(l)
		rf, ok2 := pyNumber(r)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("cannot compare %s and %s", pyType(l), pyType(r))
		}
		c = cmpFloat(lf, rf)
	}
	switch op {
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	}
	return c >= 0, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func arith(op string, l, r any) (any, error) {
	if op == "+" {
		if v, ok := concat(l, r); ok {
			return v, nil
		}
	}
	li, lInt := l.(int)
	ri, rInt := r.(int)
	if lInt && rInt && op != "/" {
		switch op {
		case "+":
			return li + ri, nil
		case "-":
			return li - ri, nil
		case "*":
			return li * ri, nil
		case "mod":
			if ri == 0 {
				return nil, fmt.Errorf("integer division or modulo by zero")
			}
			return ((li % ri) + ri) % ri, nil
		}
	}
	lf, ok1 := pyNumber(l)
	rf, ok2 := pyNumber(r)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("unsupported operand types for %s: '%s' and '%s'", op, pyType(l), pyType(r))
	}
	return floatArith(op, lf, rf)
}

func floatArith(op string, a, b float64) (any, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	}
	if b == 0 {
		return nil, fmt.Errorf("division by zero")
	}
	if op == "mod" {
		return a - b*math.Floor(a/b), nil
	}
	return a / b, nil
}

func concat(l, r any) (any, bool) {
	switch x := l.(type) {
	case string:
		if y, ok := r.(string); ok {
			return x + y, true
		}
	case []any:
		if y, ok := r.([]any); ok {
			return append(slices.Clone(x), y...), true
		}
	case map[string]any:
		if y, ok := r.(map[string]any); ok {
			out := make(map[string]any, len(x)+len(y))
			for k, v := range x {
				out[k] = v
			}
			for k, v := range y {
				out[k] = v
			}
			return out, true
		}
	}
	return nil, false
}
