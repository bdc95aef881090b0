package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// link is a link object of Magnum's bodies.
type link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
	Type string `json:"type,omitempty"`
}

// resourceLinks returns the self and bookmark links of a resource at path
// (a collection and an ID, such as "clusters/<uuid>").
func resourceLinks(host, path string) []link {
	return []link{{Href: host + "/v1/" + path, Rel: "self"}, {Href: host + "/" + path, Rel: "bookmark"}}
}

// hostURL is the scheme and host the request reached, which Magnum's links
// start with.
func hostURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON writes v as the JSON body of a response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bufPool.Put(buf) }()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"errors": [{"request_id": "", "code": "server", "status": 500, "title": "Internal Server Error", "detail": "Internal Server Error", "links": []}]}`)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}

// writeNoContent answers 204 with an empty body and no content type.
// (Magnum also sends Content-Length: 0, which HTTP forbids on a 204 and
// net/http leaves out.)
func writeNoContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// uuidBody is the body of Magnum's asynchronous operations.
type uuidBody struct {
	UUID string `json:"uuid"`
}

// optStr is a text field as Magnum shows it: null when unset (empty).
func optStr[S ~string](s S) *string {
	if s == "" {
		return nil
	}
	v := string(s)
	return &v
}

// optInt is an integer field as Magnum shows it: null when unset (zero).
func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// stamp is a time as Magnum shows it: ISO 8601 with microseconds and the
// UTC offset, null when zero. Like Python's isoformat, it leaves the
// fraction out when the microseconds are zero.
func stamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	layout := "2006-01-02T15:04:05.000000+00:00"
	if t.Nanosecond()/1000 == 0 {
		layout = "2006-01-02T15:04:05+00:00"
	}
	s := t.Format(layout)
	return &s
}

// nullString is a text field whose presence depends on the microversion:
// a *nullString is absent when nil, and null when it points to "".
type nullString string

// MarshalJSON implements json.Marshaler.
func (s nullString) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(s))
}

// stringMap is a label-like map, shown as {} when empty.
func stringMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// stringList is a list of strings, shown as [] when empty.
func stringList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
