package sim

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// repair mends, at load, what a crash between two writes of one change
// left in the store. A change writes its records one at a time, in an
// order that makes what a crash leaves recognisable:
//
//   - the ports a create makes for a server, a router's gateway or a load
//     balancer's VIP are written before their owner: a port whose device
//     does not exist is dropped;
//   - the existing ports a server's create binds are written after the
//     server (writeLast): a port the server lists but that is not bound
//     to it is bound;
//   - an attachment is written before its volume's new status: an
//     attachment of a missing server or volume is dropped, and a volume's
//     status follows its attachments;
//   - a pool on a listener is the listener's default pool, whichever of
//     the two was written.
//
// Creates with a client token then find their object when it was stored,
// and make it again otherwise, without meeting leftovers of the first
// attempt. The repairs are stored.
func (c *Cloud) repair(ctx context.Context) error {
	tx := &txn{c: c, st: c.st, dirty: map[string]any{}}
	tx.dropOrphanPorts()
	tx.bindServerPorts()
	tx.dropOrphanAttachments()
	tx.setVolumeStatuses()
	tx.setDefaultPools()
	ws := tx.writes()
	for _, w := range ws {
		c.log.Warn("repairing what a crash left", "key", w.key, "deleted", w.obj == nil)
	}
	c.persist.schedule(ws)
	return c.persist.flush(ctx, ws)
}

// dropOrphanPorts drops the ports of servers, routers and load balancers
// that do not exist.
func (tx *txn) dropOrphanPorts() {
	st := tx.st
	for _, id := range slices.Sorted(maps.Keys(st.ports)) {
		p := st.ports[id]
		var owned bool
		switch p.DeviceOwner {
		case OwnerCompute:
			owned = st.servers[p.DeviceID] != nil
		case OwnerRouterGateway, OwnerRouterInterface:
			owned = st.routers[p.DeviceID] != nil
		case OwnerOctavia:
			lb, ok := strings.CutPrefix(p.DeviceID, vipDevicePrefix)
			owned = ok && st.lbs[lb] != nil
		default:
			continue
		}
		if !owned {
			remove(tx, st.ports, KindPort, id)
		}
	}
}

// bindServerPorts binds to each server the existing ports it lists.
func (tx *txn) bindServerPorts() {
	st := tx.st
	for _, sid := range slices.Sorted(maps.Keys(st.servers)) {
		s := st.servers[sid]
		for _, pid := range s.PortIDs {
			p := st.ports[pid]
			if p == nil || p.DeviceID == s.ID || slices.Contains(s.CreatedPortIDs, pid) {
				continue
			}
			np := p.clone()
			np.DeviceID, np.DeviceOwner, np.Status = s.ID, OwnerCompute, "ACTIVE"
			put(tx, st.ports, KindPort, pid, np, true)
		}
	}
}

// dropOrphanAttachments drops the attachments of missing servers or
// volumes.
func (tx *txn) dropOrphanAttachments() {
	st := tx.st
	for _, id := range slices.Sorted(maps.Keys(st.attachments)) {
		if a := st.attachments[id]; st.servers[a.ServerID] == nil || st.volumes[a.VolumeID] == nil {
			remove(tx, st.attachments, KindVolumeAttachment, id)
		}
	}
}

// setVolumeStatuses makes a volume in-use while attached, available
// otherwise.
func (tx *txn) setVolumeStatuses() {
	st := tx.st
	attached := map[string]bool{}
	for _, a := range st.attachments {
		attached[a.VolumeID] = true
	}
	for _, id := range slices.Sorted(maps.Keys(st.volumes)) {
		v := st.volumes[id]
		status := "available"
		if attached[id] {
			status = "in-use"
		}
		if v.Status != status {
			nv := *v
			nv.Status = status
			put(tx, st.volumes, KindVolume, id, &nv, true)
		}
	}
}

// setDefaultPools makes each listener's default pool the pool made on it.
func (tx *txn) setDefaultPools() {
	st := tx.st
	defaults := map[string]string{}
	for _, p := range st.pools {
		if p.ListenerID != "" {
			defaults[p.ListenerID] = p.ID
		}
	}
	for _, id := range slices.Sorted(maps.Keys(st.listeners)) {
		if li := st.listeners[id]; li.DefaultPoolID != defaults[id] {
			nli := *li
			nli.DefaultPoolID = defaults[id]
			put(tx, st.listeners, KindListener, id, &nli, true)
		}
	}
}
