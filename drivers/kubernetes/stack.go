package kubernetes

import (
	"context"
	"fmt"
	"maps"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
)

// ClusterStack returns the stack of a new cluster: network, security
// groups, the optional API load balancer, the masters and the default
// workers.
func (d *Driver) ClusterStack(ctx context.Context, c drivers.Cluster) (drivers.Stack, error) {
	if err := d.ValidateCluster(ctx, c); err != nil {
		return drivers.Stack{}, err
	}
	s, err := resolve(c, nil)
	if err != nil {
		return drivers.Stack{}, err
	}
	if s.labels.Bool("cloud_provider_enabled") && c.Boot.TrustID == "" {
		return drivers.Stack{}, fmt.Errorf(`%w: the cluster has no trust: "cloud_provider_enabled" needs the service to give clusters a trust (Magnum's cluster_user_trust)`, drivers.ErrInvalid)
	}
	master, worker, err := clusterstack.Defaults(c)
	if err != nil {
		return drivers.Stack{}, err
	}
	cas, err := caParams(c)
	if err != nil {
		return drivers.Stack{}, err
	}
	pub, priv, err := serviceAccountKeys()
	if err != nil {
		return drivers.Stack{}, err
	}
	params := d.params(c, s, worker, true)
	maps.Copy(params, cas)
	maps.Copy(params, map[string]any{
		"master_flavor":               clusterstack.Flavor(c, master),
		"master_image":                clusterstack.Image(c, master),
		"number_of_masters":           master.NodeCount,
		"number_of_secondary_masters": master.NodeCount - 1,
		"master_nodegroup_name":       master.Name,
		"master_docker_volume_size":   clusterstack.DockerVolumeSize(c, master),
		"etcd_volume_size":            s.labels.Int("etcd_volume_size"),
		"etcd_volume_type":            s.labels.String("etcd_volume_type"),
		"service_account_key_public":  pub,
		"service_account_key_private": priv,
	})
	return d.stack(c, s, worker, params)
}

// NodeGroupStack returns the stack of an extra worker node group: its
// workers only, on the cluster's network, joining through the cluster's
// API address.
func (d *Driver) NodeGroupStack(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup) (drivers.Stack, error) {
	if ng.Role == clusterstack.RoleMaster {
		return drivers.Stack{}, fmt.Errorf("%w: node groups of role master cannot be added to a Kubernetes cluster", drivers.ErrNotSupported)
	}
	if ng.NodeCount < 0 {
		return drivers.Stack{}, fmt.Errorf("%w: node group %s: node_count must be at least 0", drivers.ErrInvalid, ng.Name)
	}
	host := clusterstack.APIHost(c.APIAddress)
	if host == "" {
		return drivers.Stack{}, fmt.Errorf("%w: cluster %s has no API address yet", drivers.ErrInvalid, c.UUID)
	}
	s, err := resolve(c, &ng)
	if err != nil {
		return drivers.Stack{}, err
	}
	cas, err := caParams(c)
	if err != nil {
		return drivers.Stack{}, err
	}
	params := d.params(c, s, ng, false)
	maps.Copy(params, cas)
	params["existing_api_address"] = host
	return d.stack(c, s, ng, params)
}

// params are the parameters shared by cluster and node-group stacks; the
// worker group is the one the stack's kube_minions build.
func (d *Driver) params(c drivers.Cluster, s settings, worker drivers.NodeGroup, clusterStack bool) map[string]any {
	p := clusterstack.Common(c, s.labels, clusterStack)
	p["is_cluster_stack"] = clusterStack
	maps.Copy(p, map[string]any{
		"internal_cidr":         clusterstack.InternalCIDR(c, c.Template.Labels, c.Labels, worker.Labels),
		"pods_network_cidr":     s.podCIDR,
		"tls_disabled":          !s.tls,
		"kubernetes_port":       s.apiPort(c.Template),
		"minion_flavor":         clusterstack.Flavor(c, worker),
		"minion_image":          clusterstack.Image(c, worker),
		"number_of_minions":     worker.NodeCount,
		"worker_nodegroup_name": worker.Name,
		"docker_volume_size":    clusterstack.DockerVolumeSize(c, worker),
		"docker_volume_type":    s.labels.String("docker_volume_type"),
		"availability_zone":     s.labels.String("availability_zone"),
		"kube_tag":              s.labels.String("kube_tag"),
		"update_pause_time":     s.labels.Int("update_pause_time"),
	})
	return p
}

// caParams are the cluster's CA certificates as the nodes get them. The
// etcd and front-proxy CAs default to the cluster CA.
func caParams(c drivers.Cluster) (map[string]any, error) {
	if c.Boot.CACert == "" {
		return nil, fmt.Errorf("%w: cluster %s has no CA certificate in its boot data", drivers.ErrInvalid, c.UUID)
	}
	or := func(v string) string {
		if v == "" {
			return c.Boot.CACert
		}
		return v
	}
	return map[string]any{
		"ca_cert":             b64(c.Boot.CACert),
		"etcd_ca_cert":        b64(or(c.Boot.EtcdCACert)),
		"front_proxy_ca_cert": b64(or(c.Boot.FrontProxyCACert)),
	}, nil
}

// stack assembles the templates, the rendered Ignition configs and the
// parameters.
func (d *Driver) stack(c drivers.Cluster, s settings, worker drivers.NodeGroup, params map[string]any) (drivers.Stack, error) {
	files, err := clusterstack.Files(templatesFS, templatesDir, clusterstack.NetworkTemplate, clusterstack.APILBTemplate)
	if err != nil {
		return drivers.Stack{}, err
	}
	env, err := clusterEnv(c, s, worker)
	if err != nil {
		return drivers.Stack{}, err
	}
	for name, role := range map[string]string{"master.ign": clusterstack.RoleMaster, "worker.ign": clusterstack.RoleWorker} {
		ign, err := ignition(role, env, s.labels.String("heat_container_agent_tag"))
		if err != nil {
			return drivers.Stack{}, err
		}
		files[name] = string(ign)
	}
	top := files[topTemplate]
	delete(files, topTemplate)
	d.log.Debug("kubernetes stack", "cluster", c.UUID, "node_group", worker.Name, "files", len(files))
	return drivers.Stack{Template: []byte(top), Files: files, Parameters: params}, nil
}
