package magnum

import (
	"context"
	"slices"
	"strings"
)

// Policy decides whether a caller may perform an action (a rule such as
// "cluster:create") on a target. Rules is the default implementation;
// embedders may supply their own with WithPolicy.
type Policy interface {
	Allow(ctx context.Context, rule string, c Caller, t Target) bool
}

// Target is what a rule is checked against: the owner of the object
// acted on. When an operation has no particular object, the target is the
// caller's own project and user.
type Target struct {
	ProjectID string
	UserID    string
	// TrusteeUserID is the trustee user of the cluster acted on, if any.
	TrusteeUserID string
}

// Check is one policy rule.
type Check func(c Caller, t Target) bool

// Rules maps rule names to checks. A rule missing from the map is denied.
type Rules map[string]Check

// Allow implements Policy.
func (r Rules) Allow(_ context.Context, rule string, c Caller, t Target) bool {
	check, ok := r[rule]
	return ok && check(c, t)
}

// The roles of Keystone's default role hierarchy, weakest first: each
// implies the ones before it, as Keystone's default role implications
// make it (admin implies member, member implies reader).
var roleHierarchy = []string{"reader", "member", "admin"}

// HasRole reports whether the caller holds a role, directly or through
// Keystone's default implications: an admin is also a member and a
// reader, a member also a reader. Role names compare case-insensitively,
// as oslo.policy compares them.
func (c Caller) HasRole(role string) bool {
	implied := []string{role}
	if i := slices.IndexFunc(roleHierarchy, func(r string) bool { return strings.EqualFold(r, role) }); i >= 0 {
		implied = roleHierarchy[i:]
	}
	return slices.ContainsFunc(c.Roles, func(held string) bool {
		return slices.ContainsFunc(implied, func(r string) bool { return strings.EqualFold(r, held) })
	})
}

// Checks Magnum's policies are built from.
var (
	// AdminAPI allows admins only.
	AdminAPI Check = func(c Caller, _ Target) bool { return c.IsAdmin() }
	// AdminOrOwner allows admins and anyone scoped to the target's
	// project, whatever their role there (Magnum's legacy rule).
	AdminOrOwner Check = func(c Caller, t Target) bool { return c.IsAdmin() || c.ProjectID == t.ProjectID }
	// AdminOrUser allows admins and the target's user.
	AdminOrUser Check = func(c Caller, t Target) bool { return c.IsAdmin() || c.UserID == t.UserID }
	// ClusterUser allows the trustee user of the target cluster.
	ClusterUser Check = func(c Caller, t Target) bool { return t.TrusteeUserID != "" && c.UserID == t.TrusteeUserID }
	// TargetUser allows the target's user.
	TargetUser Check = func(c Caller, t Target) bool { return c.UserID == t.UserID }
	// ProjectReader allows the callers of the target's project with the
	// reader role (or a role implying it).
	ProjectReader Check = func(c Caller, t Target) bool { return c.HasRole("reader") && c.ProjectID == t.ProjectID }
	// ProjectMember allows the callers of the target's project with the
	// member role (or a role implying it).
	ProjectMember Check = func(c Caller, t Target) bool { return c.HasRole("member") && c.ProjectID == t.ProjectID }
)

// Any allows what any of the checks allows.
func Any(checks ...Check) Check {
	return func(c Caller, t Target) bool {
		for _, ch := range checks {
			if ch(c, t) {
				return true
			}
		}
		return false
	}
}

// All allows what every one of the checks allows.
func All(checks ...Check) Check {
	return func(c Caller, t Target) bool {
		for _, ch := range checks {
			if !ch(c, t) {
				return false
			}
		}
		return true
	}
}

// DenyClusterUser allows every caller except the per-cluster trustee
// users, who live in the trustee domain.
func DenyClusterUser(trusteeDomainID string) Check {
	return func(c Caller, _ Target) bool { return trusteeDomainID == "" || c.DomainID != trusteeDomainID }
}

