package api

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/gomagnum/gomagnum/magnum"
)

// DefaultViewCacheBytes is the default bound of the encoded views the
// handler keeps (see WithViewCache).
const DefaultViewCacheBytes = 32 << 20

// WithViewCache bounds, in bytes, the encoded views of templates and
// clusters the handler keeps to answer reads of objects that have not
// changed; 0 keeps none. The default is DefaultViewCacheBytes.
func WithViewCache(maxBytes int) Option {
	return func(h *Handler) { h.views = newViewCache(maxBytes) }
}

// viewID names a view of an object: which function shows it.
type viewID uint8

// The views the cache holds.
const (
	viewTemplate viewID = iota + 1
	viewBaymodel
	viewClusterBrief
	viewClusterFull
	viewClusterOne // clusterFull with its faults
	viewBayBrief
	viewBayFull
	viewBayOne
)

// viewKey names one encoded view: of an object at one revision, by one
// view function, at one microversion. A revision is a row and a version
// of it, which no other state of any object ever has, so an entry is
// never stale: an object that changed has a new key, and the entries of
// its older revisions age out.
type viewKey struct {
	row, version int64
	view         viewID
	minor        uint8
}

// encodedView is a view encoded as JSON with the request's base URL
// ("http://host:port") cut out: the parts go around it.
type encodedView struct {
	parts [][]byte
	size  int
}

// viewCache keeps encoded views in two generations: lookups promote what
// they find in the old one, and when the current one holds half the bound
// it becomes the old one, dropping the previous old one. It never holds
// more than its bound (and one view).
type viewCache struct {
	half int
	// base is the base URL views are encoded with, which encoded views
	// carry in place of the request's: it holds a NUL byte and random
	// digits, which no stored field can forge.
	base    string
	baseRaw []byte // base as it is encoded in JSON

	mu       sync.Mutex
	cur, old map[any]*encodedView // by viewKey or pageKey
	curBytes int
}

// pageKey names one encoded page of a list: the page as the service names
// it, shown by one view function at one microversion.
type pageKey struct {
	page  magnum.Page
	view  viewID
	minor uint8
}

func newViewCache(maxBytes int) *viewCache {
	if maxBytes <= 0 {
		return nil
	}
	var nonce [12]byte
	rand.Read(nonce[:])
	host := "\x00" + hex.EncodeToString(nonce[:])
	raw, _ := json.Marshal("http://" + host)
	return &viewCache{half: maxBytes / 2, base: host, baseRaw: raw[1 : len(raw)-1],
		cur: map[any]*encodedView{}, old: map[any]*encodedView{}}
}

// get returns the view of key, or nil.
func (c *viewCache) get(key any) *encodedView {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v := c.cur[key]; v != nil {
		return v
	}
	v := c.old[key]
	if v != nil {
		delete(c.old, key)
		c.addLocked(key, v)
	}
	return v
}

// put keeps the view of key.
func (c *viewCache) put(key any, v *encodedView) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur[key] == nil {
		c.addLocked(key, v)
	}
}

func (c *viewCache) addLocked(key any, v *encodedView) {
	if c.curBytes+v.size > c.half {
		c.old, c.cur, c.curBytes = c.cur, make(map[any]*encodedView, len(c.cur)), 0
	}
	c.cur[key] = v
	c.curBytes += v.size
}

// encode builds the view of an object for a request, encodes it and cuts
// the base URL out.
func (c *viewCache) encode(r *http.Request, show func(*http.Request) any) (*encodedView, error) {
	b, err := json.Marshal(show(c.anonymous(r)))
	if err != nil {
		return nil, err
	}
	return c.cut(b), nil
}

// anonymous is a copy of r whose base URL is the cache's own.
func (c *viewCache) anonymous(r *http.Request) *http.Request {
	anon := *r
	anon.Host, anon.TLS = c.base, nil
	return &anon
}

// cut makes an encoded view of b, encoded for an anonymous request.
func (c *viewCache) cut(b []byte) *encodedView {
	parts := bytes.Split(b, c.baseRaw)
	return &encodedView{parts: parts, size: len(b) + 64 + 24*len(parts)}
}

// writeTo appends the view to buf with base, the request's base URL
// encoded in JSON, put back in.
func (v *encodedView) writeTo(buf *bytes.Buffer, base []byte) {
	for i, p := range v.parts {
		if i > 0 {
			buf.Write(base)
		}
		buf.Write(p)
	}
}

// viewer serves one view of one kind of object through the cache.
type viewer[T any] struct {
	id   viewID
	show func(*http.Request, *T) any
}

// lookup is the magnum.Known of a read for a request: it reports the
// revisions whose view the cache holds and keeps those views, in the
// order it was asked (the order of the read's result).
type lookup struct {
	c     *viewCache
	id    viewID
	minor uint8
	hits  []*encodedView
}

func (l *lookup) key(rev magnum.Revision) viewKey {
	return viewKey{row: rev.Row, version: rev.Version, view: l.id, minor: l.minor}
}

func (l *lookup) known(rev magnum.Revision) bool {
	if l.c == nil {
		return false
	}
	v := l.c.get(l.key(rev))
	if v != nil {
		l.hits = append(l.hits, v)
	}
	return v != nil
}

// newLookup starts the cache look-ups of a request.
func (vw viewer[T]) newLookup(c *viewCache, r *http.Request) *lookup {
	return &lookup{c: c, id: vw.id, minor: uint8(min(versionOf(r).Minor, 255))}
}

// views returns the encoded views of a read's objects in order: those the
// cache held, and the others encoded now and kept.
func (vw viewer[T]) views(l *lookup, r *http.Request, objs []magnum.Versioned[T]) ([]*encodedView, error) {
	c := l.c
	if c == nil {
		c = uncached
	}
	out := make([]*encodedView, len(objs))
	hit := 0
	for i, o := range objs {
		if o.Object == nil {
			out[i] = l.hits[hit]
			hit++
			continue
		}
		v, err := c.encode(r, func(r *http.Request) any { return vw.show(r, o.Object) })
		if err != nil {
			return nil, err
		}
		if l.c != nil {
			l.c.put(l.key(o.Revision), v)
		}
		out[i] = v
	}
	return out, nil
}

// uncached encodes the views of a handler without a cache.
var uncached = newViewCache(1)

// baseURL is the request's base URL as JSON encodes it.
func baseURL(r *http.Request) []byte {
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	b := make([]byte, 0, len(scheme)+len(r.Host))
	b = append(append(b, scheme...), r.Host...)
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			// A character JSON escapes (encoding/json escapes HTML's too).
			m, _ := json.Marshal(string(b))
			return m[1 : len(m)-1]
		}
	}
	return b
}

// jsonContentType is the Content-Type header of JSON answers, shared by
// them (net/http only reads header values).
var jsonContentType = []string{"application/json"}

// writeBody answers with a JSON body.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}
