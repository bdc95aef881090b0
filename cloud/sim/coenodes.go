package sim

import (
	"context"
	"slices"
	"strings"
)

// COENode is a server of a simulated cluster as its COE sees it: a node
// registered with the cluster's API, ready or not.
type COENode struct {
	ServerID string
	// Name is the server's name, which its guest registers under.
	Name string
	// Address is the server's fixed address on the cluster's network.
	Address string
	// Master is set for the servers behind the address the API was
	// reached at (the server holding it, or the members of the load
	// balancer holding it).
	Master bool
	// Ready is set while the server is ACTIVE, its guest has booted and
	// the simulation has not marked it not ready (SetNodeReady).
	Ready bool
}

// COENodes returns the nodes of the simulated cluster whose API answers at
// host (a floating or fixed address of a server or of a load balancer's
// VIP): every server with a port on the network behind host, sorted by
// name. Clusters sharing one fixed network therefore see each other's
// servers, as they would on a real cloud without separate networks.
// An address nothing holds is ErrNotFound.
func (c *Cloud) COENodes(ctx context.Context, host string) ([]COENode, error) {
	var nodes []COENode
	err := c.view(ctx, func(st *state) error {
		p := st.portAt(host)
		if p == nil {
			return notFound("No server or load balancer holds address %s.", host)
		}
		masters := st.serversBehind(p)
		now := c.clock.Now()
		seen := map[string]bool{}
		for _, pid := range st.children(p.NetworkID, KindPort) {
			port := st.ports[pid]
			s := st.servers[port.DeviceID]
			if s == nil || seen[s.ID] {
				continue
			}
			seen[s.ID] = true
			nodes = append(nodes, COENode{
				ServerID: s.ID, Name: s.Name, Address: firstFixedIP(port), Master: masters[s.ID],
				Ready: s.Status == "ACTIVE" && s.Boot.Outcome == BootOK && !now.Before(s.Boot.DoneAt) && !s.NotReady,
			})
		}
		return nil
	})
	slices.SortFunc(nodes, func(a, b COENode) int { return strings.Compare(a.Name, b.Name) })
	return nodes, err
}

// SetNodeReady marks a server's guest as ready or not ready to its COE,
// as a node whose kubelet or agent stopped would be. The server itself
// stays ACTIVE.
func (c *Cloud) SetNodeReady(ctx context.Context, serverID string, ready bool) error {
	return c.update(ctx, func(tx *txn) error {
		old, err := serverFinder.get(tx.st.servers, serverID, c.scope(ctx))
		if err != nil {
			return err
		}
		s := old.clone()
		s.NotReady = !ready
		s.UpdatedAt = tx.now
		put(tx, tx.st.servers, KindServer, serverID, s, true)
		return nil
	})
}

// portAt finds the port holding host: the port a floating IP with that
// address is associated with, else a port with that fixed address.
func (st *state) portAt(host string) *Port {
	for _, f := range st.fips {
		if f.FloatingIPAddress == host && f.PortID != "" {
			return st.ports[f.PortID]
		}
	}
	for _, p := range st.ports {
		for _, ip := range p.FixedIPs {
			if ip.IPAddress == host {
				return p
			}
		}
	}
	return nil
}

// serversBehind returns the IDs of the servers that answer at port p: its
// server, or the members of the load balancer whose VIP it is.
func (st *state) serversBehind(p *Port) map[string]bool {
	out := map[string]bool{}
	if st.servers[p.DeviceID] != nil {
		out[p.DeviceID] = true
		return out
	}
	lbID, ok := strings.CutPrefix(p.DeviceID, vipDevicePrefix)
	if !ok {
		return out
	}
	members := map[string]bool{}
	for _, poolID := range st.children(lbID, KindPool) {
		for _, mid := range st.children(poolID, KindMember) {
			members[st.members[mid].Address] = true
		}
	}
	for _, pid := range st.children(p.NetworkID, KindPort) {
		port := st.ports[pid]
		if st.servers[port.DeviceID] != nil && members[firstFixedIP(port)] {
			out[port.DeviceID] = true
		}
	}
	return out
}

// firstFixedIP returns a port's first fixed address, or "".
func firstFixedIP(p *Port) string {
	if len(p.FixedIPs) == 0 {
		return ""
	}
	return p.FixedIPs[0].IPAddress
}