// DefaultRules returns Magnum's default policy, the one Magnum enforces
// since 2023.2 (Magnum 17) with enforce_new_defaults: a project's readers
// may read its clusters, templates, node groups, federations, quota and
// stats; its members may also create, change and delete them; admins
// administer (quotas, publishing templates, service status, every
// project's objects). trusteeDomainID is the domain of the per-cluster
// trustee users, which the policy keeps to certificate and health-status
// calls.
//
// Deliberate differences with Magnum: trustee users stay denied what
// Magnum's legacy policy denied them (cluster, template and federation
// calls), since their credentials live on the clusters' nodes and a trust
// delegates the trustor's member role; and admins may rotate the
// credentials of any project's cluster, as they may its CA (Magnum keeps
// credential rotation to the project's members).
func DefaultRules(trusteeDomainID string) Rules {
	deny := DenyClusterUser(trusteeDomainID)
	reader, member := All(deny, ProjectReader), All(deny, ProjectMember)
	adminReader, adminMember := All(deny, Any(AdminAPI, ProjectReader)), All(deny, Any(AdminAPI, ProjectMember))
	r := Rules{
		"cluster:update_health_status": Any(AdminAPI, All(ProjectMember, TargetUser), ClusterUser),
		"certificate:get":              Any(AdminAPI, All(ProjectReader, TargetUser), ClusterUser),
		"certificate:create":           Any(AdminAPI, All(ProjectMember, TargetUser), ClusterUser),
		"certificate:rotate_ca":        Any(AdminAPI, ProjectMember),
		"credential:rotate":            All(deny, Any(AdminAPI, ProjectMember)),
		"quota:get":                    Any(AdminAPI, ProjectReader),
		"stats:get_all":                Any(AdminAPI, ProjectReader),
	}
	r.set("cluster:", reader, "get", "get_all", "detail")
	r.set("cluster:", member, "create", "update", "delete", "resize", "upgrade")
	r.set("clustertemplate:", adminReader, "get", "get_all", "detail")
	r.set("clustertemplate:", adminMember, "create", "update", "delete")
	r.set("nodegroup:", Any(AdminAPI, ProjectReader), "get", "get_all")
	r.set("nodegroup:", Any(AdminAPI, ProjectMember), "create", "update", "delete")
	r.set("federation:", adminReader, "get", "get_all", "detail")
	r.set("federation:", adminMember, "create", "update", "delete")
	r.setAdminOnly()
	return r
}

// LegacyRules returns Magnum's legacy default policy, deprecated since
// 2023.2: any caller scoped to a project, whatever their role there
// (reader included), may create, change and delete its clusters,
// templates, node groups and federations. It is what Magnum enforces
// without enforce_new_defaults, for deployments whose users lack the
// member role. The admin-only rules are those of DefaultRules.
//
// One deliberate difference with Magnum: trustee users may not update or
// delete cluster templates either, since their credentials live on the
// clusters' nodes.
func LegacyRules(trusteeDomainID string) Rules {
	deny := DenyClusterUser(trusteeDomainID)
	r := Rules{
		"cluster:update_health_status": Any(AdminOrUser, ClusterUser),
		"certificate:get":              Any(AdminOrUser, ClusterUser),
		"certificate:create":           Any(AdminOrUser, ClusterUser),
		"certificate:rotate_ca":        AdminOrOwner,
		"credential:rotate":            AdminOrOwner,
		"quota:get":                    AdminOrOwner,
		"stats:get_all":                AdminOrOwner,
		"clustertemplate:update":       All(deny, AdminOrOwner),
		"clustertemplate:delete":       All(deny, AdminOrOwner),
	}
	r.set("cluster:", deny, "create", "delete", "get", "get_all", "detail", "update", "resize", "upgrade")
	r.set("clustertemplate:", deny, "create", "get", "get_all", "detail")
	r.set("nodegroup:", AdminOrOwner, "get", "get_all", "create", "update", "delete")
	r.set("federation:", deny, "create", "delete", "detail", "get", "get_all", "update")
	r.setAdminOnly()
	return r
}

// set gives the actions of a resource (rules prefix+action) one check.
func (r Rules) set(prefix string, check Check, actions ...string) {
	for _, a := range actions {
		r[prefix+a] = check
	}
}

// setAdminOnly sets the rules both policies keep to admins: quotas but
// their reading, publishing templates, service status, and acting on
// other projects' objects.
func (r Rules) setAdminOnly() {
	r.set("quota:", AdminAPI, "create", "update", "delete", "get_all")
	r.set("magnum-service:", AdminAPI, "get_all")
	r.set("clustertemplate:", AdminAPI, "publish", "get_all_all_projects", "get_one_all_projects", "detail_all_projects",
		"update_all_projects", "delete_all_projects")
	r.set("cluster:", AdminAPI, "get_one_all_projects", "get_all_all_projects", "detail_all_projects",
		"update_all_projects", "delete_all_projects", "upgrade_all_projects")
	r.set("nodegroup:", AdminAPI, "get_all_all_projects", "get_one_all_projects")
}

// chosenPolicy is the policy the options select: WithPolicy's, else
// LegacyRules with WithLegacyPolicy, else DefaultRules.
func (c *config) chosenPolicy() Policy {
	switch {
	case c.policy != nil:
		return c.policy
	case c.legacyPolicy:
		return LegacyRules(c.trusteeDomainID)
	}
	return DefaultRules(c.trusteeDomainID)
}

// authorize checks a rule for the context's caller against a target; the
// zero target stands for the caller's own project and user.
func (s *Service) authorize(ctx context.Context, rule string, t Target) (Caller, error) {
	c, err := callerOf(ctx)
	if err != nil {
		return c, err
	}
	if t == (Target{}) {
		t = Target{ProjectID: c.ProjectID, UserID: c.UserID}
	}
	if !s.policy.Allow(ctx, rule, c, t) {
		return c, newError(ErrForbidden, "Policy doesn't allow %s to be performed.", rule)
	}
	return c, nil
}
