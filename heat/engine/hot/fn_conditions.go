package hot

// equals is equals, with Python's == semantics.
type equals struct {
	*base
	a, b any
}

func newEquals(b *base) (Fn, error) {
	l, ok := b.args.([]any)
	if !ok || len(l) != 2 {
		return nil, valueError("Arguments to \"%s\" must be of the form: [value_1, value_2]", b.name)
	}
	return &equals{base: b, a: l[0], b: l[1]}, nil
}

func (f *equals) result() (any, error) {
	a, err := Resolve(f.a)
	if err != nil {
		return nil, err
	}
	b, err := Resolve(f.b)
	if err != nil {
		return nil, err
	}
	return PyEqual(a, b), nil
}

// conditionValue turns a resolved condition operand into a bool: a bool
// is itself, anything else names a condition.
func (b *base) conditionValue(v any) (bool, error) {
	if x, ok := v.(bool); ok {
		return x, nil
	}
	return b.ctx.IsEnabled(v)
}

// not is not.
type not struct{ *base }

func newNot(b *base) (Fn, error) {
	if b.args == nil {
		return nil, valueError("Argument to \"%s\" must be a condition", b.name)
	}
	return &not{b}, nil
}

func (f *not) result() (any, error) {
	v, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	c, err := f.conditionValue(v)
	return !c, err
}

// andOr is and (all) or or (any).
type andOr struct {
	*base
	all bool
}

func newAndOr(b *base, all bool) (Fn, error) {
	l, ok := b.args.([]any)
	if !ok {
		return nil, valueError("Arguments to \"%s\" must be a list of conditions", b.name)
	}
	if len(l) < 2 {
		return nil, valueError("The minimum number of condition arguments to \"%s\" is 2.", b.name)
	}
	return &andOr{base: b, all: all}, nil
}

func (f *andOr) result() (any, error) {
	v, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	for _, operand := range v.([]any) {
		c, err := f.conditionValue(operand)
		if err != nil {
			return nil, err
		}
		if c != f.all {
			return c, nil
		}
	}
	return f.all, nil
}

// parseIf is the if macro: the condition is evaluated while the template
// is parsed and only the chosen branch is kept. With the nullable form
// (wallaby) a missing false branch omits the enclosing item.
func (p *parser) parseIf(kind functionKind, name string, raw any, path []pathStep) (any, error) {
	args, ok := raw.([]any)
	valid := ok && len(args) == 3
	if kind == fnIfNullable {
		valid = ok && (len(args) == 2 || len(args) == 3)
	}
	if !valid {
		return nil, valueError("Arguments to \"%s\" must be of the form: [condition_name, value_if_true, value_if_false]", name)
	}
	cond, err := p.ctx.parseCondition(args[0], name)
	if err != nil {
		return nil, err
	}
	cv, err := Resolve(cond)
	if err != nil {
		return nil, err
	}
	chosen, err := (&base{ctx: p.ctx}).conditionValue(cv)
	if err != nil {
		return nil, err
	}
	switch {
	case chosen:
		return p.parse(args[1], path)
	case len(args) == 2:
		return omitted, nil
	}
	return p.parse(args[2], path)
}
