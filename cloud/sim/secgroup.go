package sim

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SecurityGroup is a Neutron security group with its rules.
type SecurityGroup struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	ProjectID   string              `json:"project_id"`
	Description string              `json:"description"`
	Rules       []SecurityGroupRule `json:"security_group_rules"`
	CreatedAt   time.Time           `json:"created_at"`
}

// SecurityGroupRule is a rule of a security group.
type SecurityGroupRule struct {
	ID              string `json:"id"`
	SecurityGroupID string `json:"security_group_id"`
	// Direction is "ingress" or "egress".
	Direction string `json:"direction"`
	// EtherType is "IPv4" or "IPv6".
	EtherType string `json:"ethertype"`
	// Protocol is empty (any), a name (tcp, udp, icmp, ...) or a number.
	Protocol string `json:"protocol"`
	// PortRangeMin and PortRangeMax are 0 when unset.
	PortRangeMin   int    `json:"port_range_min"`
	PortRangeMax   int    `json:"port_range_max"`
	RemoteIPPrefix string `json:"remote_ip_prefix"`
	RemoteGroupID  string `json:"remote_group_id"`
	Description    string `json:"description"`
}

// SecurityGroupSpec asks for a security group. Like Neutron, the new group
// starts with two rules allowing all egress (IPv4 and IPv6), then Rules.
type SecurityGroupSpec struct {
	ProjectID   string
	Name        string
	Description string
	// Rules are added at once; their SecurityGroupID is ignored.
	Rules []SecurityGroupRuleSpec
}

// SecurityGroupRuleSpec asks for a rule. Direction defaults to ingress and
// EtherType to IPv4.
type SecurityGroupRuleSpec struct {
	// SecurityGroup is the group's name or ID.
	SecurityGroup  string
	Direction      string
	EtherType      string
	Protocol       string
	PortRangeMin   int
	PortRangeMax   int
	RemoteIPPrefix string
	// RemoteGroup is a group name or ID.
	RemoteGroup string
	Description string
}

const defaultSecurityGroupName = "default"

var secgroupFinder = finder[SecurityGroup]{
	what:    "Security group",
	name:    func(g *SecurityGroup) string { return g.Name },
	project: func(g *SecurityGroup) string { return g.ProjectID },
}

func (g *SecurityGroup) clone() *SecurityGroup {
	c := *g
	c.Rules = slices.Clone(g.Rules)
	return &c
}

// CreateSecurityGroup creates a security group with its rules.
func (c *Cloud) CreateSecurityGroup(ctx context.Context, spec SecurityGroupSpec) (SecurityGroup, error) {
	view := func(st *state, id string) SecurityGroup { return *st.secgroups[id].clone() }
	return once(ctx, c, KindSecurityGroup, view, func() (SecurityGroup, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		if _, err := c.before(ctx, KindSecurityGroup, OpCreate, spec.Name, project); err != nil {
			return SecurityGroup{}, err
		}
		if spec.Name == defaultSecurityGroupName {
			return SecurityGroup{}, conflict("Default security group already exists.")
		}
		var out SecurityGroup
		err := c.update(ctx, func(tx *txn) error {
			g := tx.newSecurityGroup(project, spec.Name, spec.Description)
			for _, rs := range spec.Rules {
				if _, err := tx.addRule(g, rs); err != nil {
					return err
				}
			}
			out = *tx.st.secgroups[g.ID].clone()
			return tx.claim(KindSecurityGroup, g.ID)
		})
		return out, err
	})
}

// newSecurityGroup stores a group with Neutron's default egress rules.
func (tx *txn) newSecurityGroup(project, name, description string) *SecurityGroup {
	g := &SecurityGroup{ID: newID(), Name: name, ProjectID: project, Description: description, CreatedAt: tx.now}
	put(tx, tx.st.secgroups, KindSecurityGroup, g.ID, g, true)
	for _, et := range []string{"IPv4", "IPv6"} {
		// Cannot fail: the rule is valid and the group is new.
		_, _ = tx.addRule(g, SecurityGroupRuleSpec{Direction: "egress", EtherType: et})
	}
	return tx.st.secgroups[g.ID]
}

// defaultSecurityGroup returns the project's "default" group, creating it
// on first use as Neutron does: egress open, ingress from the group.
func (tx *txn) defaultSecurityGroup(project string) *SecurityGroup {
	if id, ok := tx.st.defaultSG[project]; ok {
		return tx.st.secgroups[id]
	}
	g := tx.newSecurityGroup(project, defaultSecurityGroupName, "Default security group")
	for _, et := range []string{"IPv4", "IPv6"} {
		_, _ = tx.addRule(g, SecurityGroupRuleSpec{Direction: "ingress", EtherType: et, RemoteGroup: g.ID})
	}
	tx.st.defaultSG[project] = g.ID
	tx.onUndo(func() { delete(tx.st.defaultSG, project) })
	return tx.st.secgroups[g.ID]
}

