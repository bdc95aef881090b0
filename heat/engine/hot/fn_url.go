package hot

import (
	"slices"
	"strings"
)

// makeURL is make_url: a correctly escaped URL from its components.
type makeURL struct {
	*base
	// order is the written order of a query given as a mapping.
	order []string
}

var urlKeys = []string{"scheme", "username", "password", "host", "port", "path", "query", "fragment"}

func (f *makeURL) validate() error {
	if err := validateSnippet(f.args, nil); err != nil {
		return err
	}
	m, ok := f.args.(map[string]any)
	if !ok {
		return typeError("The arguments to \"%s\" must be a map", f.name)
	}
	var bad []string
	for _, k := range sortedKeys(m) {
		if !slices.Contains(urlKeys, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		return valueError("Invalid arguments to \"%s\": %s", f.name, strings.Join(bad, ", "))
	}
	return f.checkArgs(m)
}

// checkArgs checks the argument types in Heat's order; like Heat it stops
// at the query argument.
func (f *makeURL) checkArgs(m map[string]any) error {
	for _, k := range urlKeys {
		v, ok := m[k]
		if !ok {
			continue
		}
		if _, isFn := v.(Fn); isFn {
			if k == "query" {
				return nil
			}
			continue
		}
		switch k {
		case "query":
			if _, isMap := v.(map[string]any); !isMap {
				return typeError("The \"%s\" argument to \"%s\" must be a map", k, f.name)
			}
			return nil
		case "port":
			if err := f.checkPort(v, m); err != nil {
				return err
			}
		default:
			if _, isStr := v.(string); !isStr {
				return typeError("The \"%s\" argument to \"%s\" must be a string", k, f.name)
			}
		}
	}
	return nil
}

func (f *makeURL) checkPort(v any, args map[string]any) error {
	port, err := PyInt(v)
	if _, isInt := v.(int); !isInt && err != nil {
		return valueError("Invalid URL port \"%s\" for %s called with %s", PyStr(v), f.name, PyRepr(args))
	}
	if port < 1 || port > 65535 {
		return valueError("Invalid URL port %d, must be in range 1-65535", port)
	}
	return nil
}

func (f *makeURL) result() (any, error) {
	a, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	m, ok := a.(map[string]any)
	if !ok {
		return nil, typeError("The arguments to \"%s\" must be a map", f.name)
	}
	if err := f.checkArgs(m); err != nil {
		return nil, err
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	scheme := str("scheme")
	if strings.Contains(scheme, ":") {
		return nil, valueError("URL \"scheme\" should not contain ':'")
	}
	query, _ := m["query"].(map[string]any)
	return urlUnsplit(scheme, netloc(m), quote(str("path"), "/"),
		strings.ReplaceAll(urlEncode(query, f.order), "%2F", "/"), quote(str("fragment"), "/")), nil
}

func netloc(m map[string]any) string {
	var b strings.Builder
	user, _ := m["username"].(string)
	pass, _ := m["password"].(string)
	user, pass = quote(user, ""), quote(pass, "")
	if user != "" || pass != "" {
		b.WriteString(user)
		if pass != "" {
			b.WriteString(":" + pass)
		}
		b.WriteString("@")
	}
	host, _ := m["host"].(string)
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	host = quote(host, ":")
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	b.WriteString(host)
	if port := m["port"]; truthy(port) {
		b.WriteString(":" + PyStr(port))
	}
	return b.String()
}

var usesNetloc = []string{"", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https",
	"shttp", "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git", "git+ssh", "ws", "wss"}

// urlUnsplit is Python 3.11's urllib.parse.urlunsplit.
func urlUnsplit(scheme, netloc, url, query, fragment string) string {
	if netloc != "" || (scheme != "" && slices.Contains(usesNetloc, scheme) && !strings.HasPrefix(url, "//")) {
		if url != "" && url[0] != '/' {
			url = "/" + url
		}
		url = "//" + netloc + url
	}
	if scheme != "" {
		url = scheme + ":" + url
	}
	if query != "" {
		url += "?" + query
	}
	if fragment != "" {
		url += "#" + fragment
	}
	return url
}

// quote is urllib.parse.quote: unreserved characters and those in safe
// are kept, everything else is percent-encoded as UTF-8.
func quote(s, safe string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0
}

// quotePlus is urllib.parse.quote_plus.
func quotePlus(s string) string { return strings.ReplaceAll(quote(s, " "), " ", "+") }

// urlEncode is urllib.parse.urlencode of a query, its keys in the order
// written (order), the others sorted.
func urlEncode(q map[string]any, order []string) string {
	parts := make([]string, 0, len(q))
	for _, k := range orderedKeys(order, q) {
		parts = append(parts, quotePlus(k)+"="+quotePlus(PyStr(q[k])))
	}
	return strings.Join(parts, "&")
}
