package magnum

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/backoff"
	"github.com/gomagnum/gomagnum/internal/store"
)

// Statuses in which the health monitor asks a cluster's COE for its health.
var monitoredStatuses = []any{string(CreateComplete), string(UpdateComplete), string(UpdateInProgress), string(RollbackInProgress)}

const (
	// healthTimeout bounds one cluster's health check.
	healthTimeout = 15 * time.Second
	// healthConcurrency bounds the checks running at once.
	healthConcurrency = 8
	// healthPage is how many clusters a pass reads at a time.
	healthPage = 500
)

// health runs one health pass, its checks spread over three quarters of
// the health interval.
func (c *conductor) health(ctx context.Context) {
	c.healthPass(ctx, c.s.cfg.healthInterval*3/4)
}

// healthPass asks the COE of every running cluster for its health and
// records what changed. The checks start at even gaps over window (at
// once when it is zero), at most healthConcurrency at a time. A page of
// clusters is read with its node groups and templates in three
// statements, and a cluster's admin credentials are read again only when
// the cluster changed (see healthCreds).
func (c *conductor) healthPass(ctx context.Context, window time.Duration) {
	var total int
	err := c.s.store.Read(ctx, func(tx *store.Tx) (err error) {
		total, err = tx.Count(ctx, store.Clusters, store.In("status", monitoredStatuses...))
		return err
	})
	if err != nil || total == 0 {
		if err != nil {
			c.logErr(ctx, "counting clusters to monitor", err)
		}
		return
	}
	gap := window / time.Duration(total)
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, healthConcurrency)
	templates := map[string]*ClusterTemplate{}
	next := time.Now()
	for marker := ""; ctx.Err() == nil; {
		page, err := c.healthPage(ctx, marker, templates)
		if err != nil {
			c.logErr(ctx, "listing clusters to monitor", err)
			return
		}
		for _, st := range page.states {
			if wait := time.Until(next); wait > 0 && backoff.Sleep(ctx, wait) != nil {
				return
			}
			next = next.Add(gap)
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				c.checkHealth(ctx, st)
			})
		}
		if page.read < healthPage {
			return
		}
		marker = page.last
	}
}

// healthBatch is a page of clusters to check.
type healthBatch struct {
	states []*opState
	read   int    // records read, those skipped included
	last   string // UUID of the last record, the next page's marker
}

// healthPage reads a page of running clusters after marker, with their
// node groups, templates (kept in templates across pages) and drivers.
// Clusters whose health an auto-healer owns, or that cannot be read, are
// left out.
func (c *conductor) healthPage(ctx context.Context, marker string, templates map[string]*ClusterTemplate) (healthBatch, error) {
	var b healthBatch
	err := c.s.store.Read(ctx, func(tx *store.Tx) error {
		recs, err := tx.Find(ctx, store.Clusters, store.Query{Where: store.In("status", monitoredStatuses...),
			Limit: healthPage, Marker: marker})
		if err != nil || len(recs) == 0 {
			return err
		}
		b.read, b.last = len(recs), recs[len(recs)-1].UUID
		var docs []*clusterDoc
		var uuids, missing []any
		for _, r := range recs {
			d, err := clusterFromRecord(r)
			if err != nil || healingElsewhere(d.Labels) {
				continue
			}
			docs = append(docs, d)
			uuids = append(uuids, d.UUID)
			if _, ok := templates[d.ClusterTemplateID]; !ok {
				templates[d.ClusterTemplateID] = nil
				missing = append(missing, d.ClusterTemplateID)
			}
		}
		ngs, err := nodeGroupsOf(ctx, tx, uuids)
		if err != nil {
			return err
		}
		if err := readTemplates(ctx, tx, missing, templates); err != nil {
			return err
		}
		for _, d := range docs {
			t := templates[d.ClusterTemplateID]
			if t == nil {
				continue
			}
			drv, err := c.s.driverFor(ctx, t)
			if err != nil {
				continue
			}
			b.states = append(b.states, &opState{op: opFor(d), d: d, ngs: ngs[d.UUID], t: t, drv: drv})
		}
		return nil
	})
	return b, err
}

// nodeGroupsOf reads the node groups of clusters, by cluster, oldest
// first.
func nodeGroupsOf(ctx context.Context, tx *store.Tx, clusters []any) (map[string][]*NodeGroup, error) {
	out := map[string][]*NodeGroup{}
	if len(clusters) == 0 {
		return out, nil
	}
	recs, err := tx.Find(ctx, store.NodeGroups, store.Query{Where: store.In("cluster_uuid", clusters...)})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		ng, err := nodeGroupFromRecord(r)
		if err != nil {
			return nil, err
		}
		out[ng.ClusterID] = append(out[ng.ClusterID], ng)
	}
	return out, nil
}

// readTemplates reads templates by UUID into into.
func readTemplates(ctx context.Context, tx *store.Tx, uuids []any, into map[string]*ClusterTemplate) error {
	if len(uuids) == 0 {
		return nil
	}
	recs, err := tx.Find(ctx, store.Templates, store.Query{Where: store.In("uuid", uuids...)})
	if err != nil {
		return err
	}
	for _, r := range recs {
		t, err := templateFromRecord(r)
		if err != nil {
			return err
		}
		into[t.UUID] = t
	}
	return nil
}

// healingElsewhere reports whether an external auto-healer owns the
// cluster's health, as Magnum's labels say.
func healingElsewhere(labels map[string]string) bool {
	on, _ := ParseBool(labels["auto_healing_enabled"])
	return on && labels["auto_healing_controller"] == "magnum-auto-healer"
}

// checkHealth asks the driver about one cluster, with the cluster's admin
// credentials, and stores the result if it changed.
func (c *conductor) checkHealth(ctx context.Context, st *opState) {
	d := st.d
	h := c.probe(ctx, st)
	if d.HealthStatus == HealthStatus(h.Status) && maps.Equal(d.HealthStatusReason, h.Reason) {
		return
	}
	err := c.s.mutateCluster(ctx, d.UUID, func(_ *store.Tx, cur *clusterDoc, _ []*NodeGroup) error {
		cur.HealthStatus, cur.HealthStatusReason = HealthStatus(h.Status), h.Reason
		return nil
	})
	if err != nil {
		c.logErr(ctx, "recording health", err)
	}
}

// probe runs the driver's health check; what keeps it from answering
// makes the health UNKNOWN, with the reason. A check with credentials
// kept from an earlier pass that does not find the cluster healthy is
// made again with credentials read now, so that kept credentials never
// decide a verdict other than HEALTHY.
func (c *conductor) probe(ctx context.Context, st *opState) drivers.Health {
	unknown := func(err error) drivers.Health {
		return drivers.Health{Status: drivers.Unknown, Reason: map[string]string{"api": firstLine(err.Error())}}
	}
	d := st.d
	h, err := drivers.Health{}, error(nil)
	for fresh := false; ; fresh = true {
		creds, kept, cerr := c.creds.get(ctx, c.s, d, fresh)
		if cerr != nil {
			return unknown(cerr)
		}
		hctx, cancel := context.WithTimeout(ctx, healthTimeout)
		h, err = st.drv.Health(hctx, c.s.driverCluster(st.t, d, st.ngs), creds)
		cancel()
		if !kept || (err == nil && h.Status == drivers.Healthy) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return unknown(err)
	}
	return h
}

// opFor stands for "no operation" when loading a cluster to look at it.
func opFor(d *clusterDoc) store.Operation { return store.Operation{ClusterUUID: d.UUID} }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
