package openstack

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/assert"

	"github.com/gomagnum/gomagnum/cloud"
)

// Error bodies as the services send them.
var errorBodies = []struct {
	name, body, want string
}{
	{"keystone", `{"error":{"code":404,"message":"Could not find project: x.","title":"Not Found"}}`, "Could not find project: x."},
	{"nova", `{"itemNotFound": {"code": 404, "message": "Keypair k not found for user u"}}`, "Keypair k not found for user u"},
	{"neutron", `{"NeutronError": {"type": "NetworkNotFound", "message": "Network n could not be found.", "detail": ""}}`, "Network n could not be found."},
	{"octavia", `{"faultcode": "Client", "faultstring": "Load Balancer l not found.", "debuginfo": null}`, "Load Balancer l not found."},
	{"glance", "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  No image found with ID i<br /><br />\n\n\n\n </body>\n</html>", "No image found with ID i"},
	{"glance entity", "<html><body><h1>403 Forbidden</h1>You aren&#x27;t allowed</body></html>", "You aren't allowed"},
	{"bare message", `{"message": "Request Entity Too Large"}`, "Request Entity Too Large"},
	{"plain text", "Service Unavailable\n", "Service Unavailable"},
	{"empty", "", ""},
	{"JSON without message", `{"error": {"code": 500}}`, ""},
	{"JSON array", `[1, 2]`, "[1, 2]"},
	{"invalid UTF-8", "bad \xff byte", "bad byte"},
	{"long", strings.Repeat("é", 300), strings.Repeat("é", maxMessage/2) + "…"},
}

func TestServiceMessage(t *testing.T) {
	for _, tc := range errorBodies {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, serviceMessage([]byte(tc.body)))
		})
	}
}

func FuzzServiceMessage(f *testing.F) {
	for _, tc := range errorBodies {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := serviceMessage(body)
		if !utf8.ValidString(msg) {
			t.Fatalf("invalid UTF-8: %q", msg)
		}
		if len(msg) > maxMessage+len("…") {
			t.Fatalf("%d bytes", len(msg))
		}
		if msg != strings.TrimSpace(msg) || strings.Contains(msg, "  ") || strings.ContainsAny(msg, "\n\t") {
			t.Fatalf("untidy: %q", msg)
		}
	})
}

func TestClassify(t *testing.T) {
	httpErr := func(status int, body string) error {
		return gophercloud.ErrUnexpectedResponseCode{Method: "GET", URL: "http://glance/v2/images/x", Actual: status, Body: []byte(body)}
	}
	transport := errors.New("dial tcp 127.0.0.1:9292: connect: connection refused")
	cases := []struct {
		name    string
		err     error
		kind    error
		wantMsg string
	}{
		{"404", httpErr(http.StatusNotFound, `{"message": "gone"}`), cloud.ErrNotFound, `image "x": not found (glance: 404 gone)`},
		{"403", httpErr(http.StatusForbidden, ""), cloud.ErrForbidden, `image "x": not authorized (glance: 403)`},
		{"409", httpErr(http.StatusConflict, `{"message": "busy"}`), nil, `image "x": glance answered 409 to GET http://glance/v2/images/x: busy`},
		{"500 without body", httpErr(http.StatusInternalServerError, ""), nil, `image "x": glance answered 500 to GET http://glance/v2/images/x`},
		{"transport", transport, nil, `image "x": glance: dial tcp 127.0.0.1:9292: connect: connection refused`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := classify("glance", `image "x"`, tc.err)
			assert.Equal(t, tc.wantMsg, err.Error())
			var resp gophercloud.ErrUnexpectedResponseCode
			if errors.As(tc.err, &resp) {
				var got gophercloud.ErrUnexpectedResponseCode
				assert.ErrorAs(t, err, &got, "the cause stays reachable")
				assert.Equal(t, resp.Actual, got.Actual)
			} else {
				assert.ErrorIs(t, err, tc.err, "the cause stays reachable")
			}
			for _, s := range []error{cloud.ErrNotFound, cloud.ErrForbidden, cloud.ErrAmbiguous} {
				assert.Equal(t, s == tc.kind, errors.Is(err, s), "%v", s)
			}
		})
	}
}
