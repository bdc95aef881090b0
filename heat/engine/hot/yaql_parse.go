package hot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// This file parses the subset of yaql that templates use in practice:
// literals, $ and $var references, member access, indexing, method and
// function calls with lambda arguments, arithmetic, comparison, "in",
// and/or/not, list literals [..] and dict literals {k => v}.

type yaqlNode interface{}

type (
	yLiteral struct{ v any }
	yVar     struct{ name string } // "" is $
	yMember  struct {
		obj  yaqlNode
		name string
	}
	yIndex struct{ obj, idx yaqlNode }
	yCall  struct {
		recv yaqlNode // nil for a function call
		name string
		args []yaqlNode
	}
	yBinary struct {
		op   string
		l, r yaqlNode
	}
	yUnary struct {
		op string
		x  yaqlNode
	}
	yList struct{ items []yaqlNode }
	yDict struct{ keys, values []yaqlNode }
)

type yToken struct {
	kind string // num, str, ident, var, op, eof
	text string
	val  any
}

func yaqlTokens(s string) ([]yToken, error) {
	var toks []yToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9') {
				j++
			}
			toks = append(toks, numberToken(s[i:j]))
			i = j
		case c == '\'' || c == '"' || c == '`':
			str, n, err := lexString(s[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, yToken{kind: "str", val: str})
			i += n
		case c == '$':
			j := i + 1
			for j < len(s) && isIdentChar(rune(s[j])) {
				j++
			}
			toks = append(toks, yToken{kind: "var", text: s[i+1 : j]})
			i = j
		case isIdentStart(rune(c)):
			j := i
			for j < len(s) && isIdentChar(rune(s[j])) {
				j++
			}
			toks = append(toks, yToken{kind: "ident", text: s[i:j]})
			i = j
		default:
			op := yaqlOperator(s[i:])
			if op == "" {
				return nil, yaqlError("Lexical error: illegal character '%c' at position %d", c, i)
			}
			toks = append(toks, yToken{kind: "op", text: op})
			i += len(op)
		}
	}
	return append(toks, yToken{kind: "eof"}), nil
}

func numberToken(t string) yToken {
	if strings.Contains(t, ".") {
		f, _ := strconv.ParseFloat(t, 64)
		return yToken{kind: "num", val: f}
	}
	n, _ := strconv.Atoi(t)
	return yToken{kind: "num", val: n}
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentChar(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func yaqlOperator(s string) string {
	for _, op := range []string{"=>", "!=", "<=", ">=", "->", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", "{", "}", ",", "."} {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

func lexString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(unescape(s[i]))
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, yaqlError("Lexical error: unterminated string")
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	}
	return c
}

// yaqlErr is a yaql lexing or parsing error, worded as yaql's.
type yaqlErr string

func (e yaqlErr) Error() string { return string(e) }

func yaqlError(format string, args ...any) error { return yaqlErr(fmt.Sprintf(format, args...)) }

type yaqlParser struct {
	toks []yToken
	pos  int
}

func parseYaql(expr string) (yaqlNode, error) {
	toks, err := yaqlTokens(expr)
	if err != nil {
		return nil, err
	}
	p := &yaqlParser{toks: toks}
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, yaqlError("Parse error: unexpected '%s' at position %d", tokenText(t), p.pos)
	}
	return n, nil
}

func tokenText(t yToken) string {
	if t.text != "" {
		return t.text
	}
	return PyStr(t.val)
}

func (p *yaqlParser) peek() yToken { return p.toks[p.pos] }
func (p *yaqlParser) next() yToken { t := p.toks[p.pos]; p.pos++; return t }

func (p *yaqlParser) expect(op string) error {
	if t := p.next(); t.kind != "op" || t.text != op {
		return yaqlError("Parse error: expected '%s', got '%s'", op, tokenText(t))
	}
	return nil
}

// binary operator precedences, lowest first.
var yaqlPrecedence = map[string]int{
	"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4, "in": 4,
	"+": 5, "-": 5, "*": 6, "/": 6, "mod": 6,
}

func (p *yaqlParser) binaryOp() (string, int) {
	t := p.peek()
	if t.kind != "op" && t.kind != "ident" {
		return "", 0
	}
	prec, ok := yaqlPrecedence[t.text]
	if !ok {
		return "", 0
	}
	return t.text, prec
}

func (p *yaqlParser) expr(minPrec int) (yaqlNode, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		op, prec := p.binaryOp()
		if op == "" || prec <= minPrec {
			return left, nil
		}
		p.next()
		right, err := p.expr(prec)
		if err != nil {
			return nil, err
		}
		left = &yBinary{op: op, l: left, r: right}
	}
}

