package magnum

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseLabels parses a label map written as a Python literal, as
// python-magnumclient sends it in a JSON-patch value (a JSON object of
// strings and numbers is also one; JSON's true, false and null are not):
// "{'kube_tag': 'v1.30.1', 'etcd_volume_size': 1, 'debug': True}".
// Values that are not strings are formatted as Python's str() would
// ("True", "1", "1.5"); nested dicts and lists are refused.
func ParseLabels(s string) (map[string]string, error) {
	p := &literalParser{src: s}
	p.space()
	v, err := p.dict()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected %q after the dict", p.rest())
	}
	return v, nil
}

// PythonString formats a scalar as Python's str() does: booleans as
// True/False, None as "None", integral numbers without a fraction.
func PythonString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "True", nil
		}
		return "False", nil
	case nil:
		return "None", nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return pythonFloat(x), nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return strconv.FormatInt(i, 10), nil
		}
		f, err := x.Float64()
		if err != nil {
			return "", err
		}
		return pythonFloat(f), nil
	}
	return "", fmt.Errorf("unsupported value type %T", v)
}

func pythonFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

var errLiteral = errors.New("malformed literal")

type literalParser struct {
	src string
	pos int
}

func (p *literalParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s (at offset %d)", errLiteral, fmt.Sprintf(format, args...), p.pos)
}

func (p *literalParser) rest() string {
	r := p.src[p.pos:]
	if len(r) > 20 {
		r = r[:20]
	}
	return r
}

func (p *literalParser) space() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *literalParser) consume(c byte) bool {
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *literalParser) dict() (map[string]string, error) {
	if !p.consume('{') {
		return nil, p.errorf("expected '{'")
	}
	out := map[string]string{}
	if p.consume('}') {
		return out, nil
	}
	for {
		p.space()
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if !p.consume(':') {
			return nil, p.errorf("expected ':' after key %q", k)
		}
		v, err := p.scalar()
		if err != nil {
			return nil, err
		}
		out[k] = v
		if p.consume('}') {
			return out, nil
		}
		if !p.consume(',') {
			return nil, p.errorf("expected ',' or '}'")
		}
		if p.consume('}') { // trailing comma, as Python allows
			return out, nil
		}
	}
}

func (p *literalParser) scalar() (string, error) {
	p.space()
	if p.pos >= len(p.src) {
		return "", p.errorf("unexpected end")
	}
	switch c := p.src[p.pos]; {
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for word, s := range map[string]string{"True": "True", "False": "False", "None": "None"} {
		if strings.HasPrefix(p.src[p.pos:], word) {
			p.pos += len(word)
			return s, nil
		}
	}
	return "", p.errorf("unsupported value %q", p.rest())
}

func (p *literalParser) number() (string, error) {
	start := p.pos
	for p.pos < len(p.src) && strings.IndexByte("+-.0123456789eE_", p.src[p.pos]) >= 0 {
		p.pos++
	}
	lit := strings.ReplaceAll(p.src[start:p.pos], "_", "")
	if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return strconv.FormatInt(i, 10), nil
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return "", p.errorf("malformed number %q", lit)
	}
	return pythonFloat(f), nil
}

// str parses a single- or double-quoted string with Python's common
// escapes.
func (p *literalParser) str() (string, error) {
	if p.pos >= len(p.src) || (p.src[p.pos] != '\'' && p.src[p.pos] != '"') {
		return "", p.errorf("expected a quoted string")
	}
	quote := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case c == '\n':
			return "", p.errorf("newline in string")
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			b.WriteRune(r)
			p.pos += size
		}
	}
	return "", p.errorf("unterminated string")
}

// pythonEscapes are Python's one-character string escapes.
var pythonEscapes = map[byte]string{'\\': "\\", '\'': "'", '"': "\"", 'n': "\n", 't': "\t", 'r': "\r",
	'0': "\x00", 'a': "\a", 'b': "\b", 'f': "\f", 'v': "\v"}

func (p *literalParser) escape(b *strings.Builder) error {
	if p.pos+1 >= len(p.src) {
		return p.errorf("unterminated escape")
	}
	c := p.src[p.pos+1]
	p.pos += 2
	if s, ok := pythonEscapes[c]; ok {
		b.WriteString(s)
		return nil
	}
	width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
	if width == 0 {
		// Not an escape: Python keeps the backslash and the character.
		b.WriteByte('\\')
		p.pos--
		return nil
	}
	if p.pos+width > len(p.src) {
		return p.errorf("truncated \\%c escape", c)
	}
	n, err := strconv.ParseUint(p.src[p.pos:p.pos+width], 16, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return p.errorf("bad \\%c escape", c)
	}
	b.WriteRune(rune(n))
	p.pos += width
	return nil
}
