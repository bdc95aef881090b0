package openstack_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
)

// The fake Keystone v3. Policies follow Keystone 22's defaults as far as
// the code under test meets them: users are managed by admins; a trust is
// created only by its trustor, deleted by an admin or its trustor, and
// deleting a user deletes its trusts.

func (f *fakeCloud) keystoneRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v3/auth/tokens", f.issueToken)
	mux.HandleFunc("GET /v3/projects/{id}", f.getProject)
	mux.HandleFunc("GET /v3/domains", f.listDomains)
	mux.HandleFunc("POST /v3/users", f.createUser)
	mux.HandleFunc("GET /v3/users", f.listUsers)
	mux.HandleFunc("PATCH /v3/users/{id}", f.updateUser)
	mux.HandleFunc("DELETE /v3/users/{id}", f.deleteUser)
	mux.HandleFunc("GET /v3/role_assignments", f.listRoleAssignments)
	mux.HandleFunc("POST /v3/OS-TRUST/trusts", f.createTrust)
	mux.HandleFunc("GET /v3/OS-TRUST/trusts/{id}", f.getTrust)
	mux.HandleFunc("DELETE /v3/OS-TRUST/trusts/{id}", f.deleteTrust)
}

type authRequest struct {
	Auth struct {
		Identity struct {
			Password struct {
				User struct {
					ID, Name, Password string
					Domain             struct{ ID, Name string }
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project *struct{ ID string } `json:"project"`
			Trust   *struct{ ID string } `json:"OS-TRUST:trust"`
		} `json:"scope"`
	} `json:"auth"`
}

func (f *fakeCloud) issueToken(w http.ResponseWriter, r *http.Request) {
	var req authRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		keystoneError(w, http.StatusBadRequest, "", "Expecting to find auth in request.")
		return
	}
	u := req.Auth.Identity.Password.User
	user := find(f.fx.Users, "id", u.ID)
	if user == nil {
		user = f.userByName(u.Name, u.Domain.ID)
	}
	if user == nil || user["password"] != u.Password {
		authError(w)
		return
	}
	s, ok := f.scope(user["id"].(string), req)
	if !ok {
		authError(w)
		return
	}
	token := newID()
	f.tokens[token] = s
	w.Header().Set("X-Subject-Token", token)
	writeJSON(w, http.StatusCreated, object{"token": f.tokenBody(user, s)})
}

func (f *fakeCloud) userByName(name, domain string) object {
	for _, u := range f.fx.Users {
		if u["name"] == name && u["domain_id"] == domain {
			return u
		}
	}
	return nil
}

// scope returns the session of a token: a project the user has a role
// on, or a trust the user is the trustee of (acting as the trustor).
func (f *fakeCloud) scope(userID string, req authRequest) (session, bool) {
	sc := req.Auth.Scope
	switch {
	case sc.Trust != nil:
		t := find(f.trusts, "id", sc.Trust.ID)
		if t == nil || t["trustee_user_id"] != userID {
			return session{}, false
		}
		return session{user: t["trustor_user_id"].(string), project: t["project_id"].(string)}, true
	case sc.Project != nil:
		s := session{user: userID, project: sc.Project.ID}
		return s, len(f.roleIDs(s.user, s.project)) > 0
	}
	return session{}, false
}

func (f *fakeCloud) tokenBody(user object, s session) object {
	project := find(f.fx.Projects, "id", s.project)
	var roles []object
	for _, id := range f.roleIDs(s.user, s.project) {
		roles = append(roles, object{"id": id, "name": find(f.fx.Roles, "id", id)["name"]})
	}
	return object{
		"methods":    []string{"password"},
		"user":       object{"id": user["id"], "name": user["name"], "domain": object{"id": user["domain_id"]}, "password_expires_at": nil},
		"audit_ids":  []string{newID()[:22]},
		"issued_at":  stamp(),
		"expires_at": "2099-01-01T00:00:00.000000Z",
		"project":    object{"id": project["id"], "name": project["name"], "domain": object{"id": project["domain_id"]}},
		"is_domain":  false,
		"roles":      roles,
		"catalog":    f.catalog(),
	}
}

// catalog lists each service's public endpoint in RegionOne, and its
// internal one and its RegionTwo one elsewhere.
func (f *fakeCloud) catalog() []object {
	var out []object
	for _, s := range f.services() {
		if slices.Contains(f.without, s.typ) {
			continue
		}
		ep := func(iface, region, url string) object {
			return object{"id": newID(), "interface": iface, "region": region, "region_id": region, "url": url + s.path}
		}
		out = append(out, object{"id": newID(), "type": s.typ, "name": s.name, "endpoints": []object{
			ep("public", "RegionOne", f.servers[s.typ].URL),
			ep("internal", "RegionOne", f.elsewhere.URL),
			ep("public", "RegionTwo", f.elsewhere.URL),
		}})
	}
	return out
}

// roleIDs returns the effective roles of user on project.
func (f *fakeCloud) roleIDs(user, project string) []string {
	var ids []string
	for _, a := range f.assignments(user, project, true) {
		ids = append(ids, a["role"].(object)["id"].(string))
	}
	return ids
}

// assignments returns the role assignments of user on project, the
// implied ones only when effective.
func (f *fakeCloud) assignments(user, project string, effective bool) []object {
	var out []object
	for _, a := range f.fx.RoleAssignments {
		links, _ := a["links"].(object)
		if _, implied := links["prior_role"]; implied && !effective {
			continue
		}
		if a["user"].(object)["id"] == user && a["scope"].(object)["project"].(object)["id"] == project {
			out = append(out, a)
		}
	}
	return out
}

func (f *fakeCloud) session(r *http.Request) session { return f.tokens[r.Header.Get("X-Auth-Token")] }

func (f *fakeCloud) isAdmin(r *http.Request) bool {
	s := f.session(r)
	return slices.Contains(f.roleIDs(s.user, s.project), adminRole)
}

func (f *fakeCloud) forbidden(w http.ResponseWriter, action string) {
	keystoneError(w, http.StatusForbidden, "", "You are not authorized to perform the requested action: "+action+".")
}

func (f *fakeCloud) getProject(w http.ResponseWriter, r *http.Request) {
	p := find(f.fx.Projects, "id", r.PathValue("id"))
	if p == nil {
		keystoneError(w, http.StatusNotFound, "", "Could not find project: "+r.PathValue("id")+".")
		return
	}
	writeJSON(w, http.StatusOK, object{"project": p})
}

func (f *fakeCloud) listDomains(w http.ResponseWriter, r *http.Request) {
	var out []object
	for _, d := range f.fx.Domains {
		if matches(d, r) {
			out = append(out, d)
		}
	}
	writeJSON(w, http.StatusOK, object{"domains": out, "links": object{"self": baseURL(r) + r.URL.RequestURI(), "next": nil, "previous": nil}})
}

func publicUser(u object) object {
	out := maps.Clone(u)
	delete(out, "password")
	return out
}

func (f *fakeCloud) createUser(w http.ResponseWriter, r *http.Request) {
	if !f.isAdmin(r) {
		f.forbidden(w, "identity:create_user")
		return
	}
	var req struct{ User object }
	if json.NewDecoder(r.Body).Decode(&req) != nil || req.User["name"] == nil {
		keystoneError(w, http.StatusBadRequest, "", "Invalid input for field 'name'.")
		return
	}
	u, domain := req.User, req.User["domain_id"]
	if find(f.fx.Domains, "id", domain.(string)) == nil {
		keystoneError(w, http.StatusNotFound, "", "Could not find domain: "+domain.(string)+".")
		return
	}
	if f.userByName(u["name"].(string), domain.(string)) != nil {
		keystoneError(w, http.StatusConflict, "", "Conflict occurred attempting to store user - Duplicate entry found with name "+
			u["name"].(string)+" at domain ID "+domain.(string)+".")
		return
	}
	u["id"], u["password_expires_at"], u["options"] = newID(), nil, object{}
	f.fx.Users = append(f.fx.Users, u)
	writeJSON(w, http.StatusCreated, object{"user": publicUser(u)})
}

func (f *fakeCloud) listUsers(w http.ResponseWriter, r *http.Request) {
	out := []object{}
	for _, u := range f.fx.Users {
		if matches(u, r) {
			out = append(out, publicUser(u))
		}
	}
	writeJSON(w, http.StatusOK, object{"users": out, "links": object{"self": baseURL(r) + r.URL.RequestURI(), "next": nil, "previous": nil}})
}

func (f *fakeCloud) updateUser(w http.ResponseWriter, r *http.Request) {
	if !f.isAdmin(r) {
		f.forbidden(w, "identity:update_user")
		return
	}
	u := find(f.fx.Users, "id", r.PathValue("id"))
	if u == nil {
		keystoneError(w, http.StatusNotFound, "", "Could not find user: "+r.PathValue("id")+".")
		return
	}
	var req struct{ User object }
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		keystoneError(w, http.StatusBadRequest, "", "Invalid input.")
		return
	}
	maps.Copy(u, req.User)
	writeJSON(w, http.StatusOK, object{"user": publicUser(u)})
}