func (p *yaqlParser) unary() (yaqlNode, error) {
	t := p.peek()
	if (t.kind == "op" && (t.text == "-" || t.text == "+")) || (t.kind == "ident" && t.text == "not") {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &yUnary{op: t.text, x: x}, nil
	}
	return p.postfix()
}

func (p *yaqlParser) postfix() (yaqlNode, error) {
	n, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == "op" && t.text == ".":
			if n, err = p.member(n); err != nil {
				return nil, err
			}
		case t.kind == "op" && t.text == "[":
			p.next()
			idx, err := p.expr(0)
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			n = &yIndex{obj: n, idx: idx}
		default:
			return n, nil
		}
	}
}

func (p *yaqlParser) member(obj yaqlNode) (yaqlNode, error) {
	p.next()
	name := p.next()
	if name.kind != "ident" {
		return nil, yaqlError("Parse error: expected a name after '.', got '%s'", tokenText(name))
	}
	if t := p.peek(); t.kind == "op" && t.text == "(" {
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		return &yCall{recv: obj, name: name.text, args: args}, nil
	}
	return &yMember{obj: obj, name: name.text}, nil
}

func (p *yaqlParser) args() ([]yaqlNode, error) {
	p.next()
	var args []yaqlNode
	if t := p.peek(); t.kind == "op" && t.text == ")" {
		p.next()
		return args, nil
	}
	for {
		a, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		t := p.next()
		if t.kind == "op" && t.text == ")" {
			return args, nil
		}
		if t.kind != "op" || t.text != "," {
			return nil, yaqlError("Parse error: expected ',' or ')', got '%s'", tokenText(t))
		}
	}
}

func (p *yaqlParser) primary() (yaqlNode, error) {
	t := p.next()
	switch t.kind {
	case "num", "str":
		return &yLiteral{v: t.val}, nil
	case "var":
		return &yVar{name: t.text}, nil
	case "ident":
		return p.identifier(t)
	case "op":
		return p.bracketed(t)
	}
	return nil, yaqlError("Parse error: unexpected end of statement")
}

func (p *yaqlParser) identifier(t yToken) (yaqlNode, error) {
	switch t.text {
	case "true":
		return &yLiteral{v: true}, nil
	case "false":
		return &yLiteral{v: false}, nil
	case "null":
		return &yLiteral{v: nil}, nil
	}
	if n := p.peek(); n.kind == "op" && n.text == "(" {
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		return &yCall{name: t.text, args: args}, nil
	}
	return &yLiteral{v: t.text}, nil
}

func (p *yaqlParser) bracketed(t yToken) (yaqlNode, error) {
	switch t.text {
	case "(":
		n, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		return n, p.expect(")")
	case "[":
		items, err := p.items("]")
		return &yList{items: items}, err
	case "{":
		return p.dict()
	}
	return nil, yaqlError("Parse error: unexpected '%s'", t.text)
}

func (p *yaqlParser) items(closing string) ([]yaqlNode, error) {
	var items []yaqlNode
	if t := p.peek(); t.kind == "op" && t.text == closing {
		p.next()
		return items, nil
	}
	for {
		n, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		items = append(items, n)
		t := p.next()
		if t.kind == "op" && t.text == closing {
			return items, nil
		}
		if t.kind != "op" || t.text != "," {
			return nil, yaqlError("Parse error: expected ',' or '%s'", closing)
		}
	}
}

func (p *yaqlParser) dict() (yaqlNode, error) {
	d := &yDict{}
	if t := p.peek(); t.kind == "op" && t.text == "}" {
		p.next()
		return d, nil
	}
	for {
		k, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if err := p.expect("=>"); err != nil {
			return nil, err
		}
		v, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		d.keys, d.values = append(d.keys, k), append(d.values, v)
		t := p.next()
		if t.kind == "op" && t.text == "}" {
			return d, nil
		}
		if t.kind != "op" || t.text != "," {
			return nil, yaqlError("Parse error: expected ',' or '}'")
		}
	}
}
