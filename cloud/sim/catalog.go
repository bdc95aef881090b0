package sim

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/google/uuid"
	"gopkg.in/yaml.v3"
)

// Catalog is the static part of the simulated cloud: projects, users,
// images, flavors, keypairs, the networks, subnets and routers that exist
// before anything is created, volume types and quotas. It is what an
// operator would have set up in a real cloud. Load one from YAML with
// ParseCatalog or LoadCatalog; DefaultCatalog is the built-in one.
//
// References between entries (an image's owner, a keypair's user, a
// router's external network) use the name or the ID of the entry.
// Entries without an ID get a stable one derived from their kind and name,
// so the same catalog always yields the same IDs.
type Catalog struct {
	// DefaultProject is the project (name or ID) that owns objects created
	// without a project, when the context carries none either.
	DefaultProject string `yaml:"default_project"`
	// DefaultUser is the user (name or ID) whose keypairs a server spec
	// without a user refers to.
	DefaultUser string `yaml:"default_user"`
	// TrusteeDomainID is the Keystone domain of the cluster trustee users.
	TrusteeDomainID string           `yaml:"trustee_domain_id"`
	Projects        []CatalogProject `yaml:"projects"`
	Users           []CatalogUser    `yaml:"users"`
	Images          []CatalogImage   `yaml:"images"`
	Flavors         []CatalogFlavor  `yaml:"flavors"`
	Keypairs        []CatalogKeypair `yaml:"keypairs"`
	Networks        []CatalogNetwork `yaml:"networks"`
	Routers         []CatalogRouter  `yaml:"routers"`
	VolumeTypes     []string         `yaml:"volume_types"`
	Quotas          CatalogQuotas    `yaml:"quotas"`
}

// CatalogProject is a Keystone project.
type CatalogProject struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	DomainID string `yaml:"domain_id"`
}

// CatalogUser is a Keystone user, member of Project (name or ID).
type CatalogUser struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	Project string `yaml:"project"`
}

// CatalogImage is a Glance image.
type CatalogImage struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	OSDistro string `yaml:"os_distro"`
	// Visibility is "public" (the default) or "private".
	Visibility string `yaml:"visibility"`
	// Owner is the owning project (name or ID); the default project when
	// empty.
	Owner string `yaml:"owner"`
}

// CatalogFlavor is a Nova flavor. A private flavor is usable only by the
// projects listed in Projects.
type CatalogFlavor struct {
	ID       string   `yaml:"id"`
	Name     string   `yaml:"name"`
	VCPUs    int      `yaml:"vcpus"`
	RAMMiB   int      `yaml:"ram"`
	DiskGB   int      `yaml:"disk"`
	Private  bool     `yaml:"private"`
	Projects []string `yaml:"projects"`
}

// CatalogKeypair is a Nova keypair of User (name or ID).
type CatalogKeypair struct {
	Name      string `yaml:"name"`
	User      string `yaml:"user"`
	PublicKey string `yaml:"public_key"`
}

// CatalogNetwork is a Neutron network with its subnets. External networks
// are visible to every project; others to their project, or to all when
// Shared.
type CatalogNetwork struct {
	ID       string          `yaml:"id"`
	Name     string          `yaml:"name"`
	Project  string          `yaml:"project"`
	External bool            `yaml:"external"`
	Shared   bool            `yaml:"shared"`
	MTU      int             `yaml:"mtu"`
	Subnets  []CatalogSubnet `yaml:"subnets"`
}

// CatalogSubnet is a subnet of a CatalogNetwork. GatewayIP defaults to the
// first address of the CIDR; AllocationPools to the rest of it.
type CatalogSubnet struct {
	ID              string    `yaml:"id"`
	Name            string    `yaml:"name"`
	CIDR            string    `yaml:"cidr"`
	GatewayIP       string    `yaml:"gateway_ip"`
	AllocationPools []IPRange `yaml:"allocation_pools"`
	DNSNameservers  []string  `yaml:"dns_nameservers"`
}

// CatalogRouter is a Neutron router with a gateway on ExternalNetwork and
// an interface on each subnet of Interfaces (names or IDs).
type CatalogRouter struct {
	ID              string   `yaml:"id"`
	Name            string   `yaml:"name"`
	Project         string   `yaml:"project"`
	ExternalNetwork string   `yaml:"external_network"`
	Interfaces      []string `yaml:"interfaces"`
}

