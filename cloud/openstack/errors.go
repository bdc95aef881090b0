package openstack

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/gomagnum/gomagnum/cloud"
)

// Errors of this package, besides the cloud sentinels.
var (
	// ErrInvalid reports a bad argument or option, found before any
	// request is sent.
	ErrInvalid = errors.New("invalid argument")
	// ErrTimeout reports that deleted load balancers were still present
	// when the load-balancer timeout ran out.
	ErrTimeout = errors.New("timed out")
)

// failure is a failed look-up or operation on one object. It wraps a cloud
// sentinel (kind, nil for failures that are none of them) and the
// gophercloud error (cause, when there was one), so that errors.Is and
// errors.As see both; its message shows the object, the sentinel and the
// service's own words rather than the whole response.
type failure struct {
	what   string // `image "fedora"`
	kind   error
	detail string
	cause  error
}

func (f *failure) Error() string {
	switch {
	case f.kind == nil:
		return f.what + ": " + f.detail
	case f.detail == "":
		return f.what + ": " + f.kind.Error()
	}
	return f.what + ": " + f.kind.Error() + " (" + f.detail + ")"
}

func (f *failure) Unwrap() []error {
	var errs []error
	for _, e := range []error{f.kind, f.cause} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// subject names an object for error messages: `image "fedora"`.
func subject(kind, ref string) string { return fmt.Sprintf("%s %q", kind, ref) }

func notFound(what, detail string) error {
	return &failure{what: what, kind: cloud.ErrNotFound, detail: detail}
}

func ambiguous(what string, n int, plural string) error {
	return &failure{what: what, kind: cloud.ErrAmbiguous,
		detail: fmt.Sprintf("%d %s have that name; use the ID", n, plural)}
}

// classify turns the failed request of service (about what) into an
// error: a 404 wraps cloud.ErrNotFound, a 403 cloud.ErrForbidden; other
// statuses and transport errors wrap only the gophercloud error.
func classify(service, what string, err error) error {
	var resp gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &resp) {
		return fmt.Errorf("%s: %s: %w", what, service, err)
	}
	msg := serviceMessage(resp.Body)
	switch resp.Actual {
	case http.StatusNotFound:
		return &failure{what: what, kind: cloud.ErrNotFound, detail: join(service, resp.Actual, msg), cause: err}
	case http.StatusForbidden:
		return &failure{what: what, kind: cloud.ErrForbidden, detail: join(service, resp.Actual, msg), cause: err}
	}
	detail := fmt.Sprintf("%s answered %d to %s %s", service, resp.Actual, resp.Method, resp.URL)
	if msg != "" {
		detail += ": " + msg
	}
	return &failure{what: what, detail: detail, cause: err}
}

// join formats a service's answer: "glance: 404 No image found".
func join(service string, status int, msg string) string {
	s := fmt.Sprintf("%s: %d", service, status)
	if msg != "" {
		s += " " + msg
	}
	return s
}

// maxMessage bounds the service message quoted in an error.
const maxMessage = 240

var (
	htmlTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	whitespace  = regexp.MustCompile(`\s+`)
	htmlHeading = regexp.MustCompile(`(?is)<head>.*?</head>|<h1>.*?</h1>`)
)

// serviceMessage extracts the human message of an OpenStack error body:
// Keystone's {"error": {"message"}}, Nova's and Neutron's
// {"itemNotFound"|"NeutronError"|…: {"message"}}, Octavia's
// {"faultstring"}, a bare {"message"}, or the text of Glance's HTML page.
// It returns "" when the body says nothing, and at most maxMessage bytes
// of valid UTF-8.
func serviceMessage(body []byte) string {
	msg, ok := jsonMessage(body)
	if !ok {
		msg = htmlHeading.ReplaceAllString(string(body), " ")
		msg = html.UnescapeString(htmlTag.ReplaceAllString(msg, " "))
	}
	msg = strings.TrimSpace(whitespace.ReplaceAllString(strings.ToValidUTF8(msg, ""), " "))
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// jsonMessage reads the message of a JSON error body; ok is false when the
// body is not a JSON object.
func jsonMessage(body []byte) (msg string, ok bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return "", false
	}
	for _, key := range []string{"faultstring", "message", "detail"} {
		var s string
		if json.Unmarshal(top[key], &s) == nil && s != "" {
			return s, true
		}
	}
	for _, key := range slices.Sorted(maps.Keys(top)) {
		var inner struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(top[key], &inner) == nil && inner.Message != "" {
			return inner.Message, true
		}
	}
	return "", true
}
