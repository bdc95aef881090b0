package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gomagnum/gomagnum/magnum"
)

// Cookies of a dashboard session. Both are HttpOnly and SameSite=Strict,
// scoped to Prefix, and Secure over TLS.
const (
	// tokenCookie holds the Keystone token (or noauth token) the user
	// signed in with; without it requests act as the authenticator's
	// default identity, if it has one.
	tokenCookie = "gomagnum_token"
	// csrfCookie holds the session's CSRF token, which every form repeats
	// in its csrfField.
	csrfCookie = "gomagnum_csrf"
	csrfField  = "csrf_token"
	// maxTokenLen bounds the token a user may sign in with; Keystone's
	// Fernet tokens are about 200 bytes.
	maxTokenLen = 4096
)

// refuseAll is the authenticator of a dashboard New was given none.
type refuseAll struct{}

func (refuseAll) Authenticate(*http.Request) (magnum.Caller, error) {
	return magnum.Caller{}, errUnauthenticated
}

// session is who a request acts as, and the token its forms must carry.
type session struct {
	caller magnum.Caller
	csrf   string
}

// checkForm reads a form, bounded in size, and checks its CSRF token; it
// answers the request when the form is refused.
func (h *Handler) checkForm(w http.ResponseWriter, r *http.Request, s *session) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, errBadForm)
		return false
	}
	if !s.validToken(r) {
		h.fail(w, r, errBadToken)
		return false
	}
	return true
}

// validToken reports whether a form carries the session's CSRF token.
func (s *session) validToken(r *http.Request) bool {
	got := r.PostFormValue(csrfField)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// session authenticates a request with the token of its cookie; an
// anonymous page view is sent to the sign-in page, anything else refused.
func (h *Handler) session(w http.ResponseWriter, r *http.Request) (*session, bool) {
	c, err := h.auth.Authenticate(withToken(r))
	if err != nil {
		h.log.DebugContext(r.Context(), "dashboard request not authenticated", slog.Any("error", err))
		if r.Method == http.MethodGet && !isFragment(r) {
			http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
		} else {
			h.fail(w, r, errUnauthenticated)
		}
		return nil, false
	}
	return &session{caller: c, csrf: csrfToken(w, r)}, true
}

// withToken returns the request as the authenticator sees it: with the
// session's token in X-Auth-Token, as a client of the REST API sends it.
func withToken(r *http.Request) *http.Request {
	ck, err := r.Cookie(tokenCookie)
	if err != nil || ck.Value == "" {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.Header.Set("X-Auth-Token", ck.Value)
	return r2
}

// csrfToken returns the session's CSRF token, setting a new one when the
// request has none.
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) == csrfTokenLen {
		return ck.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails
	tok := base64.RawURLEncoding.EncodeToString(b)
	setCookie(w, r, csrfCookie, tok)
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

// csrfTokenLen is the length of a CSRF token: 32 random bytes in base64.
var csrfTokenLen = base64.RawURLEncoding.EncodedLen(32)

func setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	ck := &http.Cookie{Name: name, Value: value, Path: Prefix, HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode}
	if value == "" {
		ck.MaxAge = -1
	}
	http.SetCookie(w, ck)
}

// loginPage asks for a token.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "login", &view{Title: "Sign in", CSRF: csrfToken(w, r)})
}

// login keeps the token a user signs in with in the session cookie, once
// the authenticator accepts it.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	s := &session{csrf: csrfToken(w, r)}
	if !h.checkForm(w, r, s) {
		return
	}
	tok := strings.TrimSpace(r.PostFormValue("token"))
	v := &view{Title: "Sign in", CSRF: s.csrf}
	if tok == "" || len(tok) > maxTokenLen || strings.ContainsAny(tok, "\r\n;\" ") {
		v.Error = "Enter a valid token."
		h.render(w, r, http.StatusBadRequest, "login", v)
		return
	}
	probe := r.Clone(r.Context())
	probe.Header.Set("X-Auth-Token", tok)
	if _, err := h.auth.Authenticate(probe); err != nil {
		v.Error = "The token was not accepted."
		h.render(w, r, http.StatusUnauthorized, "login", v)
		return
	}
	setCookie(w, r, tokenCookie, tok)
	http.Redirect(w, r, Prefix+"clusters", http.StatusSeeOther)
}

// logout forgets the session's token.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if !h.checkForm(w, r, &session{csrf: csrfToken(w, r)}) {
		return
	}
	setCookie(w, r, tokenCookie, "")
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

// isFragment reports whether a request is a live update of part of a page.
func isFragment(r *http.Request) bool { return r.Header.Get("X-Live") == "1" }
