package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// Poll intervals of the live parts of pages, in milliseconds: quick while
// an operation runs, slower otherwise.
const (
	pollBusy = 1000
	pollIdle = 5000
)

// clusterListData is the cluster list.
type clusterListData struct {
	Rows      []clusterRow
	Statuses  []magnum.Status
	Status    string
	Project   string
	Projects  []string
	Admin     bool
	CanCreate bool
	// Query is the filter, for the live rows and the next page.
	Query string
	Next  string
}

// clusterRow is a cluster in the list, its fields ready to print: a page
// shows up to 1,000 of them.
type clusterRow struct {
	UUID, Name, Template, COEVersion, ProjectID, Project, Age string
	Status, StatusClass, Health, HealthClass                  string
	MasterCount, NodeCount                                    int
}

// rowOf is the list's row of a cluster.
func rowOf(c *magnum.Cluster, template string, now time.Time) clusterRow {
	health := string(c.HealthStatus)
	if health == "" {
		health = string(magnum.Unknown)
	}
	return clusterRow{UUID: c.UUID, Name: c.Name, Template: template, COEVersion: c.COEVersion, ProjectID: c.ProjectID,
		Project: c.ProjectID[:min(len(c.ProjectID), 8)], Age: age(now.Sub(c.CreatedAt)), Status: string(c.Status),
		StatusClass: statusClass(c.Status), Health: health, HealthClass: healthClass(c.HealthStatus),
		MasterCount: c.MasterCount, NodeCount: c.NodeCount}
}

// filterStatuses are the statuses the list can be filtered by.
var filterStatuses = []magnum.Status{magnum.CreateInProgress, magnum.CreateComplete, magnum.CreateFailed,
	magnum.UpdateInProgress, magnum.UpdateComplete, magnum.UpdateFailed, magnum.DeleteInProgress, magnum.DeleteFailed,
	magnum.RollbackComplete, magnum.RollbackFailed}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, _ *session) {
	http.Redirect(w, r, Prefix+"clusters", http.StatusSeeOther)
}

func (h *Handler) clusterList(w http.ResponseWriter, r *http.Request, s *session) {
	d, err := h.clusterListData(r, s)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "clusters", &view{Title: "Clusters", Nav: "clusters", Caller: &s.caller, CSRF: s.csrf, Data: d})
}

// clusterRows is the live update of the list's rows.
func (h *Handler) clusterRows(w http.ResponseWriter, r *http.Request, s *session) {
	d, err := h.clusterListData(r, s)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("X-Poll-Ms", strconv.Itoa(pollIdle))
	h.renderFragment(w, r, "clusters", "cluster-rows", &view{Caller: &s.caller, Data: d})
}

// clusterListData reads a page of clusters, filtered by status and (for
// admins) project.
func (h *Handler) clusterListData(r *http.Request, s *session) (*clusterListData, error) {
	q := r.URL.Query()
	d := &clusterListData{Statuses: filterStatuses, Status: q.Get("status"), Admin: s.caller.IsAdmin(),
		CanCreate: h.allowed(r.Context(), "cluster:create", s.caller, magnum.Target{})}
	if d.Admin {
		d.Project = q.Get("project")
	}
	clusters, err := h.svc.ListClusters(r.Context(), magnum.ListOptions{Limit: h.pageSize, Marker: q.Get("marker")})
	if err != nil {
		return nil, err
	}
	names := h.templateNames(r.Context())
	projects := map[string]bool{}
	now := time.Now()
	d.Rows = make([]clusterRow, 0, len(clusters))
	for i := range clusters {
		c := &clusters[i]
		projects[c.ProjectID] = true
		if (d.Status == "" || string(c.Status) == d.Status) && (d.Project == "" || c.ProjectID == d.Project) {
			d.Rows = append(d.Rows, rowOf(c, names[c.ClusterTemplateID], now))
		}
	}
	if d.Admin {
		for p := range projects {
			d.Projects = append(d.Projects, p)
		}
		slices.Sort(d.Projects)
	}
	filter := url.Values{}
	for k, v := range map[string]string{"status": d.Status, "project": d.Project, "marker": q.Get("marker")} {
		if v != "" {
			filter.Set(k, v)
		}
	}
	d.Query = filter.Encode()
	if len(clusters) == h.pageSize {
		filter.Set("marker", clusters[len(clusters)-1].UUID)
		d.Next = filter.Encode()
	}
	return d, nil
}

