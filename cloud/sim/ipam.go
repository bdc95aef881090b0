package sim

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/netip"
)

// Defaults of new networks and volumes.
const (
	defaultMTU        = 1450 // a VXLAN tenant network
	defaultVolumeType = "__DEFAULT__"
)

// addrRange is an inclusive range of addresses.
type addrRange struct{ start, end netip.Addr }

func (r addrRange) contains(a netip.Addr) bool {
	return r.start.Compare(a) <= 0 && a.Compare(r.end) <= 0
}

// size returns the number of addresses in r, saturating at MaxUint64.
func (r addrRange) size() uint64 {
	s, e := r.start.As16(), r.end.As16()
	n := new(big.Int).Sub(new(big.Int).SetBytes(e[:]), new(big.Int).SetBytes(s[:]))
	n.Add(n, big.NewInt(1))
	if !n.IsUint64() {
		return math.MaxUint64
	}
	return n.Uint64()
}

// subnetLayout is a checked subnet address plan.
type subnetLayout struct {
	prefix  netip.Prefix
	gateway netip.Addr // invalid when the subnet has none
	ranges  []addrRange
}

// planSubnet checks a subnet's CIDR, gateway and allocation pools and
// fills in Neutron's defaults: the gateway is the first host address, the
// pools are every other host address.
func planSubnet(cidr, gateway string, noGateway bool, pools []IPRange) (subnetLayout, error) {
	var l subnetLayout
	p, err := parsePrefix(cidr)
	if err != nil {
		return l, fmt.Errorf("invalid cidr %q: %w", cidr, err)
	}
	l.prefix = p
	first, last := hostBounds(p)
	if !first.IsValid() {
		return l, fmt.Errorf("cidr %s is too small for a subnet", cidr)
	}
	switch {
	case noGateway:
	case gateway == "":
		l.gateway = first
	default:
		if l.gateway, err = l.hostAddr(gateway); err != nil {
			return l, fmt.Errorf("gateway_ip: %w", err)
		}
	}
	if len(pools) == 0 {
		l.ranges = splitAround(addrRange{first, last}, l.gateway)
		if len(l.ranges) == 0 {
			return l, fmt.Errorf("cidr %s leaves no address to allocate", cidr)
		}
		return l, nil
	}
	for i, pool := range pools {
		r, err := l.checkPool(pool)
		if err != nil {
			return l, fmt.Errorf("allocation_pools[%d]: %w", i, err)
		}
		for _, other := range l.ranges {
			if other.contains(r.start) || r.contains(other.start) {
				return l, fmt.Errorf("allocation_pools[%d]: %s-%s overlaps %s-%s", i, r.start, r.end, other.start, other.end)
			}
		}
		l.ranges = append(l.ranges, r)
	}
	return l, nil
}

// hostAddr parses an address that must be a host address of the prefix.
func (l subnetLayout) hostAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, fmt.Errorf("invalid address %q", s)
	}
	first, last := hostBounds(l.prefix)
	if !(addrRange{first, last}).contains(a) {
		return a, fmt.Errorf("%s is not a host address of %s", s, l.prefix)
	}
	return a, nil
}

func (l subnetLayout) checkPool(pool IPRange) (addrRange, error) {
	start, err := l.hostAddr(pool.Start)
	if err != nil {
		return addrRange{}, err
	}
	end, err := l.hostAddr(pool.End)
	if err != nil {
		return addrRange{}, err
	}
	r := addrRange{start, end}
	if start.Compare(end) > 0 {
		return r, fmt.Errorf("start %s is after end %s", start, end)
	}
	if l.gateway.IsValid() && r.contains(l.gateway) {
		return r, fmt.Errorf("gateway ip %s conflicts with allocation pool %s-%s", l.gateway, start, end)
	}
	return r, nil
}

// applyTo writes the plan into a subnet.
func (l subnetLayout) applyTo(s *Subnet) {
	s.CIDR = l.prefix.String()
	s.IPVersion = 4
	if l.prefix.Addr().Is6() {
		s.IPVersion = 6
	}
	s.GatewayIP = ""
	if l.gateway.IsValid() {
		s.GatewayIP = l.gateway.String()
	}
	s.AllocationPools = make([]IPRange, len(l.ranges))
	for i, r := range l.ranges {
		s.AllocationPools[i] = IPRange{Start: r.start.String(), End: r.end.String()}
	}
}

