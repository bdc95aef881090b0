package remote

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/gomagnum/gomagnum/magnum"
)

// apiErr maps the error of a call to the typed error of package magnum
// the server's answer stands for: its status, and where one status
// stands for several kinds, Magnum's message.
func apiErr(err error) error {
	if err == nil {
		return nil
	}
	var ue gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &ue) {
		return err
	}
	detail := errorDetail(ue.Body)
	kind := errorKind(ue.Actual, detail)
	if kind == nil {
		return fmt.Errorf("magnum API: %s: %w", detail, err)
	}
	return &magnum.Error{Kind: kind, Message: detail, Err: err}
}

// errorKind is the kind of error of a status and message.
func errorKind(status int, detail string) error {
	switch status {
	case http.StatusBadRequest:
		if strings.Contains(detail, "when status is") || strings.Contains(detail, "in status") {
			return magnum.ErrInvalidState
		}
		if strings.HasPrefix(detail, "ClusterTemplate ") && strings.HasSuffix(detail, "could not be found.") {
			return magnum.ErrTemplateNotFound
		}
		return magnum.ErrInvalid
	case http.StatusNotAcceptable, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return magnum.ErrInvalid
	case http.StatusUnauthorized:
		return magnum.ErrUnauthenticated
	case http.StatusForbidden:
		if lower := strings.ToLower(detail); strings.Contains(lower, "limit exceeded") || strings.Contains(lower, "quota exceeded") {
			return magnum.ErrQuotaExceeded
		}
		return magnum.ErrForbidden
	case http.StatusNotFound:
		if strings.HasPrefix(detail, "ClusterTemplate ") {
			return magnum.ErrTemplateNotFound
		}
		return magnum.ErrNotFound
	case http.StatusConflict:
		return magnum.ErrConflict
	case http.StatusServiceUnavailable:
		return magnum.ErrUnavailable
	}
	return nil
}

// maxDetail bounds the error message kept from a body that is not
// Magnum's.
const maxDetail = 512

// errorDetail is the message of an error body: Magnum's
// {"errors": [{"detail": ...}]}, Keystone's {"error": {"message": ...}},
// or the start of the body.
func errorDetail(body []byte) string {
	var b struct {
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		} `json:"errors"`
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &b) == nil {
		switch {
		case len(b.Errors) > 0 && b.Errors[0].Detail != "":
			return b.Errors[0].Detail
		case len(b.Errors) > 0:
			return b.Errors[0].Title
		case b.Error.Message != "":
			return b.Error.Message
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > maxDetail {
		s = s[:maxDetail]
	}
	return s
}