// templateNames maps the caller's visible templates' UUIDs to their names;
// a list of clusters shows them without one look-up per cluster.
func (h *Handler) templateNames(ctx context.Context) map[string]string {
	ts, err := h.svc.ListClusterTemplates(ctx, magnum.ListOptions{})
	names := make(map[string]string, len(ts))
	if err != nil {
		return names
	}
	for _, t := range ts {
		names[t.UUID] = t.Name
	}
	return names
}

// clusterData is a cluster's page.
type clusterData struct {
	C          *magnum.Cluster
	Template   string
	NodeGroups []magnum.NodeGroup
	Workers    []magnum.NodeGroup
	Templates  []magnum.ClusterTemplate
	Progress   progress
	Events     []TimelineEvent
	Can        permissions
	Poll       int
}

// permissions are the actions the dashboard offers on a cluster; the
// service decides, this only spares users buttons that cannot work.
type permissions struct {
	Resize, Upgrade, Delete, Config bool
}

func (h *Handler) clusterPage(w http.ResponseWriter, r *http.Request, s *session) {
	h.showCluster(w, r, s, http.StatusOK, "")
}

// showCluster renders a cluster's page, with the refusal of an action
// if there was one.
func (h *Handler) showCluster(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	d, err := h.clusterData(r, s)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "cluster", &view{Title: d.C.Name, Nav: "clusters", Caller: &s.caller, CSRF: s.csrf,
		Error: msg, Data: d})
}

// clusterLive is the live update of a cluster's status, progress, health,
// node groups and events.
func (h *Handler) clusterLive(w http.ResponseWriter, r *http.Request, s *session) {
	d, err := h.clusterData(r, s)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("X-Poll-Ms", strconv.Itoa(d.Poll))
	h.renderFragment(w, r, "cluster", "cluster-live", &view{Caller: &s.caller, Data: d})
}

func (h *Handler) clusterData(r *http.Request, s *session) (*clusterData, error) {
	ctx := r.Context()
	c, err := h.svc.GetCluster(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	ngs, err := h.svc.ListNodeGroups(ctx, c.UUID, magnum.NodeGroupListOptions{})
	if err != nil {
		return nil, err
	}
	ts, err := h.svc.ListClusterTemplates(ctx, magnum.ListOptions{})
	if err != nil {
		return nil, err
	}
	d := &clusterData{C: c, NodeGroups: ngs, Templates: ts, Progress: progressOf(c), Poll: pollIdle}
	if c.Status.IsInProgress() {
		d.Poll = pollBusy
	}
	for _, t := range ts {
		if t.UUID == c.ClusterTemplateID {
			d.Template = t.Name
		}
	}
	for _, ng := range ngs {
		if ng.Role != magnum.RoleMaster {
			d.Workers = append(d.Workers, ng)
		}
	}
	if h.timeline != nil {
		d.Events = h.timeline.Events(c.UUID)
	}
	d.Can = h.permissions(ctx, s.caller, c)
	return d, nil
}

// permissions mirrors the service's checks of each action on a cluster.
func (h *Handler) permissions(ctx context.Context, caller magnum.Caller, c *magnum.Cluster) permissions {
	owner := magnum.Target{ProjectID: c.ProjectID, UserID: c.UserID}
	own := func(rule string) bool {
		if !h.allowed(ctx, "cluster:"+rule, caller, magnum.Target{}) {
			return false
		}
		return c.ProjectID == caller.ProjectID || h.allowed(ctx, "cluster:"+rule+"_all_projects", caller, magnum.Target{})
	}
	return permissions{
		Resize:  h.allowed(ctx, "cluster:resize", caller, owner),
		Upgrade: own("upgrade"),
		Delete:  own("delete"),
		Config:  h.allowed(ctx, "certificate:create", caller, owner) && h.allowed(ctx, "certificate:get", caller, owner),
	}
}

// allowed asks the policy about a rule; the zero target stands for the
// caller's own project, as in the service.
func (h *Handler) allowed(ctx context.Context, rule string, c magnum.Caller, t magnum.Target) bool {
	if t == (magnum.Target{}) {
		t = magnum.Target{ProjectID: c.ProjectID, UserID: c.UserID}
	}
	return h.policy.Allow(ctx, rule, c, t)
}