func (f *fakeCloud) deleteUser(w http.ResponseWriter, r *http.Request) {
	if !f.isAdmin(r) {
		f.forbidden(w, "identity:delete_user")
		return
	}
	id := r.PathValue("id")
	if find(f.fx.Users, "id", id) == nil {
		keystoneError(w, http.StatusNotFound, "", "Could not find user: "+id+".")
		return
	}
	f.fx.Users = slices.DeleteFunc(f.fx.Users, func(u object) bool { return u["id"] == id })
	f.trusts = slices.DeleteFunc(f.trusts, func(t object) bool { return t["trustee_user_id"] == id || t["trustor_user_id"] == id })
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeCloud) listRoleAssignments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	_, effective := q["effective"]
	out := f.assignments(q.Get("user.id"), q.Get("scope.project.id"), effective)
	if out == nil {
		out = []object{}
	}
	writeJSON(w, http.StatusOK, object{"role_assignments": out, "links": object{"self": baseURL(r) + r.URL.RequestURI(), "next": nil, "previous": nil}})
}

func (f *fakeCloud) createTrust(w http.ResponseWriter, r *http.Request) {
	var req struct{ Trust object }
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		keystoneError(w, http.StatusBadRequest, "", "Invalid input.")
		return
	}
	t := req.Trust
	if t["trustor_user_id"] != f.session(r).user {
		f.forbidden(w, "identity:create_trust")
		return
	}
	if trustee, _ := t["trustee_user_id"].(string); find(f.fx.Users, "id", trustee) == nil {
		keystoneError(w, http.StatusNotFound, "", "Could not find user: "+trustee+".")
		return
	}
	roles, ok := f.trustRoles(w, t)
	if !ok {
		return
	}
	t["id"], t["roles"], t["redelegation_count"] = newID(), roles, 0
	t["expires_at"], t["remaining_uses"], t["deleted_at"], t["redelegated_trust_id"] = nil, nil, nil, nil
	f.trusts = append(f.trusts, t)
	writeJSON(w, http.StatusCreated, object{"trust": t})
}

