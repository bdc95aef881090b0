package heat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// maxMessage bounds a message taken from a response body that is not
// Heat's JSON error document.
const maxMessage = 512

// heatFault is the error document Heat (and keystonemiddleware) answer with:
//
//	{"code": 400, "title": "Bad Request", "explanation": "...",
//	 "error": {"type": "UnknownUserParameter", "message": "The Parameter (x) was not defined in template."}}
type heatFault struct {
	Title       string `json:"title"`
	Explanation string `json:"explanation"`
	Error       struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"error"`
}

// faultMessage extracts Heat's own explanation from an error response
// body: error.message, else explanation, else title, else the body text.
// It never fails; an empty body gives the HTTP status text.
func faultMessage(status int, body []byte) string {
	var f heatFault
	if json.Unmarshal(body, &f) == nil {
		for _, m := range []string{f.Error.Message, f.Explanation, f.Title} {
			if m = strings.TrimSpace(m); m != "" {
				return m
			}
		}
	}
	text := strings.TrimSpace(string(body))
	if !json.Valid(body) && text != "" {
		if len(text) > maxMessage {
			// Cut on a rune boundary.
			text = strings.ToValidUTF8(text[:maxMessage], "") + "..."
		}
		return text
	}
	return fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
}

// kindOfStatus maps an HTTP status code of a Heat response to the sentinel
// error of this package.
func kindOfStatus(status int) error {
	switch {
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrUnauthorized
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests:
		return ErrInvalid // 400 and the other 4xx Heat uses for bad requests (413, 415, ...)
	default: // 5xx, 429, and answers no Heat call expects (a 204 to a GET, a 300)
		return ErrUnavailable
	}
}

// classify turns an error from gophercloud into an *Error of this package.
// Errors of the caller's context (parent) are returned wrapped as they
// are, so that callers see context.Canceled and DeadlineExceeded.
func classify(parent context.Context, err error) error {
	if err == nil {
		return nil
	}
	if perr := parent.Err(); perr != nil {
		return fmt.Errorf("heat: %w", perr)
	}
	var reauth *gophercloud.ErrUnableToReauthenticate
	if errors.As(err, &reauth) {
		// The original 401 is the symptom; why re-authentication failed is the cause.
		return classify(parent, reauth.ErrReauth)
	}
	var code gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &code) {
		return &Error{Kind: kindOfStatus(code.Actual), Message: faultMessage(code.Actual, code.Body)}
	}
	var pcode *gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &pcode) {
		return &Error{Kind: kindOfStatus(pcode.Actual), Message: faultMessage(pcode.Actual, pcode.Body)}
	}
	if isTransient(err) {
		return &Error{Kind: ErrUnavailable, Message: err.Error()}
	}
	return fmt.Errorf("heat: %w", err)
}

// isTransient reports whether err is a failure of the transport rather
// than an answer: a refused, reset or dropped connection, a timeout of one
// attempt, or a response body cut short.
func isTransient(err error) bool {
	var netErr net.Error
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &netErr),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &syntaxErr):
		return true
	}
	// net/http reports some dropped connections only in words.
	msg := err.Error()
	for _, s := range []string{
		"connection reset", "connection refused", "broken pipe",
		"server closed idle connection", "transport connection broken",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