// resolveSecurityGroups turns group references into IDs; useDefault picks
// the project's default group when refs is empty.
func (tx *txn) resolveSecurityGroups(project string, refs []string, useDefault bool) ([]string, error) {
	if len(refs) == 0 {
		if useDefault {
			return []string{tx.defaultSecurityGroup(project).ID}, nil
		}
		return nil, nil
	}
	var ids []string
	for _, ref := range refs {
		var g *SecurityGroup
		if ref == defaultSecurityGroupName {
			g = tx.defaultSecurityGroup(project)
		} else {
			var err error
			if g, err = secgroupFinder.find(tx.st.secgroups, ref, project); err != nil {
				return nil, err
			}
		}
		if !slices.Contains(ids, g.ID) {
			ids = append(ids, g.ID)
		}
	}
	return ids, nil
}

// SecurityGroup returns a security group by name or ID.
func (c *Cloud) SecurityGroup(ctx context.Context, ref string) (SecurityGroup, error) {
	var out SecurityGroup
	err := c.view(ctx, func(st *state) error {
		g, err := secgroupFinder.find(st.secgroups, ref, c.scope(ctx))
		if err == nil {
			out = *g.clone()
		}
		return err
	})
	return out, err
}

// DeleteSecurityGroup deletes a security group. It fails with ErrConflict
// while a port uses it.
func (c *Cloud) DeleteSecurityGroup(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*SecurityGroup { return st.secgroups }
	return c.deleteObject(ctx, KindSecurityGroup, secgroupFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		g := tx.st.secgroups[id]
		if tx.st.hasChildren(id, KindPort) {
			return conflict("Security Group %s in use.", id)
		}
		for _, r := range g.Rules {
			tx.forgetRule(r.ID, id)
		}
		if tx.st.defaultSG[g.ProjectID] == id {
			delete(tx.st.defaultSG, g.ProjectID)
			tx.onUndo(func() { tx.st.defaultSG[g.ProjectID] = id })
		}
		remove(tx, tx.st.secgroups, KindSecurityGroup, id)
		return nil
	})
}

// CreateSecurityGroupRule adds a rule to a group.
func (c *Cloud) CreateSecurityGroupRule(ctx context.Context, spec SecurityGroupRuleSpec) (SecurityGroupRule, error) {
	return once(ctx, c, KindSecurityGroupRule, (*state).rule, func() (SecurityGroupRule, error) {
		project, err := c.childOf(ctx, func(st *state) (string, error) {
			g, err := secgroupFinder.find(st.secgroups, spec.SecurityGroup, c.scope(ctx))
			if err != nil {
				return "", err
			}
			return g.ProjectID, nil
		})
		if err != nil {
			return SecurityGroupRule{}, err
		}
		if _, err := c.before(ctx, KindSecurityGroupRule, OpCreate, spec.Description, project); err != nil {
			return SecurityGroupRule{}, err
		}
		var out SecurityGroupRule
		err = c.update(ctx, func(tx *txn) error {
			g, err := secgroupFinder.find(tx.st.secgroups, spec.SecurityGroup, c.scope(ctx))
			if err != nil {
				return err
			}
			if out, err = tx.addRule(g, spec); err != nil {
				return err
			}
			// The rule's group carries the token.
			return tx.claimIn(KindSecurityGroupRule, out.ID, KindSecurityGroup, g.ID)
		})
		return out, err
	})
}

// rule returns a security group rule by ID.
func (st *state) rule(id string) SecurityGroupRule {
	g := st.secgroups[st.ruleGroup[id]]
	i := slices.IndexFunc(g.Rules, func(r SecurityGroupRule) bool { return r.ID == id })
	return g.Rules[i]
}

// addRule checks a rule and appends it to its group.
func (tx *txn) addRule(g *SecurityGroup, spec SecurityGroupRuleSpec) (SecurityGroupRule, error) {
	r, err := checkRule(spec)
	if err != nil {
		return r, err
	}
	if spec.RemoteGroup != "" {
		remote, err := secgroupFinder.find(tx.st.secgroups, spec.RemoteGroup, g.ProjectID)
		if err != nil {
			return r, err
		}
		r.RemoteGroupID = remote.ID
	}
	cur := tx.st.secgroups[g.ID]
	for _, other := range cur.Rules {
		if sameRule(other, r) {
			return r, conflict("Security group rule already exists. Rule id is %s.", other.ID)
		}
	}
	r.ID, r.SecurityGroupID = newID(), g.ID
	ng := cur.clone()
	ng.Rules = append(ng.Rules, r)
	put(tx, tx.st.secgroups, KindSecurityGroup, g.ID, ng, true)
	tx.st.ruleGroup[r.ID] = g.ID
	tx.onUndo(func() { delete(tx.st.ruleGroup, r.ID) })
	return r, nil
}

// sameRule reports whether two rules match the same traffic.
func sameRule(a, b SecurityGroupRule) bool {
	a.ID, b.ID, a.SecurityGroupID, b.SecurityGroupID, a.Description, b.Description = "", "", "", "", "", ""
	return a == b
}

