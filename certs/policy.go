package certs

import (
	"crypto/x509/pkix"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kubernetes names the policy relies on.
const (
	reservedPrefix = "system:"
	mastersGroup   = "system:masters"
	nodesGroup     = "system:nodes"
	nodeCNPrefix   = "system:node:"
	frontProxyCN   = "front-proxy-client"
	maxNameRunes   = 64
	maxGroups      = 16
)

// componentCNs are the control-plane identities a cluster's own nodes may
// ask for, without any organisation.
var componentCNs = []string{"system:kube-proxy", "system:kube-controller-manager", "system:kube-scheduler"}

// Role is what the requester of a certificate is to the cluster. The zero
// value, RoleUser, is the least privileged.
type Role int

// Roles, from least to most privileged.
const (
	// RoleUser is a cloud user the service's policy lets sign for the
	// cluster (in Magnum: the user who created it).
	RoleUser Role = iota
	// RoleClusterNode is the cluster's own trustee user, which its nodes
	// use to get their kubelet and component certificates.
	RoleClusterNode
	// RoleAdmin is a cloud administrator.
	RoleAdmin
)

// String names the role.
func (r Role) String() string {
	switch r {
	case RoleUser:
		return "user"
	case RoleClusterNode:
		return "cluster-node"
	case RoleAdmin:
		return "admin"
	default:
		return fmt.Sprintf("Role(%d)", int(r))
	}
}

// Requester is who asks SignCSR for a certificate. The service fills it
// from the authenticated caller; this package trusts it.
type Requester struct {
	// UserID and UserName are the caller's Keystone identity. A RoleUser
	// requester may ask only for a common name equal to one of them.
	UserID   string
	UserName string
	Role     Role
}

// subject returns the subject to certify for this requester: the CSR's
// common name and organisations, checked against the rules in doc.go.
// Every other attribute of the requested subject is dropped.
func (r Requester) subject(kind CAKind, req pkix.Name, userGroups map[string]bool) (pkix.Name, error) {
	s := pkix.Name{CommonName: req.CommonName, Organization: req.Organization}
	if err := checkNames(s); err != nil {
		return pkix.Name{}, err
	}
	var err error
	switch r.Role {
	case RoleAdmin:
	case RoleClusterNode:
		err = nodeSubject(kind, s)
	case RoleUser:
		err = r.userSubject(kind, s, userGroups)
	default:
		err = reject(ErrSubjectForbidden, "unknown requester role %v", r.Role)
	}
	if err != nil {
		return pkix.Name{}, err
	}
	return s, nil
}

// checkNames applies the syntax rules every subject must meet.
func checkNames(s pkix.Name) error {
	if err := checkName("common name", s.CommonName); err != nil {
		return err
	}
	if len(s.Organization) > maxGroups {
		return reject(ErrSubjectForbidden, "%d organisations, at most %d", len(s.Organization), maxGroups)
	}
	for _, o := range s.Organization {
		if err := checkName("organisation", o); err != nil {
			return err
		}
	}
	return nil
}

// checkName refuses empty, long, invalid or unprintable names.
func checkName(what, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return reject(ErrSubjectForbidden, "empty %s", what)
	case !utf8.ValidString(v):
		return reject(ErrSubjectForbidden, "%s is not UTF-8", what)
	case utf8.RuneCountInString(v) > maxNameRunes:
		return reject(ErrSubjectForbidden, "%s longer than %d characters", what, maxNameRunes)
	case strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return reject(ErrSubjectForbidden, "%s %q holds unprintable characters", what, v)
	}
	return nil
}

// nodeSubject: the cluster's nodes get node and component identities from
// the cluster CA, the API server's aggregation identity from the
// front-proxy CA, and any client identity from the etcd CA (flannel and
// the masters talk to etcd), but never system:masters.
func nodeSubject(kind CAKind, s pkix.Name) error {
	if slices.Contains(s.Organization, mastersGroup) {
		return reject(ErrSubjectForbidden, "O=%s is reserved to cloud admins", mastersGroup)
	}
	cn := s.CommonName
	switch kind {
	case Etcd:
		return nil
	case FrontProxy:
		if cn != frontProxyCN || len(s.Organization) > 0 {
			return reject(ErrSubjectForbidden, "cluster nodes may ask the front-proxy CA only for CN=%s without organisation", frontProxyCN)
		}
		return nil
	}
	switch {
	case strings.HasPrefix(cn, nodeCNPrefix) && len(cn) > len(nodeCNPrefix):
		if !slices.Equal(s.Organization, []string{nodesGroup}) {
			return reject(ErrSubjectForbidden, "a node certificate (CN=%s) must have exactly O=%s", cn, nodesGroup)
		}
	case slices.Contains(componentCNs, cn):
		if len(s.Organization) > 0 {
			return reject(ErrSubjectForbidden, "CN=%s takes no organisation", cn)
		}
	default:
		return reject(ErrSubjectForbidden, "cluster nodes may ask for CN=%s<node> or one of %v, not CN=%s",
			nodeCNPrefix, componentCNs, cn)
	}
	return nil
}

// userSubject: a user gets a cluster-CA certificate for their own identity,
// with organisations from the configured allow-list only.
func (r Requester) userSubject(kind CAKind, s pkix.Name, userGroups map[string]bool) error {
	if kind != Kubernetes {
		return reject(ErrSubjectForbidden, "only admins and the cluster's nodes get %s certificates", kind)
	}
	if slices.Contains(s.Organization, mastersGroup) {
		return reject(ErrSubjectForbidden, "O=%s is reserved to cloud admins; ask for CN=<your user name> without it", mastersGroup)
	}
	own := nonEmpty(r.UserName, r.UserID)
	if len(own) == 0 {
		return reject(ErrSubjectForbidden, "the requester has neither a user name nor a user ID")
	}
	cn := s.CommonName
	if !slices.Contains(own, cn) || strings.HasPrefix(cn, reservedPrefix) {
		return reject(ErrSubjectForbidden, "CN=%s: a user may ask only for their own user name or ID (%s)",
			cn, strings.Join(own, " or "))
	}
	for _, o := range s.Organization {
		if !userGroups[o] {
			return reject(ErrSubjectForbidden, "O=%s is not a group users may ask for (allowed: %v)", o, sortedKeys(userGroups))
		}
	}
	return nil
}

// nonEmpty returns its non-empty arguments.
func nonEmpty(v ...string) []string {
	return slices.DeleteFunc(v, func(s string) bool { return s == "" })
}

// sortedKeys returns a set's members in order.
func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
