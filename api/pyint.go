package api

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/gomagnum/gomagnum/magnum"
)

// pythonInt reads s as Python's int(s) does, since Magnum reads numbers
// in headers and queries with it: surrounding white space, an optional
// sign, then decimal digits (any script's), single underscores allowed
// between digits. Values beyond int saturate at its bounds, where
// Python's integers have none. The error's text is Python's ValueError.
func pythonInt(s string) (int, error) {
	// int() skips Unicode white space, which str.split()'s adds the ASCII
	// information separators to.
	t := strings.TrimFunc(s, unicode.IsSpace)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg, t = t[0] == '-', t[1:]
	}
	n, ok := pythonDigits(t)
	if !ok {
		return 0, fmt.Errorf("invalid literal for int() with base 10: %s", magnum.PythonQuote(s))
	}
	if neg {
		if n == math.MaxInt {
			return math.MinInt, nil
		}
		return -n, nil
	}
	return n, nil
}

// pythonDigits reads an unsigned run of digits and single underscores
// between them, saturating at math.MaxInt.
func pythonDigits(t string) (int, bool) {
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

// pythonSpace reports whether Python's str.split() splits at r: Unicode
// white space and the ASCII information separators.
func pythonSpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }
