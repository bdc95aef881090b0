package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gomagnum/gomagnum/internal/python"
	"github.com/gomagnum/gomagnum/magnum"
)

// page holds the paging and sorting parameters of a list request.
type page struct {
	limit   int // the effective page size
	marker  string
	sortKey string
	sortDir string
	// keep are filters the next link repeats (role, all_tenants).
	keep url.Values
}

// listParams reads limit, marker, sort_key and sort_dir as Magnum does: a
// missing limit is the maximum, larger ones are capped, others refused.
func (h *Handler) listParams(r *http.Request) (page, error) {
	q := r.URL.Query()
	p := page{limit: h.maxLimit, marker: q.Get("marker"), sortKey: q.Get("sort_key"), sortDir: q.Get("sort_dir")}
	if raw, ok := q["limit"]; ok {
		n, err := parseLimit(raw)
		switch {
		case err != nil:
			return p, err
		case n <= 0:
			return p, badRequest("Limit must be positive")
		case n < h.maxLimit:
			p.limit = n
		}
	}
	return p, nil
}

// parseLimit reads the values of the limit parameter as Magnum does, with
// Python's int(): a repeated parameter reaches it as a list, which int()
// refuses.
func parseLimit(raw []string) (int, error) {
	if len(raw) > 1 {
		list := make([]any, len(raw))
		for i, s := range raw {
			list[i] = s
		}
		return 0, invalidField("limit", pyRepr(list), "unable to convert to int. Error: int() argument must be "+
			"a string, a bytes-like object or a real number, not 'list'")
	}
	n, err := python.Int(raw[0])
	if err != nil {
		return 0, invalidField("limit", raw[0], "unable to convert to int. Error: "+err.Error())
	}
	return n, nil
}

// options are the service's list options for the page.
func (p page) options() magnum.ListOptions {
	return magnum.ListOptions{Limit: p.limit, Marker: p.marker, SortKey: p.sortKey, SortDir: p.sortDir}
}

// next returns the link to the page after one of n items ending at
// marker, or "" when the page is not full (Magnum's rule: there may be
// more only when the page has exactly limit items).
func (p page) next(r *http.Request, collection string, n int, marker string) string {
	if n == 0 || n != p.limit {
		return ""
	}
	key, dir := p.sortKey, p.sortDir
	if key == "" {
		key = "id"
	}
	if dir == "" {
		dir = "asc"
	}
	q := "?sort_key=" + url.QueryEscape(key) + "&sort_dir=" + url.QueryEscape(dir)
	if len(p.keep) > 0 {
		q += "&" + p.keep.Encode()
	}
	q += "&limit=" + strconv.Itoa(p.limit) + "&marker=" + url.QueryEscape(marker)
	return hostURL(r) + "/v1/" + collection + q
}

// listHandler serves one page of a collection: it lists with the
// request's paging parameters and writes the items' views under key, with
// the link to the next page of collection when the page is full. uuid
// names an item, for the next page's marker.
func listHandler[T, V any](h *Handler, key, collection string, list func(context.Context, magnum.ListOptions) ([]T, error),
	uuid func(*T) string, view func(*http.Request, *T) V) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := h.listParams(r)
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		all, err := list(r.Context(), p.options())
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		writePage(w, r, p, key, collection, all, uuid, view)
	}
}

// writePage writes a page of items as their views under key, with the
// link to the next page of collection when the page is full; marker names
// an item, for that link.
func writePage[T, V any](w http.ResponseWriter, r *http.Request, p page, key, collection string, all []T,
	marker func(*T) string, view func(*http.Request, *T) V) {
	items := make([]V, len(all))
	for i := range all {
		items[i] = view(r, &all[i])
	}
	body := map[string]any{key: items}
	if len(all) > 0 {
		if next := p.next(r, collection, len(all), marker(&all[len(all)-1])); next != "" {
			body["next"] = next
		}
	}
	writeJSON(w, http.StatusOK, body)
}
