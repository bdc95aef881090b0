package hot

import (
	"strings"
)

// The CloudFormation-style functions that HOT 2013-05-23 still accepts
// (and Fn::Select, kept until 2015-04-30).

func newCfnFunction(kind functionKind, b *base) (Fn, error) {
	switch kind {
	case fnCfnRef:
		return newRef(b), nil
	case fnCfnSelect:
		return newSelect(b)
	case fnCfnJoin:
		return newJoin(b)
	case fnCfnSplit:
		return newCfnSplit(b)
	case fnCfnReplace:
		return newCfnReplace(b)
	case fnCfnBase64:
		return &base64Fn{b}, nil
	case fnCfnGetAZs:
		return &getAZs{b}, nil
	case fnCfnMemberListToMap:
		return newMemberListToMap(b)
	case fnCfnResourceFacade:
		return newFacade(b, facadeCFN)
	}
	return nil, valueError("unknown function %s", b.name)
}

// newRef is Ref: a resource reference when the template declares a
// resource of that name, a parameter otherwise.
func newRef(b *base) Fn {
	if name, ok := b.args.(string); ok {
		res, _ := b.ctx.Template.section("resources")
		if _, isRes := res[name]; isRes {
			return &getResource{b}
		}
	}
	return &paramRef{b}
}

type paramRef struct{ *base }

func (f *paramRef) result() (any, error) {
	n, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	name := PyStr(n)
	v, declared, err := f.ctx.Params.Value(name)
	if err != nil {
		return nil, err
	}
	if !declared {
		return nil, invalidReference(name, "unknown")
	}
	return v, nil
}

// selectFn is Fn::Select: an item of a list or map, "" when absent.
type selectFn struct {
	*base
	index, coll any
}

func newSelect(b *base) (Fn, error) {
	l, ok := b.args.([]any)
	if !ok || len(l) != 2 {
		return nil, valueError("Arguments to \"%s\" must be of the form [index, collection]", b.name)
	}
	return &selectFn{base: b, index: l[0], coll: l[1]}, nil
}

func (f *selectFn) result() (any, error) {
	idx, err := Resolve(f.index)
	if err != nil {
		return nil, err
	}
	coll, err := Resolve(f.coll)
	if err != nil {
		return nil, err
	}
	if s, ok := coll.(string); ok {
		if s == "" {
			return "", nil
		}
		v, ok := loadJSON([]byte(s))
		if !ok {
			return nil, valueError("\"%s\": Expecting value: line 1 column 1 (char 0)", f.name)
		}
		coll = v
	}
	return f.pick(idx, coll)
}

func (f *selectFn) pick(idx, coll any) (any, error) {
	switch c := coll.(type) {
	case nil:
		return "", nil
	case map[string]any:
		k, ok := idx.(string)
		if !ok {
			return nil, typeError("Index to \"%s\" must be a string", f.name)
		}
		if v, ok := c[k]; ok {
			return v, nil
		}
		return "", nil
	case []any:
		i, err := PyInt(idx)
		if err != nil {
			return nil, typeError("Index to \"%s\" must be an integer", f.name)
		}
		if v, ok := index(c, i); ok {
			return v, nil
		}
		return "", nil
	}
	return nil, typeError("Arguments to %s not fully resolved", f.name)
}

// cfnSplit is Fn::Split.
type cfnSplit struct {
	*base
	delim, str any
}

func newCfnSplit(b *base) (Fn, error) {
	msg := incorrectArgs(b.name, "\""+b.name+"\" : [ \",\", \"str1,str2\"]]")
	switch b.args.(type) {
	case string, map[string]any:
		return nil, typeError("%s", msg)
	}
	l, ok := b.args.([]any)
	if !ok || len(l) != 2 {
		return nil, valueError("%s", msg)
	}
	return &cfnSplit{base: b, delim: l[0], str: l[1]}, nil
}

func (f *cfnSplit) result() (any, error) {
	s, err := Resolve(f.str)
	if err != nil {
		return nil, err
	}
	delim, ok := f.delim.(string)
	if !ok {
		return nil, typeError("Delimiter for %s must be string", f.name)
	}
	str, ok := s.(string)
	if !ok {
		return nil, typeError("String to split must be string; got %s", pyTypeClass(s))
	}
	return pySplit(str, delim)
}

// newCfnReplace is Fn::Replace: [mapping, template].
func newCfnReplace(b *base) (Fn, error) {
	msg := incorrectArgs(b.name, "{\""+b.name+"\": [ {\"$var1\": \"foo\", \"%var2%\": \"bar\"}, \"$var1 is %var2%\"]}")
	switch b.args.(type) {
	case string, map[string]any:
		return nil, typeError("%s", msg)
	}
	l, ok := b.args.([]any)
	if !ok || len(l) != 2 {
		return nil, valueError("%s", msg)
	}
	return newReplaceArgs(b, replacePlain, l[0], l[1])
}

// base64Fn is Fn::Base64, which Heat leaves as the string itself.
type base64Fn struct{ *base }

func (f *base64Fn) result() (any, error) {
	v, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	if _, ok := v.(string); !ok {
		return nil, typeError("\"%s\" argument must be a string", f.name)
	}
	return v, nil
}

// getAZs is Fn::GetAZs.
type getAZs struct{ *base }

func (f *getAZs) result() (any, error) { return toAnyList(f.ctx.Zones), nil }

// memberListToMap is Fn::MemberListToMap.
type memberListToMap struct {
	*base
	keyName, valueName string
	list               any
}

func newMemberListToMap(b *base) (Fn, error) {
	l, ok := b.args.([]any)
	if !ok || len(l) != 3 {
		return nil, typeError("Wrong Arguments try: \"%s\"", "{'Fn::MemberListToMap': ['Name', 'Value', ['.member.0.Name=key', '.member.0.Value=door']]}")
	}
	k, ok := l[0].(string)
	if !ok {
		return nil, typeError("%s Key Name must be a string", b.name)
	}
	v, ok := l[1].(string)
	if !ok {
		return nil, typeError("%s Value Name must be a string", b.name)
	}
	return &memberListToMap{base: b, keyName: k, valueName: v, list: l[2]}, nil
}

func (f *memberListToMap) result() (any, error) {
	r, err := Resolve(f.list)
	if err != nil {
		return nil, err
	}
	items, ok := r.([]any)
	if !ok {
		return nil, typeError("Member list must be a list")
	}
	partial := map[string]string{}
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, typeError("Member list items must be strings")
		}
		k, v, _ := strings.Cut(s, "=")
		partial[k] = v
	}
	out := map[string]any{}
	for k, name := range partial {
		prefix, ok := strings.CutSuffix(k, "."+f.keyName)
		if !ok {
			continue
		}
		if val, ok := partial[prefix+"."+f.valueName]; ok {
			out[name] = val
		}
	}
	return out, nil
}
