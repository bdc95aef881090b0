package certs

import "strings"

// CAKind names one of a cluster's three certificate authorities.
type CAKind string

// The three CAs of a cluster.
const (
	// Kubernetes is the cluster CA: it signs the API server certificate, the
	// admin certificate and users' and nodes' client certificates. Magnum
	// calls it "kubernetes" for every COE.
	Kubernetes CAKind = "kubernetes"
	// Etcd signs the certificates etcd members and their clients use.
	Etcd CAKind = "etcd"
	// FrontProxy signs the client certificate the API server presents to
	// aggregated API servers.
	FrontProxy CAKind = "front-proxy"
)

// Kinds lists the three CA kinds in the order they are issued.
var Kinds = []CAKind{Kubernetes, Etcd, FrontProxy}

// ParseCAKind maps Magnum's ca_cert_type to a kind the way Magnum does:
// "etcd" is the etcd CA, "front_proxy" or "front-proxy" the front-proxy CA,
// and anything else, the empty string included, the cluster CA.
func ParseCAKind(s string) CAKind {
	switch strings.TrimSpace(s) {
	case "etcd":
		return Etcd
	case "front_proxy", "front-proxy":
		return FrontProxy
	default:
		return Kubernetes
	}
}

// String returns the kind's name.
func (k CAKind) String() string { return string(k) }
