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
	ListClusterTemplateRevisions(ctx context.Context, o magnum.ListOptions, known magnum.Known) ([]magnum.Versioned[magnum.ClusterTemplate], error)
	GetClusterTemplateRevision(ctx context.Context, ident string, known magnum.Known) (magnum.Versioned[magnum.ClusterTemplate], error)
	ListClusterRevisions(ctx context.Context, o magnum.ListOptions, known magnum.Known) ([]magnum.Versioned[magnum.Cluster], error)
	GetClusterRevision(ctx context.Context, ident string, known magnum.Known) (magnum.Versioned[magnum.Cluster], error)
}

// cachedList serves one page of a collection as listHandler does, with
// the views of the objects that have not changed taken from the cache and
// the page assembled from them.
func cachedList[T any](h *Handler, key, collection string,
	list func(context.Context, magnum.ListOptions, magnum.Known) ([]magnum.Versioned[T], error), vw viewer[T]) http.HandlerFunc {
	head := []byte(`{"` + key + `":[`)
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := h.listParams(r)
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		l := vw.newLookup(h.views, r)
		objs, err := list(r.Context(), p.options(), l.known)
		if err == nil {
			var views []*encodedView
			if views, err = vw.views(l, r, objs); err == nil {
				next := ""
				if len(objs) > 0 {
					next = p.next(r, collection, len(objs), objs[len(objs)-1].UUID)
				}
				writePageOf(w, head, views, baseURL(r), next)
				return
			}
		}
		h.writeErr(w, r, err)
	}
}

// writePageOf writes a list body: head, the views, and the next link if
// any, as writePage encodes them.
func writePageOf(w http.ResponseWriter, head []byte, views []*encodedView, base []byte, next string) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bufPool.Put(buf) }()
	buf.Write(head)
	for i, v := range views {
		if i > 0 {
			buf.WriteByte(',')
		}
		v.writeTo(buf, base)
	}
	buf.WriteByte(']')
	if next != "" {
		link, _ := json.Marshal(next)
		buf.WriteString(`,"next":`)
		buf.Write(link)
	}
	buf.WriteByte('}')
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
				buf := bufPool.Get().(*bytes.Buffer)
				defer func() { buf.Reset(); bufPool.Put(buf) }()
				views[0].writeTo(buf, baseURL(r))
				writeBody(w, http.StatusOK, buf.Bytes())
				return
			}
		}
		h.writeErr(w, r, err)
	}
}
