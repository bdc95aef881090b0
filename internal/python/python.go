// Package python reads and writes values as Python does, for the
// messages and inputs of OpenStack's Python services that gomagnum
// reproduces: int() and split() of a string, repr() of a string.
package python

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// Int reads s as Python's int(s) does: surrounding white space, an optional
// sign, then decimal digits (any script's), single underscores allowed
// between digits. Values beyond int saturate at its bounds, where
// Python's integers have none. The error's text is Python's ValueError.
func Int(s string) (int, error) {
	// int() skips Unicode white space, which str.split()'s adds the ASCII
	// information separators to.
	t := strings.TrimFunc(s, unicode.IsSpace)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg, t = t[0] == '-', t[1:]
	}
	n, ok := digits(t)
	if !ok {
		return 0, fmt.Errorf("invalid literal for int() with base 10: %s", Quote(s))
	}
	if neg {
		if n == math.MaxInt {
			return math.MinInt, nil
		}
		return -n, nil
	}
	return n, nil
}

// digits reads an unsigned run of digits and single underscores
// between them, saturating at math.MaxInt.
func digits(t string) (int, bool) {
	if t == "" {
		return 0, false
	}
	n, prevDigit := 0, false
	for _, r := range t {
		if r == '_' {
			if !prevDigit {
				return 0, false
			}
			prevDigit = false
			continue
		}
		d, ok := decimalValue(r)
		if !ok {
			return 0, false
		}
		prevDigit = true
		if n > (math.MaxInt-d)/10 {
			n = math.MaxInt
		} else {
			n = n*10 + d
		}
	}
	return n, prevDigit
}

// decimalValue is the value of a decimal digit of any script. Unicode
// encodes each script's digits 0 to 9 in one ascending run, runs of
// adjacent scripts back to back, so the value is the rune's position in
// its run of digits, modulo 10.
func decimalValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	pos := 0
	for unicode.Is(unicode.Nd, r-rune(pos)-1) {
		pos++
	}
	return pos % 10, true
}

// Quote writes s as Python's repr() of a str does: in single quotes, or double quotes when s holds a
// single quote and no double one, with backslash escapes for the quote,
// backslashes and unprintable characters.
func Quote(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteRune(quote)
	return b.String()
}

// Fields splits s at runs of white space as Python's str.split() does:
// Unicode white space and the ASCII information separators.
func Fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) })
}
