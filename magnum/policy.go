package magnum

import "context"

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

// Checks Magnum's default policy is built from.
var (
	// AdminAPI allows admins only.
	AdminAPI Check = func(c Caller, _ Target) bool { return c.IsAdmin() }
	// AdminOrOwner allows admins and members of the target's project.
	AdminOrOwner Check = func(c Caller, t Target) bool { return c.IsAdmin() || c.ProjectID == t.ProjectID }
	// AdminOrUser allows admins and the target's user.
	AdminOrUser Check = func(c Caller, t Target) bool { return c.IsAdmin() || c.UserID == t.UserID }
	// ClusterUser allows the trustee user of the target cluster.
	ClusterUser Check = func(c Caller, t Target) bool { return t.TrusteeUserID != "" && c.UserID == t.TrusteeUserID }
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

// DefaultRules returns Magnum's default policy. trusteeDomainID is the
// domain of the per-cluster trustee users, which the default policy keeps
// to certificate and health-status calls. One deliberate difference with
// Magnum: trustee users may not update or delete cluster templates
// either, since their credentials live on the clusters' nodes.
func DefaultRules(trusteeDomainID string) Rules {
	deny := DenyClusterUser(trusteeDomainID)
	r := Rules{
		"cluster:update_health_status":         Any(AdminOrUser, ClusterUser),
		"clustertemplate:update":               All(deny, AdminOrOwner),
		"clustertemplate:delete":               All(deny, AdminOrOwner),
		"clustertemplate:publish":              AdminAPI,
		"certificate:get":                      Any(AdminOrUser, ClusterUser),
		"certificate:create":                   Any(AdminOrUser, ClusterUser),
		"certificate:rotate_ca":                AdminOrOwner,
		"quota:create":                         AdminAPI,
		"quota:update":                         AdminAPI,
		"quota:delete":                         AdminAPI,
		"quota:get_all":                        AdminAPI,
		"quota:get":                            AdminOrOwner,
		"stats:get_all":                        AdminOrOwner,
		"magnum-service:get_all":               AdminAPI,
		"credential:rotate":                    AdminOrOwner,
		"nodegroup:get_all_all_projects":       AdminAPI,
		"nodegroup:get_one_all_projects":       AdminAPI,
		"clustertemplate:get_all_all_projects": AdminAPI,
		"clustertemplate:get_one_all_projects": AdminAPI,
		"clustertemplate:update_all_projects":  AdminAPI,
		"clustertemplate:delete_all_projects":  AdminAPI,
	}
	for _, rule := range []string{"create", "delete", "get", "get_all", "detail", "update", "resize", "upgrade"} {
		r["cluster:"+rule] = deny
	}
	for _, rule := range []string{"get_one", "get_all", "detail", "update", "delete", "upgrade"} {
		r["cluster:"+rule+"_all_projects"] = AdminAPI
	}
	for _, rule := range []string{"create", "get", "get_all", "detail"} {
		r["clustertemplate:"+rule] = deny
	}
	for _, rule := range []string{"get", "get_all", "create", "update", "delete"} {
		r["nodegroup:"+rule] = AdminOrOwner
	}
	for _, rule := range []string{"create", "delete", "detail", "get", "get_all", "update"} {
		r["federation:"+rule] = deny
	}
	return r
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
