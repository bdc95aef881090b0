package magnum

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/store"
)

// Statuses in which the health monitor asks a cluster's COE for its health.
var monitoredStatuses = []any{string(CreateComplete), string(UpdateComplete), string(UpdateInProgress), string(RollbackInProgress)}

// healthTimeout bounds one cluster's health check.
const healthTimeout = 15 * time.Second

// health asks the COE of every running cluster for its health, a few
// clusters at a time, and records what changed.
func (c *conductor) health(ctx context.Context) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	marker := ""
	for ctx.Err() == nil {
		var recs []store.Record
		err := c.s.store.View(ctx, func(tx *store.Tx) (err error) {
			recs, err = tx.Find(ctx, store.Clusters, store.Query{Where: store.In("status", monitoredStatuses...), Limit: 500, Marker: marker})
			return err
		})
		if err != nil {
			c.logErr(ctx, "listing clusters to monitor", err)
			break
		}
		for _, r := range recs {
			d, err := clusterFromRecord(r)
			if err != nil || healingElsewhere(d.Labels) {
				continue
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				c.checkHealth(ctx, d)
			})
		}
		if len(recs) < 500 {
			break
		}
		marker = recs[len(recs)-1].UUID
	}
	wg.Wait()
}

// healingElsewhere reports whether an external auto-healer owns the
// cluster's health, as Magnum's labels say.
func healingElsewhere(labels map[string]string) bool {
	on, _ := ParseBool(labels["auto_healing_enabled"])
	return on && labels["auto_healing_controller"] == "magnum-auto-healer"
}

// checkHealth asks the driver about one cluster, with the cluster's admin
// credentials, and stores the result if it changed.
func (c *conductor) checkHealth(ctx context.Context, d *clusterDoc) {
	h := c.probe(ctx, d)
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
// makes the health UNKNOWN, with the reason.
func (c *conductor) probe(ctx context.Context, d *clusterDoc) drivers.Health {
	unknown := func(err error) drivers.Health {
		return drivers.Health{Status: drivers.Unknown, Reason: map[string]string{"api": firstLine(err.Error())}}
	}
	st, err := c.load(ctx, opFor(d))
	if err != nil {
		return unknown(err)
	}
	creds, err := c.s.certs.AdminCredentials(ctx, d.UUID)
	if err != nil {
		return unknown(err)
	}
	hctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	h, err := st.drv.Health(hctx, c.s.driverCluster(st.t, st.d, st.ngs),
		drivers.Credentials{CACert: creds.CA, ClientCert: creds.Cert, ClientKey: []byte(creds.Key), Proxy: c.s.coeProxy(d.UUID)})
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