// hostBounds returns the first and last host address of a prefix: IPv4
// leaves out the network and broadcast addresses, IPv6 the subnet-router
// anycast address. It returns invalid addresses when there is no host.
func hostBounds(p netip.Prefix) (netip.Addr, netip.Addr) {
	first := p.Masked().Addr()
	last := lastAddr(p)
	first = first.Next()
	if p.Addr().Is4() {
		last = last.Prev()
	}
	if !first.IsValid() || !last.IsValid() || first.Compare(last) > 0 {
		return netip.Addr{}, netip.Addr{}
	}
	return first, last
}

// lastAddr returns the highest address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// splitAround returns r without the address a.
func splitAround(r addrRange, a netip.Addr) []addrRange {
	if !a.IsValid() || !r.contains(a) {
		return []addrRange{r}
	}
	var out []addrRange
	if a.Compare(r.start) > 0 {
		out = append(out, addrRange{r.start, a.Prev()})
	}
	if a.Compare(r.end) < 0 {
		out = append(out, addrRange{a.Next(), r.end})
	}
	return out
}

// overlaps reports whether two CIDRs share addresses.
func overlaps(a, b string) bool {
	pa, errA := netip.ParsePrefix(a)
	pb, errB := netip.ParsePrefix(b)
	return errA == nil && errB == nil && pa.Overlaps(pb)
}

// addrPool hands out the addresses of one subnet, lowest free first after
// the last one given, like Neutron's sequential IPAM.
type addrPool struct {
	layout subnetLayout
	used   map[netip.Addr]string // address -> owning port ID
	free   uint64                // free addresses in the ranges
	cursor int                   // range the next search starts in
	next   netip.Addr            // address the next search starts at
}

// errPoolFull is returned by addrPool.allocate when no address is left.
var errPoolFull = errors.New("pool exhausted")

func newAddrPool(s *Subnet) (*addrPool, error) {
	pools := s.AllocationPools
	l, err := planSubnet(s.CIDR, s.GatewayIP, s.GatewayIP == "", pools)
	if err != nil {
		return nil, err
	}
	p := &addrPool{layout: l, used: map[netip.Addr]string{}, next: l.ranges[0].start}
	for _, r := range l.ranges {
		p.free = satAdd(p.free, r.size())
	}
	return p, nil
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

// inRanges reports whether a lies in the allocation pools.
func (p *addrPool) inRanges(a netip.Addr) bool {
	for _, r := range p.layout.ranges {
		if r.contains(a) {
			return true
		}
	}
	return false
}

// allocate takes the next free address of the pools for owner.
func (p *addrPool) allocate(owner string) (netip.Addr, error) {
	if p.free == 0 {
		return netip.Addr{}, errPoolFull
	}
	for {
		r := p.layout.ranges[p.cursor]
		a := p.next
		if a.IsValid() && r.contains(a) {
			if _, taken := p.used[a]; !taken {
				p.mark(a, owner)
				p.next = a.Next()
				return a, nil
			}
			p.next = a.Next()
			continue
		}
		p.cursor = (p.cursor + 1) % len(p.layout.ranges)
		p.next = p.layout.ranges[p.cursor].start
	}
}

// take claims a given host address of the subnet for owner. The address
// may lie outside the pools (as a router's gateway address does).
func (p *addrPool) take(a netip.Addr, owner string) error {
	first, last := hostBounds(p.layout.prefix)
	if !(addrRange{first, last}).contains(a) {
		return errNotInSubnet
	}
	if _, taken := p.used[a]; taken {
		return errAddrTaken
	}
	p.mark(a, owner)
	return nil
}

var (
	errNotInSubnet = errors.New("not a host address of the subnet")
	errAddrTaken   = errors.New("address taken")
)

func (p *addrPool) mark(a netip.Addr, owner string) {
	p.used[a] = owner
	if p.inRanges(a) {
		p.free--
	}
}

// release gives an address back.
func (p *addrPool) release(a netip.Addr) {
	if _, ok := p.used[a]; !ok {
		return
	}
	delete(p.used, a)
	if p.inRanges(a) {
		p.free++
	}
}
