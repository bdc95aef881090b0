package sim

import (
	"context"
	"fmt"
	"strings"
)

// Quota is the set of limits of one project. -1 means unlimited.
type Quota struct {
	// Nova.
	Instances int `json:"instances"`
	Cores     int `json:"cores"`
	RAMMiB    int `json:"ram"`
	// Neutron.
	FloatingIPs int `json:"floating_ips"`
	// Cinder.
	Volumes  int `json:"volumes"`
	VolumeGB int `json:"gigabytes"`
	// Octavia.
	LoadBalancers int `json:"load_balancers"`
}

// Usage is what a project consumes of its Quota.
type Usage Quota

// DefaultQuota returns the defaults of the real services: 10 instances,
// 20 cores, 50 GiB of RAM, 50 floating IPs, 10 volumes, 1000 GB of
// volumes, unlimited load balancers.
func DefaultQuota() Quota {
	return Quota{
		Instances: 10, Cores: 20, RAMMiB: 51200, FloatingIPs: 50,
		Volumes: 10, VolumeGB: 1000, LoadBalancers: -1,
	}
}

// Unlimited returns a Quota without limits, handy for load tests.
func Unlimited() Quota {
	return Quota{-1, -1, -1, -1, -1, -1, -1}
}

// over fills the unset fields of s from base and checks the values.
func (s QuotaSpec) over(where string, base Quota) (Quota, error) {
	q := base
	for _, f := range []struct {
		name string
		src  *int
		dst  *int
	}{
		{"instances", s.Instances, &q.Instances}, {"cores", s.Cores, &q.Cores},
		{"ram", s.RAMMiB, &q.RAMMiB}, {"floating_ips", s.FloatingIPs, &q.FloatingIPs},
		{"volumes", s.Volumes, &q.Volumes}, {"gigabytes", s.VolumeGB, &q.VolumeGB},
		{"load_balancers", s.LoadBalancers, &q.LoadBalancers},
	} {
		if f.src == nil {
			continue
		}
		if *f.src < -1 {
			return Quota{}, catalogError(where, "%s is %d; use -1 for unlimited", f.name, *f.src)
		}
		*f.dst = *f.src
	}
	return q, nil
}

// validate checks that every limit is -1 or more.
func (q Quota) validate() error {
	for _, v := range []int{q.Instances, q.Cores, q.RAMMiB, q.FloatingIPs, q.Volumes, q.VolumeGB, q.LoadBalancers} {
		if v < -1 {
			return invalid("quota limit %d is below -1 (unlimited)", v)
		}
	}
	return nil
}

// add returns u plus d.
func (u Usage) add(d Usage) Usage {
	return Usage{
		u.Instances + d.Instances, u.Cores + d.Cores, u.RAMMiB + d.RAMMiB,
		u.FloatingIPs + d.FloatingIPs, u.Volumes + d.Volumes, u.VolumeGB + d.VolumeGB,
		u.LoadBalancers + d.LoadBalancers,
	}
}

// neg returns -u.
func (u Usage) neg() Usage {
	return Usage{}.add(Usage{
		-u.Instances, -u.Cores, -u.RAMMiB, -u.FloatingIPs, -u.Volumes, -u.VolumeGB, -u.LoadBalancers,
	})
}

// quotaLine is one resource of a quota check.
type quotaLine struct {
	name           string
	req, used, max int
}

func (l quotaLine) over() bool { return l.max >= 0 && l.req > 0 && l.used+l.req > l.max }

