package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// revisions is what the read path needs of the service: lists and gets
// that say which revision of each object they read, and decode only the
// objects whose views the handler does not hold.
type revisions interface {
	ListClusterTemplateRevisions(ctx context.Context, o magnum.ListOptions, cache magnum.ReadCache) (magnum.Listing[magnum.ClusterTemplate], error)
	GetClusterTemplateRevision(ctx context.Context, ident string, known magnum.Known) (magnum.Versioned[magnum.ClusterTemplate], error)
	ListClusterRevisions(ctx context.Context, o magnum.ListOptions, cache magnum.ReadCache) (magnum.Listing[magnum.Cluster], error)
	GetClusterRevision(ctx context.Context, ident string, known magnum.Known) (magnum.Versioned[magnum.Cluster], error)
}

// cachedList serves one page of a collection as listHandler does, from
// the cache: the whole page when nothing of its kind changed since it was
// encoded, else the page assembled from the views of the objects that did
// not change and those of the others, encoded now.
func cachedList[T any](h *Handler, key, collection string,
	list func(context.Context, magnum.ListOptions, magnum.ReadCache) (magnum.Listing[T], error), vw viewer[T]) http.HandlerFunc {
	head := []byte(`{"` + key + `":[`)
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := h.listParams(r)
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		l := vw.newLookup(h.views, r)
		var held *encodedView
		cache := magnum.ReadCache{Objects: l.known}
		if h.views != nil {
			cache.Pages = func(pg magnum.Page) bool {
				held = h.views.get(pageKey{page: pg, view: l.id, minor: l.minor})
				return held != nil
			}
		}
		listing, err := list(r.Context(), p.options(), cache)
		if err == nil && !listing.Held {
			held, err = encodePage(l, vw, r, p, head, collection, listing)
		}
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		writeEncoded(w, held, baseURL(r))
	}
}

// encodePage encodes a page of a list, with the base URL cut out, and
// keeps it in the cache.
func encodePage[T any](l *lookup, vw viewer[T], r *http.Request, p page, head []byte, collection string,
	listing magnum.Listing[T]) (*encodedView, error) {
	views, err := vw.views(l, r, listing.Items)
	if err != nil {
		return nil, err
	}
	c := l.c
	if c == nil {
		c = uncached
	}
	next := ""
	if n := len(listing.Items); n > 0 {
		next = p.next(c.anonymous(r), collection, n, listing.Items[n-1].UUID)
	}
	var buf bytes.Buffer
	buf.Write(head)
	for i, v := range views {
		if i > 0 {
			buf.WriteByte(',')
		}
		v.writeTo(&buf, c.baseRaw)
	}
	buf.WriteByte(']')
	if next != "" {
		link, _ := json.Marshal(next)
		buf.WriteString(`,"next":`)
		buf.Write(link)
	}
	buf.WriteByte('}')
	enc := c.cut(buf.Bytes())
	if l.c != nil {
		l.c.put(pageKey{page: listing.Page, view: l.id, minor: l.minor}, enc)
	}
	return enc, nil
}

// writeEncoded answers 200 with an encoded view or page, base put back in.
func writeEncoded(w http.ResponseWriter, v *encodedView, base []byte) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bufPool.Put(buf) }()
	v.writeTo(buf, base)
	writeBody(w, http.StatusOK, buf.Bytes())
}

// cachedGet serves one object by the identifier in the path parameter
// param, its view taken from the cache when the object has not changed.
func cachedGet[T any](h *Handler, param string,
	get func(context.Context, string, magnum.Known) (magnum.Versioned[T], error), vw viewer[T]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := vw.newLookup(h.views, r)
		obj, err := get(r.Context(), r.PathValue(param), l.known)
		if err == nil {
			var views []*encodedView
			if views, err = vw.views(l, r, []magnum.Versioned[T]{obj}); err == nil {
				writeEncoded(w, views[0], baseURL(r))
				return
			}
		}
		h.writeErr(w, r, err)
	}
}
