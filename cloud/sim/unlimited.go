package sim

// UnlimitedCatalog returns the default catalog (see DefaultCatalog)
// without quotas, its external network's subnet widened to
// 172.24.0.0/16 (65,000 floating IPs): a cloud for tests and benchmarks
// that build thousands of clusters. Every call returns a new copy.
func UnlimitedCatalog() *Catalog {
	cat := DefaultCatalog()
	unlimited := -1
	cat.Quotas.Default = QuotaSpec{Instances: &unlimited, Cores: &unlimited, RAMMiB: &unlimited,
		FloatingIPs: &unlimited, Volumes: &unlimited, VolumeGB: &unlimited, LoadBalancers: &unlimited}
	for i, n := range cat.Networks {
		if n.External {
			cat.Networks[i].Subnets = []CatalogSubnet{{Name: "public-subnet", CIDR: "172.24.0.0/16", GatewayIP: "172.24.0.1"}}
		}
	}
	return cat
}