// CatalogQuotas sets the quota of every project (Default) and of some
// projects (by name or ID). Unset fields fall back to Default, then to
// DefaultQuota.
type CatalogQuotas struct {
	Default  QuotaSpec            `yaml:"default"`
	Projects map[string]QuotaSpec `yaml:"projects"`
}

// QuotaSpec is a partial Quota: nil fields are inherited. -1 means
// unlimited.
type QuotaSpec struct {
	Instances     *int `yaml:"instances"`
	Cores         *int `yaml:"cores"`
	RAMMiB        *int `yaml:"ram"`
	FloatingIPs   *int `yaml:"floating_ips"`
	Volumes       *int `yaml:"volumes"`
	VolumeGB      *int `yaml:"gigabytes"`
	LoadBalancers *int `yaml:"load_balancers"`
}

// IPRange is an inclusive range of addresses.
type IPRange struct {
	Start string `yaml:"start" json:"start"`
	End   string `yaml:"end" json:"end"`
}

//go:embed default.yaml
var defaultCatalogYAML []byte

// DefaultCatalog returns the built-in catalog: projects admin, demo
// (the default) and alt; users admin, demo (the default) and alt; public
// images fedora-coreos-40 (os_distro fedora-coreos), fedora-40 (fedora),
// ubuntu-22.04 (ubuntu) and cirros-0.6.2 (no os_distro), and
// alt-fedora-coreos-custom, private to alt; flavors m1.tiny, m1.small,
// m1.medium and m1.large; keypair "default" of demo and of admin; the
// external network "public" (172.24.4.0/24) and demo's "private"
// (10.0.0.0/24) joined by router1; volume types __DEFAULT__ and
// lvmdriver-1; Nova, Neutron and Cinder's default quotas. Every call
// returns a new copy.
func DefaultCatalog() *Catalog {
	c, err := ParseCatalog(defaultCatalogYAML)
	if err != nil {
		panic("sim: built-in catalog is invalid: " + err.Error())
	}
	return c
}

// IDs of the built-in catalog's projects and users.
const (
	AdminProjectID = "5f2b3f4f17b64195a2f76919340867bb"
	DemoProjectID  = "c99cc16abecc4cd0bbed7e1bc2f2b516"
	AltProjectID   = "ff5fc74d96ca48ed8e4b6de4930d08b4"
	AdminUserID    = "3f3acf501fa647049a2558a2359d4cba"
	DemoUserID     = "6ab2d0e08fa34f17afd3a42b80e1d235"
	AltUserID      = "6b3b502a1dd1494e9c6e2c5337e324c5"
)

// LoadCatalog reads and validates a YAML catalog file.
func LoadCatalog(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sim: catalog: %w", err)
	}
	c, err := ParseCatalog(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseCatalog decodes and validates a YAML catalog. Unknown fields are
// errors, so a misspelt key does not go unnoticed. Errors wrap ErrInvalid.
func ParseCatalog(data []byte) (*Catalog, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("sim: catalog: empty document: %w", ErrInvalid)
		}
		return nil, fmt.Errorf("sim: catalog: %w: %w", ErrInvalid, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("sim: catalog: more than one YAML document: %w", ErrInvalid)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks the catalog: required fields, unique IDs and names
// where the real services require them, references that resolve, valid
// CIDRs, addresses inside their subnets, quotas of -1 or more. Errors wrap
// ErrInvalid and name the offending entry.
func (c *Catalog) Validate() error {
	_, err := resolveCatalog(c)
	return err
}

// stableID derives the ID of a catalog entry without one.
func stableID(kind, name string) string {
	return uuid.NewSHA1(catalogNamespace, []byte(kind+"/"+name)).String()
}

// stableHexID derives a Keystone-style ID (32 hex digits).
func stableHexID(kind, name string) string {
	return strings.ReplaceAll(stableID(kind, name), "-", "")
}

var catalogNamespace = uuid.MustParse("0b5c3f4e-6d1a-4f8e-9a2b-7c6d5e4f3a21")

// parsePrefix parses a CIDR that must be in canonical form.
func parsePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%s has host bits set (network is %s)", s, p.Masked())
	}
	return p, nil
}
