package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gomagnum/gomagnum/internal/python"
)

// Version is an API microversion, such as 1.10.
type Version struct{ Major, Minor int }

// The microversions the handler serves: requests without a version header
// get MinVersion (not the latest), "latest" gets MaxVersion.
var (
	MinVersion = Version{1, 1}
	MaxVersion = Version{1, 14}
)

// Microversions at which the API changed.
var (
	vRollback        = Version{1, 3}  // ?rollback= on cluster PATCH
	vAsyncBays       = Version{1, 2}  // bay create/update answer 202 {uuid}
	vResize          = Version{1, 7}  // clusters/{id}/actions/resize
	vUpgrade         = Version{1, 8}  // clusters/{id}/actions/upgrade
	vNodeGroups      = Version{1, 9}  // clusters/{id}/nodegroups
	vZeroNodes       = Version{1, 10} // node_count 0; unknown template is 404
	vNoBays          = Version{1, 11} // bays and baymodels removed
	vCredentials     = Version{1, 12} // credentials/{cluster}
	vClusterID       = Version{1, 13} // cluster_id replaces stack_id
	vNodeLabelTaints = Version{1, 14} // node_labels, node_taints on node groups
)

const (
	versionHeader    = "OpenStack-API-Version"
	minVersionHeader = "OpenStack-API-Minimum-Version"
	maxVersionHeader = "OpenStack-API-Maximum-Version"
	serviceType      = "container-infra"
)

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	return v.Major < o.Major || (v.Major == o.Major && v.Minor < o.Minor)
}

// AtLeast reports whether v is o or newer.
func (v Version) AtLeast(o Version) bool { return !v.Less(o) }

// versionError is the detail of the 406 for an OpenStack-API-Version
// header Magnum cannot read.
type versionError string

func (e versionError) Error() string { return string(e) }

// Magnum's two versionErrors.
const (
	errVersionService versionError = "Invalid service type for " + versionHeader + " header"
	errVersionValue   versionError = "Invalid value for " + versionHeader + " header"
)

// parseVersion reads the OpenStack-API-Version header as Magnum does. No
// header means MinVersion. Otherwise it must be exactly two tokens
// separated by white space, else the service type is invalid. "latest",
// in any case, as the second means MaxVersion whatever the first says.
// Otherwise the first must be container-infra, exactly, else the service
// type is invalid, and the second two integers joined by a dot (each as
// Python's int() reads it), else the value is invalid. The error is the
// detail of the 406.
func parseVersion(h http.Header) (Version, error) {
	lines := h.Values(versionHeader)
	if len(lines) == 0 {
		return MinVersion, nil
	}
	// Several header lines reach Magnum as one, joined by commas, and
	// decoded as Latin-1 (PEP 3333).
	fields := python.Fields(latin1(strings.Join(lines, ", ")))
	if len(fields) != 2 {
		return Version{}, errVersionService
	}
	service, num := fields[0], fields[1]
	if strings.EqualFold(num, "latest") {
		return MaxVersion, nil
	}
	if service != serviceType {
		return Version{}, errVersionService
	}
	major, minor, found := strings.Cut(num, ".")
	if !found || strings.Contains(minor, ".") {
		return Version{}, errVersionValue
	}
	var v Version
	var err1, err2 error
	v.Major, err1 = python.Int(major)
	v.Minor, err2 = python.Int(minor)
	if err1 != nil || err2 != nil {
		return Version{}, errVersionValue
	}
	return v, nil
}

// supported reports whether the handler serves v.
func supported(v Version) bool {
	return v.Major == MinVersion.Major && !v.Less(MinVersion) && !MaxVersion.Less(v)
}

// setVersionHeaders adds the headers of every versioned response.
func setVersionHeaders(h http.Header, v Version) {
	if v.Major == MaxVersion.Major && v.Minor >= 0 && v.Minor < len(servedVersionValues) {
		h[canonicalVersionHeader] = servedVersionValues[v.Minor]
	} else {
		h.Set(versionHeader, serviceType+" "+v.String())
	}
	h[canonicalMinVersionHeader] = minVersionValue
	h[canonicalMaxVersionHeader] = maxVersionValue
	h["Vary"] = varyValue
}

// The version headers' canonical names and values, made once: every
// answer of a route carries them. net/http only reads header values, so
// answers share these slices.
var (
	canonicalVersionHeader    = http.CanonicalHeaderKey(versionHeader)
	canonicalMinVersionHeader = http.CanonicalHeaderKey(minVersionHeader)
	canonicalMaxVersionHeader = http.CanonicalHeaderKey(maxVersionHeader)
	minVersionValue           = []string{serviceType + " " + MinVersion.String()}
	maxVersionValue           = []string{serviceType + " " + MaxVersion.String()}
	varyValue                 = []string{versionHeader}
	// servedVersionValues is the version header's value by minor version
	// of the current major one.
	servedVersionValues = func() [][]string {
		out := make([][]string, MaxVersion.Minor+1)
		for minor := range out {
			out[minor] = []string{serviceType + " " + Version{MaxVersion.Major, minor}.String()}
		}
		return out
	}()
)

type versionKey struct{}

func withVersion(ctx context.Context, v Version) context.Context {
	return context.WithValue(ctx, versionKey{}, v)
}

// versionOf returns the microversion of a request.
func versionOf(r *http.Request) Version {
	if v, ok := r.Context().Value(versionKey{}).(Version); ok {
		return v
	}
	return MinVersion
}

// unsupportedVersionError is the body of the 406 for a well-formed version
// outside the supported range, Magnum's only error body of its own shape.
type unsupportedVersionError struct {
	Code        string `json:"code"`
	Title       string `json:"title"`
	MaxVersion  string `json:"max_version"`
	MinVersion  string `json:"min_version"`
	Links       []link `json:"links"`
	Description string `json:"description,omitempty"`
}

func writeUnsupportedVersion(w http.ResponseWriter, r *http.Request, v Version) {
	body := unsupportedVersionError{
		Code: "magnum.microversion-unsupported", Title: "Requested microversion is unsupported",
		MaxVersion: MaxVersion.String(), MinVersion: MinVersion.String(),
		Links: []link{{Href: "http://docs.openstack.org/api-guide/compute/microversions.html", Rel: "help"}},
	}
	if acceptsJSON(r) {
		rng := fmt.Sprintf("[%s %s, %s %s]", serviceType, MinVersion, serviceType, MaxVersion)
		if v.Major != MinVersion.Major {
			body.Description = fmt.Sprintf("Mutually exclusive versions requested. Version %s requested but "+
				"not supported by this service.The supported version range is: %s.", v, rng)
		} else {
			body.Description = fmt.Sprintf("Version %s was requested but the minor version is not supported "+
				"by this service. The supported version range is: %s.", v, rng)
		}
	}
	setVersionHeaders(w.Header(), v)
	writeJSON(w, http.StatusNotAcceptable, map[string][]unsupportedVersionError{"errors": {body}})
}

// acceptsJSON reports whether the client asked for JSON, which makes Magnum
// fill in the title and detail of its routing errors.
func acceptsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// latin1 decodes the bytes of s as ISO-8859-1, as WSGI servers hand
// header values to Magnum.
func latin1(s string) string {
	r := make([]rune, len(s))
	for i := range len(s) {
		r[i] = rune(s[i])
	}
	return string(r)
}
