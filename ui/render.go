package ui

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/gomagnum/gomagnum/magnum"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageNames are the pages, one template file each, rendered within
// base.html's layout.
var pageNames = []string{"login", "error", "clusters", "cluster", "new", "templates", "quotas", "services"}

// pages are the parsed templates by page name.
type pages struct{ byName map[string]*template.Template }

// loadPages parses the embedded templates; they are part of the binary, so
// a parse error is a programming error.
func loadPages() *pages {
	base := template.Must(template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html"))
	p := &pages{byName: make(map[string]*template.Template, len(pageNames))}
	for _, name := range pageNames {
		p.byName[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html"))
	}
	return p
}

// view is what every page renders: the layout's fields and the page's own
// data.
type view struct {
	Title  string
	Nav    string
	Caller *magnum.Caller
	CSRF   string
	// Error is a refusal or failure to show above the page's content.
	Error string
	Data  any
}

// bufPool recycles the buffers pages are rendered into, so that a page is
// sent whole or not at all.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a whole page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	h.execute(w, r, status, page, "layout", v)
}

// renderFragment writes the part of a page a live update replaces.
func (h *Handler) renderFragment(w http.ResponseWriter, r *http.Request, page, fragment string, v *view) {
	h.execute(w, r, http.StatusOK, page, fragment, v)
}

func (h *Handler) execute(w http.ResponseWriter, r *http.Request, status int, page, name string, v *view) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := h.pages.byName[page].ExecuteTemplate(buf, name, v); err != nil {
		h.log.ErrorContext(r.Context(), "rendering a dashboard page", slog.String("page", page), slog.Any("error", err))
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// refusal is an error of the dashboard itself, with its status code and
// the message it shows.
type refusal struct {
	status int
	msg    string
}

func (e *refusal) Error() string { return e.msg }

// Refusals of the dashboard itself.
var (
	errUnauthenticated = &refusal{http.StatusUnauthorized, "Sign in to use the dashboard."}
	errBadToken        = &refusal{http.StatusForbidden, "The form did not come from this dashboard session " +
		"(its CSRF token is missing or wrong): reload the page and try again."}
	errForbiddenOrigin = &refusal{http.StatusForbidden, "Cross-origin requests are refused."}
	errBadForm         = &refusal{http.StatusBadRequest, "The form could not be read."}
)

// failure is how an error is shown: its status code and message.
func (h *Handler) failure(r *http.Request, err error) (int, string) {
	var me *magnum.Error
	var re *refusal
	switch {
	case errors.As(err, &re):
		return re.status, re.msg
	case errors.As(err, &me):
		return statusOf(err), me.Message
	}
	h.log.ErrorContext(r.Context(), "dashboard request failed", slog.String("path", r.URL.Path), slog.Any("error", err))
	return http.StatusInternalServerError, "The request could not be completed; the service logged why."
}

// statusOf maps the service's errors to the REST API's status codes.
func statusOf(err error) int {
	for _, m := range []struct {
		kind   error
		status int
	}{
		{magnum.ErrNotFound, http.StatusNotFound}, {magnum.ErrForbidden, http.StatusForbidden},
		{magnum.ErrQuotaExceeded, http.StatusForbidden}, {magnum.ErrConflict, http.StatusConflict},
		{magnum.ErrInvalid, http.StatusBadRequest}, {magnum.ErrInvalidState, http.StatusBadRequest},
		{magnum.ErrUnavailable, http.StatusServiceUnavailable}, {magnum.ErrUnauthenticated, http.StatusUnauthorized},
	} {
		if errors.Is(err, m.kind) {
			return m.status
		}
	}
	return http.StatusInternalServerError
}

// fail answers a request with an error page (plain text for live
// updates).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := h.failure(r, err)
	if isFragment(r) {
		http.Error(w, msg, status)
		return
	}
	v := &view{Title: http.StatusText(status), Error: msg}
	if c, ok := magnum.CallerFrom(r.Context()); ok {
		v.Caller, v.CSRF = &c, csrfToken(w, r)
	}
	h.render(w, r, status, "error", v)
}

// staticHandler serves the embedded scripts and styles.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory exists
	}
	files := http.StripPrefix(Prefix+"static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}
