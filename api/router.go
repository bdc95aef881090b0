package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// route is one endpoint of the v1 API.
type route struct {
	method string
	// segs is the path after /v1, split at slashes; a segment in braces
	// is a path parameter, set on the request with SetPathValue.
	segs []string
	// name identifies the route in metrics and logs: "GET /v1/clusters/{cluster}".
	name string
	// api is the name of Magnum's controller method a 406 names.
	api string
	// since and until bound the microversions serving the route.
	since, until Version
	// public routes need no authentication.
	public bool
	handle http.HandlerFunc
}

// routeOption refines a route.
type routeOption func(*route)

// since makes a route available from microversion v.
func since(v Version) routeOption { return func(r *route) { r.since = v } }

// until makes a route available up to microversion v.
func until(v Version) routeOption { return func(r *route) { r.until = v } }

// public exempts a route from authentication.
func public() routeOption { return func(r *route) { r.public = true } }

// router finds the route of a request.
type router struct{ routes []*route }

// handle registers a route: pattern is "METHOD /path/{param}" relative to
// /v1, api the controller method a 406 names.
func (rt *router) handle(pattern, api string, h http.HandlerFunc, opts ...routeOption) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic(fmt.Sprintf("api: bad route pattern %q", pattern))
	}
	r := &route{method: method, segs: splitPath(path), name: method + " " + strings.TrimSuffix("/v1"+path, "/"), api: api,
		since: MinVersion, until: MaxVersion, handle: h}
	for _, o := range opts {
		o(r)
	}
	rt.routes = append(rt.routes, r)
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match returns the route serving method on the path segments, setting its
// parameters on req, and the routes of the path with other methods (a 405
// when the route is nil and there are some).
func (rt *router) match(req *http.Request, segs []string) (best *route, others []*route) {
	for _, r := range rt.routes {
		switch {
		case !r.matches(segs):
		case r.method != req.Method:
			others = append(others, r)
		case best == nil || r.moreSpecific(best):
			best = r
		}
	}
	if best != nil {
		for i, s := range best.segs {
			if isParam(s) {
				req.SetPathValue(s[1:len(s)-1], segs[i])
			}
		}
	}
	return best, others
}

func (r *route) matches(segs []string) bool {
	if len(segs) != len(r.segs) {
		return false
	}
	for i, s := range r.segs {
		if !isParam(s) && s != segs[i] {
			return false
		}
	}
	return true
}

// moreSpecific reports whether r has a literal segment where o, matching
// the same path, first has a parameter: /clusters/detail beats
// /clusters/{cluster}.
func (r *route) moreSpecific(o *route) bool {
	for i := range r.segs {
		if a, b := isParam(r.segs[i]), isParam(o.segs[i]); a != b {
			return !a
		}
	}
	return false
}

func isParam(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }

// serves reports whether the route exists at microversion v.
func (r *route) serves(v Version) bool { return !v.Less(r.since) && !r.until.Less(v) }

// allowed returns the Allow header of a path (RFC 9110): the methods of
// its routes serving microversion v, sorted as Magnum sorts them. ok is
// false when none serves v.
func allowed(routes []*route, v Version) (allow string, ok bool) {
	var methods []string
	for _, r := range routes {
		if r.serves(v) && !slices.Contains(methods, r.method) {
			methods = append(methods, r.method)
		}
	}
	slices.Sort(methods)
	return strings.Join(methods, ", "), len(methods) > 0
}
