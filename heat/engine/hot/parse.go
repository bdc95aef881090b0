package hot

import (
	"errors"
	"strconv"
	"strings"
)

// Fn is a parsed intrinsic function call inside a snippet. Parsed
// snippets are template values in which one-key maps naming a function
// were replaced by an Fn.
type Fn interface {
	// Name is the function name as written ("get_attr").
	Name() string
	// Args returns the parsed arguments, for walking the snippet.
	Args() any
	result() (any, error)
	validate() error
}

// Dependent is implemented by the functions that make a resource depend
// on another one (get_resource, get_attr, Ref).
type Dependent interface {
	// DependsOn returns the name of the resource referred to.
	DependsOn() (string, error)
}

// base carries what every function has: its name, parsed arguments and
// the context it is bound to.
type base struct {
	name string
	args any
	ctx  *Context
}

func (b *base) Name() string { return b.name }
func (b *base) Args() any    { return b.args }

// validate by default validates the arguments.
func (b *base) validate() error { return validateSnippet(b.args, nil) }

// omitted is the value of an if with no false branch whose condition is
// false: the enclosing item is dropped as if it were not written.
type omittedValue struct{}

var omitted = omittedValue{}

// parser parses snippets with one function table; root is where they
// sit in the template.
type parser struct {
	ctx   *Context
	table map[string]functionKind
	root  string
}

// pathStep is one step of the path from a parser's root to a snippet: a
// key, or an index when the index is not negative. Paths are built as
// text only for an error.
type pathStep struct {
	key   string
	index int
}

func (p *parser) pathText(path []pathStep) string {
	var b strings.Builder
	b.WriteString(p.root)
	for _, s := range path {
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		b.WriteString("." + s.key)
	}
	return b.String()
}

// parse parses a snippet at path; children extend path in place, as
// their siblings are parsed after them.
func (p *parser) parse(snippet any, path []pathStep) (any, error) {
	switch x := snippet.(type) {
	case map[string]any:
		if len(x) == 1 {
			for name, args := range x {
				if kind, ok := p.table[name]; ok {
					return p.call(kind, name, args, append(path, pathStep{key: name, index: -1}))
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, v := range x {
			pv, err := p.parse(v, append(path, pathStep{key: k, index: -1}))
			if err != nil {
				return nil, err
			}
			out[k] = pv
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			pv, err := p.parse(v, append(path, pathStep{index: i}))
			if err != nil {
				return nil, err
			}
			out[i] = pv
		}
		return out, nil
	}
	return snippet, nil
}

// call builds one function node; macros parse their own arguments.
func (p *parser) call(kind functionKind, name string, raw any, path []pathStep) (any, error) {
	var out any
	var err error
	if kind == fnIf || kind == fnIfNullable {
		out, err = p.parseIf(kind, name, raw, path)
	} else {
		var args any
		if args, err = p.parse(raw, path); err != nil {
			return nil, err
		}
		out, err = newFunction(kind, &base{name: name, args: args, ctx: p.ctx})
		if u, ok := out.(*makeURL); ok && len(p.ctx.Template.orders) > 0 {
			u.order = p.ctx.Template.orders[childPath(p.pathText(path), "query")]
		}
	}
	if err != nil {
		var he *Error
		if errors.As(err, &he) && he.Type == TypeStackValidationFailed {
			return nil, err
		}
		return nil, validationError([]string{trimDot(p.pathText(path))}, "%s", err.Error())
	}
	return out, nil
}

func trimDot(path string) string {
	if len(path) > 0 && path[0] == '.' {
		return path[1:]
	}
	return path
}

// newFunction constructs and checks the arguments of a function node.
func newFunction(kind functionKind, b *base) (Fn, error) {
	if ctor, ok := constructors[kind]; ok {
		return ctor(b)
	}
	return newCfnFunction(kind, b)
}

var constructors map[functionKind]func(*base) (Fn, error)

func init() {
	constructors = map[functionKind]func(*base) (Fn, error){
		fnRemoved:           func(b *base) (Fn, error) { return &removedFn{b}, nil },
		fnInvalid:           newInvalid,
		fnGetParam:          func(b *base) (Fn, error) { return &getParam{b}, nil },
		fnGetResource:       func(b *base) (Fn, error) { return &getResource{b}, nil },
		fnGetAttrThenSelect: func(b *base) (Fn, error) { return newGetAttr(b, attrThenSelect) },
		fnGetAttr:           func(b *base) (Fn, error) { return newGetAttr(b, attrWithPath) },
		fnGetAttrAll:        func(b *base) (Fn, error) { return newGetAttr(b, attrAll) },
		fnGetFile:           func(b *base) (Fn, error) { return &getFile{b}, nil },
		fnJoin:              newJoin,
		fnJoinMultiple:      newJoinMultiple,
		fnReplace:           func(b *base) (Fn, error) { return newReplace(b, replacePlain) },
		fnReplaceJSON:       func(b *base) (Fn, error) { return newReplace(b, replaceJSON) },
		fnReplaceStrict:     func(b *base) (Fn, error) { return newReplace(b, replaceStrict) },
		fnReplaceVeryStrict: func(b *base) (Fn, error) { return newReplace(b, replaceVeryStrict) },
		fnRepeat:            func(b *base) (Fn, error) { return newRepeat(b, repeatLists) },
		fnRepeatWithMap:     func(b *base) (Fn, error) { return newRepeat(b, repeatMaps) },
		fnRepeatNested:      func(b *base) (Fn, error) { return newRepeat(b, repeatPermutations) },
		fnDigest:            func(b *base) (Fn, error) { return &digest{b}, nil },
		fnStrSplit:          newStrSplit,
		fnMapMerge:          func(b *base) (Fn, error) { return &mapMerge{b}, nil },
		fnMapReplace:        func(b *base) (Fn, error) { return &mapReplace{b}, nil },
		fnYaql:              newYaqlFn,
		fnFilter:            newFilter,
		fnMakeURL:           func(b *base) (Fn, error) { return &makeURL{base: b}, nil },
		fnListConcat:        func(b *base) (Fn, error) { return &listConcat{base: b}, nil },
		fnListConcatUnique:  func(b *base) (Fn, error) { return &listConcat{base: b, unique: true}, nil },
		fnContains:          newContains,
		fnResourceFacade:    func(b *base) (Fn, error) { return newFacade(b, facadeHOT) },
		fnEquals:            newEquals,
		fnNot:               newNot,
		fnAnd:               func(b *base) (Fn, error) { return newAndOr(b, true) },
		fnOr:                func(b *base) (Fn, error) { return newAndOr(b, false) },
	}
}

// invalidFn rejects a function used where it is not allowed (a
// non-condition function inside a condition).
func newInvalid(b *base) (Fn, error) {
	return nil, valueError("The function \"%s\" is invalid in this context", b.name)
}

// removedFn is a function the version no longer has; it fails validation.
type removedFn struct{ *base }

func (f *removedFn) result() (any, error) { return map[string]any{f.name: f.args}, nil }

func (f *removedFn) validate() error {
	return newError(TypeInvalidTemplateVersion,
		"The template version is invalid: The function %s is not supported in this version of HOT.", f.name)
}