var ruleProtocols = []string{"", "tcp", "udp", "icmp", "icmpv6", "sctp", "gre", "esp", "ah", "vrrp", "ipip"}

// checkRule validates a rule spec as Neutron does.
func checkRule(spec SecurityGroupRuleSpec) (SecurityGroupRule, error) {
	r := SecurityGroupRule{
		Direction: spec.Direction, EtherType: spec.EtherType, Protocol: strings.ToLower(spec.Protocol),
		PortRangeMin: spec.PortRangeMin, PortRangeMax: spec.PortRangeMax, Description: spec.Description,
	}
	if r.Direction == "" {
		r.Direction = "ingress"
	}
	if r.EtherType == "" {
		r.EtherType = "IPv4"
	}
	if r.Direction != "ingress" && r.Direction != "egress" {
		return r, invalid("Invalid input for direction. Reason: '%s' is not in ['ingress', 'egress'].", spec.Direction)
	}
	if r.EtherType != "IPv4" && r.EtherType != "IPv6" {
		return r, invalid("Invalid input for ethertype. Reason: '%s' is not in ['IPv4', 'IPv6'].", spec.EtherType)
	}
	if n, err := strconv.Atoi(r.Protocol); err == nil {
		if n < 0 || n > 255 {
			return r, invalid("Security group rule protocol %s not supported. Only protocol values [%s] and integer representations [0 to 255] are supported.",
				spec.Protocol, strings.Join(ruleProtocols[1:], ", "))
		}
	} else if !slices.Contains(ruleProtocols, r.Protocol) {
		return r, invalid("Security group rule protocol %s not supported. Only protocol values [%s] and integer representations [0 to 255] are supported.",
			spec.Protocol, strings.Join(ruleProtocols[1:], ", "))
	}
	if err := checkPortRange(r); err != nil {
		return r, err
	}
	if spec.RemoteIPPrefix != "" {
		if spec.RemoteGroup != "" {
			return r, invalid("Only remote_ip_prefix or remote_group_id may be provided.")
		}
		p, err := netip.ParsePrefix(spec.RemoteIPPrefix)
		if err != nil {
			a, errAddr := netip.ParseAddr(spec.RemoteIPPrefix)
			if errAddr != nil {
				return r, invalid("Invalid input for remote_ip_prefix. Reason: '%s' is not a valid IP subnet.", spec.RemoteIPPrefix)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4() != (r.EtherType == "IPv4") {
			return r, conflict("Conflicting value ethertype %s for CIDR %s", r.EtherType, spec.RemoteIPPrefix)
		}
		r.RemoteIPPrefix = p.Masked().String()
	}
	return r, nil
}

func checkPortRange(r SecurityGroupRule) error {
	if r.PortRangeMin == 0 && r.PortRangeMax == 0 {
		return nil
	}
	switch r.Protocol {
	case "tcp", "udp", "sctp", "6", "17", "132":
		if r.PortRangeMin < 1 || r.PortRangeMax > 65535 || r.PortRangeMin > r.PortRangeMax {
			return invalid("For TCP/UDP protocols, port_range_min must be <= port_range_max")
		}
	case "icmp", "icmpv6", "1", "58":
		if r.PortRangeMin < 0 || r.PortRangeMin > 255 || r.PortRangeMax < 0 || r.PortRangeMax > 255 {
			return invalid("Invalid value for ICMP field (type or code): %d, %d", r.PortRangeMin, r.PortRangeMax)
		}
	default:
		return invalid("Invalid protocol %s for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.", r.Protocol)
	}
	return nil
}

// DeleteSecurityGroupRule removes a rule from its group.
func (c *Cloud) DeleteSecurityGroupRule(ctx context.Context, id string) error {
	describe := func(st *state) (string, string, error) {
		g, ok := st.secgroups[st.ruleGroup[id]]
		if !ok || (c.scope(ctx) != "" && g.ProjectID != c.scope(ctx)) {
			return "", "", notFound("Security group rule %s could not be found.", id)
		}
		return id, g.ProjectID, nil
	}
	return c.deleteObject(ctx, KindSecurityGroupRule, describe, func(tx *txn) error {
		gid := tx.st.ruleGroup[id]
		ng := tx.st.secgroups[gid].clone()
		ng.Rules = slices.DeleteFunc(ng.Rules, func(r SecurityGroupRule) bool { return r.ID == id })
		put(tx, tx.st.secgroups, KindSecurityGroup, gid, ng, true)
		tx.forgetRule(id, gid)
		return nil
	})
}

// forgetRule forgets a deleted rule's group and client token.
func (tx *txn) forgetRule(id, group string) {
	delete(tx.st.ruleGroup, id)
	tx.onUndo(func() { tx.st.ruleGroup[id] = group })
	tx.forgetObject(KindSecurityGroupRule, id, KindSecurityGroup, group)
}
