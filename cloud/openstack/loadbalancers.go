package openstack

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
)

// Octavia provisioning statuses that mean a load balancer is on its way
// out or gone.
const (
	statusPendingDelete = "PENDING_DELETE"
	statusDeleted       = "DELETED"
)

// clusterPatterns are the descriptions that the Kubernetes cloud provider
// gives the load balancers and floating IPs it makes for a cluster.
type clusterPatterns struct {
	loadBalancer *regexp.Regexp
	floatingIP   *regexp.Regexp
}

func patternsFor(clusterUUID string) clusterPatterns {
	q := regexp.QuoteMeta(clusterUUID)
	return clusterPatterns{
		loadBalancer: regexp.MustCompile(`^Kubernetes .+ from cluster ` + q),
		floatingIP:   regexp.MustCompile(`^Floating IP for Kubernetes .+ from cluster ` + q + `$`),
	}
}

// CleanupLoadBalancers deletes (with cascade) every Octavia load balancer
// whose description matches "Kubernetes .+ from cluster <clusterUUID>",
// the ones the Kubernetes cloud provider created for the cluster's
// services, together with the floating IP of its VIP when the cloud
// provider made it. It then lists the load balancers every poll interval
// until none of them is left, and fails with an error wrapping ErrTimeout
// after the load-balancer timeout. Without a load-balancer service in the
// catalog it does nothing.
func (c *Cloud) CleanupLoadBalancers(ctx context.Context, clusterUUID string) error {
	if _, err := uuid.Parse(clusterUUID); err != nil {
		return fmt.Errorf("%w: cluster UUID %q: %v", ErrInvalid, clusterUUID, err)
	}
	if c.loadBalancer == nil {
		return nil
	}
	pat := patternsFor(clusterUUID)
	lbs, err := c.listLoadBalancers(ctx)
	if err != nil {
		return fmt.Errorf("octavia: list load balancers of cluster %s: %w", clusterUUID, err)
	}
	var waiting []string
	for _, lb := range lbs {
		if !pat.loadBalancer.MatchString(lb.Description) || lb.ProvisioningStatus == statusDeleted {
			continue
		}
		if lb.ProvisioningStatus != statusPendingDelete {
			if err := c.deleteLoadBalancer(ctx, lb, pat); err != nil {
				return fmt.Errorf("cluster %s: %w", clusterUUID, err)
			}
		}
		waiting = append(waiting, lb.ID)
	}
	if len(waiting) == 0 {
		return nil
	}
	return c.waitLoadBalancersGone(ctx, clusterUUID, waiting)
}

func (c *Cloud) listLoadBalancers(ctx context.Context) ([]loadbalancers.LoadBalancer, error) {
	pages, err := loadbalancers.List(c.loadBalancer, loadbalancers.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	return loadbalancers.ExtractLoadBalancers(pages)
}

// deleteLoadBalancer deletes lb with everything in it, then the cloud
// provider's floating IPs of its VIP port, found before the port goes.
func (c *Cloud) deleteLoadBalancer(ctx context.Context, lb loadbalancers.LoadBalancer, pat clusterPatterns) error {
	fips, err := c.providerFloatingIPs(ctx, lb.VipPortID, pat)
	if err != nil {
		return err
	}
	c.log.InfoContext(ctx, "deleting load balancer", "load_balancer", lb.ID, "description", lb.Description)
	err = loadbalancers.Delete(ctx, c.loadBalancer, lb.ID, loadbalancers.DeleteOpts{Cascade: true}).ExtractErr()
	if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return classify("octavia", subject("load balancer", lb.ID), err)
	}
	for _, id := range fips {
		c.log.InfoContext(ctx, "deleting floating IP", "floating_ip", id, "load_balancer", lb.ID)
		err := floatingips.Delete(ctx, c.network, id).ExtractErr()
		if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return classify("neutron", subject("floating IP", id), err)
		}
	}
	return nil
}

// providerFloatingIPs returns the IDs of the floating IPs on port whose
// description says the cloud provider made them for the cluster.
func (c *Cloud) providerFloatingIPs(ctx context.Context, port string, pat clusterPatterns) ([]string, error) {
	if port == "" {
		return nil, nil
	}
	pages, err := floatingips.List(c.network, floatingips.ListOpts{PortID: port}).AllPages(ctx)
	if err != nil {
		return nil, classify("neutron", "floating IPs of port "+port, err)
	}
	found, err := floatingips.ExtractFloatingIPs(pages)
	if err != nil {
		return nil, classify("neutron", "floating IPs of port "+port, err)
	}
	var ids []string
	for _, f := range found {
		if pat.floatingIP.MatchString(f.Description) {
			ids = append(ids, f.ID)
		}
	}
	return ids, nil
}

// waitLoadBalancersGone lists the load balancers until none of ids is
// left (or only as DELETED).
func (c *Cloud) waitLoadBalancersGone(ctx context.Context, clusterUUID string, ids []string) error {
	deadline := time.NewTimer(c.lbTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(c.lbPollInterval)
	defer tick.Stop()
	for {
		lbs, err := c.listLoadBalancers(ctx)
		if err != nil {
			return fmt.Errorf("octavia: wait for load balancers of cluster %s: %w", clusterUUID, err)
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return !present(lbs, id) })
		if len(ids) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("octavia: wait for load balancers %v of cluster %s: %w", ids, clusterUUID, ctx.Err())
		case <-deadline.C:
			return fmt.Errorf("octavia: load balancers %v of cluster %s still present after %v: %w",
				ids, clusterUUID, c.lbTimeout, ErrTimeout)
		case <-tick.C:
		}
	}
}

// present reports whether lbs holds id in a status other than DELETED.
func present(lbs []loadbalancers.LoadBalancer, id string) bool {
	return slices.ContainsFunc(lbs, func(lb loadbalancers.LoadBalancer) bool {
		return lb.ID == id && lb.ProvisioningStatus != statusDeleted
	})
}
