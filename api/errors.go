package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/magnum"
)

// errorItem is one entry of Magnum's error body.
type errorItem struct {
	RequestID string `json:"request_id"`
	Code      string `json:"code"`
	Status    int    `json:"status"`
	Title     string `json:"title"`
	Detail    string `json:"detail"`
	Links     []link `json:"links"`
}

// apiError is an error the handler answers with a given status. Code is
// "client" or "server" for errors raised while serving a request, and
// empty for routing errors.
type apiError struct {
	Status int
	Code   string
	Msg    string
}

func (e *apiError) Error() string { return e.Msg }

// badRequest returns a 400 client error with Magnum's message.
func badRequest(format string, args ...any) error {
	return &apiError{Status: http.StatusBadRequest, Code: "client", Msg: fmt.Sprintf(format, args...)}
}

// invalidField returns the 400 Magnum's input typing raises.
func invalidField(name, value, reason string) error {
	return badRequest("Invalid input for field/attribute %s. Value: '%s'. %s", name, value, reason)
}

// statusOf maps an error of the service to its HTTP status.
func statusOf(err error) (int, string) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae.Status, ae.Code
	case errors.Is(err, magnum.ErrNotFound):
		return http.StatusNotFound, "client"
	case errors.Is(err, magnum.ErrInvalid), errors.Is(err, magnum.ErrInvalidState):
		return http.StatusBadRequest, "client"
	case errors.Is(err, magnum.ErrConflict):
		return http.StatusConflict, "client"
	case errors.Is(err, magnum.ErrForbidden), errors.Is(err, magnum.ErrQuotaExceeded):
		return http.StatusForbidden, "client"
	case errors.Is(err, magnum.ErrUnauthenticated):
		return http.StatusUnauthorized, "client"
	case errors.Is(err, magnum.ErrUnavailable):
		return http.StatusServiceUnavailable, "server"
	}
	return http.StatusInternalServerError, "server"
}

// writeErr answers a request with the error body Magnum sends: one entry
// whose title is the message up to its first period.
func (h *Handler) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	status, code := statusOf(err)
	switch {
	case status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(err)))
		h.log.WarnContext(r.Context(), "request failed: unavailable", slog.Any("error", err))
	case status >= 500:
		h.log.ErrorContext(r.Context(), "request failed", slog.Any("error", err))
	}
	writeError(w, status, code, err.Error())
}

// retryAfterSeconds is the Retry-After of a 503: when the driver's plugin
// is next restarted, if the error says, in whole seconds, at least 1.
func retryAfterSeconds(err error) int {
	var ue *drivers.UnavailableError
	if !errors.As(err, &ue) {
		return 1
	}
	return max(1, int((ue.RetryAfter+time.Second-1)/time.Second))
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	title, _, _ := strings.Cut(msg, ".")
	writeJSON(w, status, map[string][]errorItem{"errors": {{
		Code: code, Status: status, Title: title, Detail: msg, Links: []link{},
	}}})
}

// writeRoutingError answers a request no route serves (404, 405, and the
// 406 of an API missing from the requested version). Magnum leaves the
// code empty, and the title and detail too unless the client accepts JSON.
func writeRoutingError(w http.ResponseWriter, r *http.Request, status int, detail string) {
	item := errorItem{Status: status, Links: []link{}}
	if acceptsJSON(r) {
		item.Title, item.Detail = http.StatusText(status), detail
	}
	writeJSON(w, status, map[string][]errorItem{"errors": {item}})
}
