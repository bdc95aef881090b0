package heat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultMessage(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"heat error message", 400,
			`{"explanation": "The server could not comply with the request.", "code": 400, "error": {"message": "The Parameter (x) was not defined in template.", "traceback": null, "type": "UnknownUserParameter"}, "title": "Bad Request"}`,
			"The Parameter (x) was not defined in template."},
		{"keystonemiddleware", 401,
			`{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`,
			"The request you have made requires authentication."},
		{"explanation only", 404, `{"explanation": "The resource could not be found.", "code": 404}`,
			"The resource could not be found."},
		{"title only", 409, `{"title": "Conflict"}`, "Conflict"},
		{"blank message falls back", 400, `{"error": {"message": "  "}, "title": "Bad Request"}`, "Bad Request"},
		{"plain text", 500, "Internal Server Error: boom\n", "Internal Server Error: boom"},
		{"html", 502, "<html><body>bad gateway</body></html>", "<html><body>bad gateway</body></html>"},
		{"empty", 503, "", "HTTP 503 Service Unavailable"},
		{"json without a message", 500, `{"code": 500}`, "HTTP 500 Internal Server Error"},
		{"json of another shape", 400, `["a", 1]`, "HTTP 400 Bad Request"},
		{"long text is cut", 500, strings.Repeat("x", 2000), strings.Repeat("x", maxMessage) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, faultMessage(tt.status, []byte(tt.body)))
		})
	}
}

func TestKindOfStatus(t *testing.T) {
	tests := []struct {
		status int
		want   error
	}{
		{400, ErrInvalid}, {401, ErrUnauthorized}, {403, ErrUnauthorized}, {404, ErrNotFound},
		{409, ErrConflict}, {413, ErrInvalid}, {415, ErrInvalid}, {429, ErrUnavailable},
		{500, ErrUnavailable}, {502, ErrUnavailable}, {503, ErrUnavailable}, {504, ErrUnavailable},
		{204, ErrUnavailable}, {300, ErrUnavailable}, {302, ErrUnavailable},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, kindOfStatus(tt.status), "status %d", tt.status)
	}
}

func TestClassify(t *testing.T) {
	code := func(status int, body string) gophercloud.ErrUnexpectedResponseCode {
		return gophercloud.ErrUnexpectedResponseCode{Actual: status, Body: []byte(body), Method: "GET", URL: "http://heat/x"}
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		err    error
		kind   error
		msg    string
		isHeat bool
	}{
		{"nil", context.Background(), nil, nil, "", false},
		{"404 value", context.Background(), code(404, `{"error":{"message":"The Stack (s) could not be found."}}`),
			ErrNotFound, "The Stack (s) could not be found.", true},
		{"wrapped 409", context.Background(), fmt.Errorf("call: %w", code(409, `{"title":"Conflict"}`)), ErrConflict, "Conflict", true},
		{"pointer after re-authentication", context.Background(),
			&gophercloud.ErrErrorAfterReauthentication{ErrOriginal: &gophercloud.ErrUnexpectedResponseCode{Actual: 403}},
			ErrUnauthorized, "HTTP 403 Forbidden", true},
		{"re-authentication refused", context.Background(),
			&gophercloud.ErrUnableToReauthenticate{ErrOriginal: code(401, ""), ErrReauth: code(401, `{"error":{"message":"bad password"}}`)},
			ErrUnauthorized, "bad password", true},
		{"re-authentication unreachable", context.Background(),
			&gophercloud.ErrUnableToReauthenticate{ErrOriginal: code(401, ""), ErrReauth: &url.Error{Op: "Post", URL: "http://ks", Err: syscallRefused()}},
			ErrUnavailable, "connection refused", true},
		{"refused", context.Background(), &url.Error{Op: "Get", URL: "http://heat", Err: syscallRefused()}, ErrUnavailable, "connection refused", true},
		{"EOF", context.Background(), &url.Error{Op: "Get", URL: "http://heat", Err: io.EOF}, ErrUnavailable, "EOF", true},
		{"cut body", context.Background(), io.ErrUnexpectedEOF, ErrUnavailable, "unexpected EOF", true},
		{"attempt timeout", context.Background(), &url.Error{Op: "Get", URL: "http://heat", Err: context.DeadlineExceeded},
			ErrUnavailable, "deadline exceeded", true},
		{"caller canceled", canceled, &url.Error{Op: "Get", URL: "http://heat", Err: context.Canceled}, context.Canceled, "canceled", false},
		{"other", context.Background(), errors.New("weird"), nil, "weird", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.ctx, tt.err)
			if tt.err == nil {
				require.NoError(t, got)
				return
			}
			require.Error(t, got)
			if tt.kind != nil {
				assert.ErrorIs(t, got, tt.kind)
			}
			assert.Contains(t, got.Error(), tt.msg)
			var herr *Error
			assert.Equal(t, tt.isHeat, errors.As(got, &herr))
		})
	}
}

// syscallRefused returns the error a dial to a closed port gives.
func syscallRefused() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	_, err = net.Dial("tcp", addr)
	return err
}

func FuzzFaultMessage(f *testing.F) {
	f.Add(400, []byte(`{"error": {"message": "The Parameter (x) was not defined in template."}}`))
	f.Add(404, []byte(`{"explanation": "The resource could not be found."}`))
	f.Add(500, []byte("boom"))
	f.Add(503, []byte(""))
	f.Add(401, []byte(`{"error": "not an object"}`))
	f.Add(500, []byte(strings.Repeat("é", 400)))
	f.Add(999, []byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		msg := faultMessage(status, body)
		if msg == "" {
			t.Fatalf("empty message for %d %q", status, body)
		}
		if utf8.Valid(body) && !utf8.ValidString(msg) {
			t.Fatalf("invalid UTF-8 %q from a valid body", msg)
		}
		text := strings.TrimSpace(string(body))
		if !json.Valid(body) && text != "" {
			cut := strings.TrimSuffix(msg, "...")
			if !strings.HasPrefix(text, cut) && utf8.Valid(body) || len(cut) > maxMessage {
				t.Fatalf("message %q is not a bounded prefix of the body %q", msg, text)
			}
		}
	})
}