// checkQuota reports whether adding d to project's usage stays within its
// quota; the error reads like the service owning the resource.
func checkQuota(project string, q Quota, u Usage, d Usage) error {
	groups := []struct {
		lines  []quotaLine
		format func(project string, over []quotaLine) *QuotaError
	}{
		{[]quotaLine{
			{"instances", d.Instances, u.Instances, q.Instances},
			{"cores", d.Cores, u.Cores, q.Cores},
			{"ram", d.RAMMiB, u.RAMMiB, q.RAMMiB},
		}, novaQuotaError},
		{[]quotaLine{{"floatingip", d.FloatingIPs, u.FloatingIPs, q.FloatingIPs}}, neutronQuotaError},
		{[]quotaLine{{"volumes", d.Volumes, u.Volumes, q.Volumes}}, cinderQuotaError},
		{[]quotaLine{{"gigabytes", d.VolumeGB, u.VolumeGB, q.VolumeGB}}, cinderQuotaError},
		{[]quotaLine{{"load_balancer", d.LoadBalancers, u.LoadBalancers, q.LoadBalancers}}, octaviaQuotaError},
	}
	for _, g := range groups {
		var over []quotaLine
		for _, l := range g.lines {
			if l.over() {
				over = append(over, l)
			}
		}
		if len(over) > 0 {
			return g.format(project, over)
		}
	}
	return nil
}

func quotaError(project string, over []quotaLine) *QuotaError {
	e := &QuotaError{ProjectID: project}
	for _, l := range over {
		e.Resources = append(e.Resources, l.name)
		e.Requested = append(e.Requested, l.req)
		e.Used = append(e.Used, l.used)
		e.Limits = append(e.Limits, l.max)
	}
	return e
}

// novaQuotaError words the error like Nova's TooManyInstances.
func novaQuotaError(project string, over []quotaLine) *QuotaError {
	e := quotaError(project, over)
	names := strings.Join(e.Resources, ", ")
	e.msg = fmt.Sprintf("Quota exceeded for %s: Requested %s, but already used %s of %s %s",
		names, joinInts(e.Requested), joinInts(e.Used), joinInts(e.Limits), names)
	return e
}

// neutronQuotaError words the error like Neutron's OverQuota.
func neutronQuotaError(project string, over []quotaLine) *QuotaError {
	e := quotaError(project, over)
	e.msg = fmt.Sprintf("Quota exceeded for resources: ['%s'].", strings.Join(e.Resources, "', '"))
	return e
}

// cinderQuotaError words the error like Cinder's VolumeLimitExceeded and
// VolumeSizeExceedsAvailableQuota.
func cinderQuotaError(project string, over []quotaLine) *QuotaError {
	e := quotaError(project, over)
	l := over[0]
	if l.name == "volumes" {
		e.msg = fmt.Sprintf("Maximum number of volumes allowed (%d) exceeded for quota 'volumes'.", l.max)
	} else {
		e.msg = fmt.Sprintf("Requested volume or snapshot exceeds allowed gigabytes quota. "+
			"Requested %dG, quota is %dG and %dG has been consumed.", l.req, l.max, l.used)
	}
	return e
}

// octaviaQuotaError words the error like Octavia's QuotaException.
func octaviaQuotaError(project string, over []quotaLine) *QuotaError {
	e := quotaError(project, over)
	e.msg = "Quota has been met for resources: Load Balancer"
	return e
}

// Quota returns the quota of a project: the one set with SetQuota, else
// the catalog's. Any project ID has a quota, even one the catalog does not
// list, as in Nova.
func (c *Cloud) Quota(ctx context.Context, projectID string) (Quota, error) {
	if err := ctx.Err(); err != nil {
		return Quota{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.quotaOf(projectID), nil
}

// SetQuota replaces the quota of a project. It persists.
func (c *Cloud) SetQuota(ctx context.Context, projectID string, q Quota) error {
	if projectID == "" {
		return invalid("a project ID is required")
	}
	if err := q.validate(); err != nil {
		return err
	}
	return c.update(ctx, func(tx *txn) error {
		tx.setQuota(projectID, q)
		return nil
	})
}

// Usage returns what a project consumes.
func (c *Cloud) Usage(ctx context.Context, projectID string) (Usage, error) {
	if err := ctx.Err(); err != nil {
		return Usage{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.usage[projectID], nil
}

// quotaOf returns the quota of a project; call it under c.mu.
func (c *Cloud) quotaOf(projectID string) Quota {
	if q, ok := c.st.quotas[projectID]; ok {
		return q
	}
	if q, ok := c.cat.quotaProjects[projectID]; ok {
		return q
	}
	return c.cat.quotaDefault
}