// trustRoles resolves the roles of a trust by ID or name; the trustor
// must hold each of them on the trust's project.
func (f *fakeCloud) trustRoles(w http.ResponseWriter, t object) ([]object, bool) {
	asked, _ := t["roles"].([]any)
	if len(asked) == 0 {
		f.forbidden(w, "At least one role should be specified")
		return nil, false
	}
	held := f.roleIDs(t["trustor_user_id"].(string), t["project_id"].(string))
	var out []object
	for _, a := range asked {
		ref := a.(object)
		role := find(f.fx.Roles, "id", strOf(ref["id"]))
		if role == nil {
			role = find(f.fx.Roles, "name", strOf(ref["name"]))
		}
		if role == nil {
			keystoneError(w, http.StatusNotFound, "", "Role "+strOf(ref["name"])+strOf(ref["id"])+" is not defined")
			return nil, false
		}
		if !slices.Contains(held, role["id"].(string)) {
			keystoneError(w, http.StatusNotFound, "", "Could not find role: "+role["id"].(string)+".")
			return nil, false
		}
		out = append(out, object{"id": role["id"], "name": role["name"]})
	}
	return out, true
}

func strOf(v any) string {
	s, _ := v.(string)
	return s
}

// trustFor returns the trust of the request path that its token may
// act on, having answered the request when there is none.
func (f *fakeCloud) trustFor(w http.ResponseWriter, r *http.Request, action string) object {
	t := find(f.trusts, "id", r.PathValue("id"))
	if t == nil {
		keystoneError(w, http.StatusNotFound, "", "Could not find trust: "+r.PathValue("id")+".")
		return nil
	}
	if !f.isAdmin(r) && t["trustor_user_id"] != f.session(r).user {
		f.forbidden(w, action)
		return nil
	}
	return t
}

func (f *fakeCloud) getTrust(w http.ResponseWriter, r *http.Request) {
	if t := f.trustFor(w, r, "identity:get_trust"); t != nil {
		writeJSON(w, http.StatusOK, object{"trust": t})
	}
}

func (f *fakeCloud) deleteTrust(w http.ResponseWriter, r *http.Request) {
	if t := f.trustFor(w, r, "identity:delete_trust"); t != nil {
		f.trusts = slices.DeleteFunc(f.trusts, func(o object) bool { return o["id"] == t["id"] })
		w.WriteHeader(http.StatusNoContent)
	}
}

// trust returns a copy of the trust id, or nil.
func (f *fakeCloud) trust(id string) object {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(find(f.trusts, "id", id))
}

// user returns a copy of the user id (with its password), or nil.
func (f *fakeCloud) user(id string) object {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(find(f.fx.Users, "id", id))
}
