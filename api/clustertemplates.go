package api

import (
	"context"
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// templates is what the cluster template endpoints need of the service.
type templates interface {
	CreateClusterTemplate(ctx context.Context, req magnum.ClusterTemplateCreate) (*magnum.ClusterTemplate, error)
	GetClusterTemplate(ctx context.Context, ident string) (*magnum.ClusterTemplate, error)
	ListClusterTemplates(ctx context.Context, o magnum.ListOptions) ([]magnum.ClusterTemplate, error)
	UpdateClusterTemplate(ctx context.Context, ident string, ops []magnum.PatchOp) (*magnum.ClusterTemplate, error)
	DeleteClusterTemplate(ctx context.Context, ident string) error
}

// templateSchema is Magnum's ClusterTemplate API type.
var templateSchema = apiBase("cluster_template",
	text("uuid"), str("name", 1, 255), enum("coe", magnum.COEs()), str("image_id", 1, 255).required(),
	str("flavor_id", 1, 255), str("master_flavor_id", 1, 255), text("dns_nameserver"), str("keypair_id", 1, 255),
	str("external_network_id", 1, 255), str("fixed_network", 1, 255), str("fixed_subnet", 1, 255),
	str("network_driver", 1, 255), integer("apiserver_port", 1024).atMost(65535), integer("docker_volume_size", 1),
	str("cluster_distro", 1, 255), readOnly("links", kStringList), str("http_proxy", 1, 255),
	str("https_proxy", 1, 255), str("no_proxy", 1, 255), str("volume_driver", 1, 255), boolean("registry_enabled"),
	labels("labels"), boolean("tls_disabled"), boolean("public"),
	enum("server_type", magnum.ServerTypes()).refusingNull("Server type None is not supported, expecting a vm/bm/unspecified server type."),
	str("insecure_registry", 1, 255), str("docker_storage_driver", 1, 255), boolean("master_lb_enabled"),
	boolean("floating_ip_enabled"), readOnly("project_id", kString), readOnly("user_id", kString),
	boolean("hidden"), str("tags", 0, 255),
)

// templateKind is a collection cluster templates are served as:
// clustertemplates, or the legacy baymodels.
type templateKind struct {
	collection string
	schema     schema
	// owned views carry project_id and user_id.
	owned bool
}

var clusterTemplateKind = templateKind{collection: "clustertemplates", schema: templateSchema, owned: true}

func (h *Handler) templateRoutes() {
	k := clusterTemplateKind
	h.router.handle("GET /clustertemplates", "get_all", h.listTemplates(k))
	h.router.handle("GET /clustertemplates/detail", "detail", h.listTemplates(k))
	h.router.handle("GET /clustertemplates/{template}", "get_one", h.getTemplate(k))
	h.router.handle("GET /clustertemplates/{template}/detail", "detail", detailOfOne)
	h.router.handle("POST /clustertemplates", "post", h.createTemplate(k))
	h.router.handle("PATCH /clustertemplates/{template}", "patch", h.updateTemplate(k))
	h.router.handle("DELETE /clustertemplates/{template}", "delete", h.deleteTemplate)
}

// templateView is a template as the API shows it.
type templateView struct {
	APIServerPort       *int              `json:"apiserver_port"`
	ClusterDistro       *string           `json:"cluster_distro"`
	COE                 string            `json:"coe"`
	CreatedAt           *string           `json:"created_at"`
	DNSNameserver       *string           `json:"dns_nameserver"`
	DockerStorageDriver *string           `json:"docker_storage_driver"`
	DockerVolumeSize    *int              `json:"docker_volume_size"`
	ExternalNetworkID   *string           `json:"external_network_id"`
	FixedNetwork        *string           `json:"fixed_network"`
	FixedSubnet         *string           `json:"fixed_subnet"`
	FlavorID            *string           `json:"flavor_id"`
	FloatingIPEnabled   bool              `json:"floating_ip_enabled"`
	Hidden              bool              `json:"hidden"`
	HTTPProxy           *string           `json:"http_proxy"`
	HTTPSProxy          *string           `json:"https_proxy"`
	ImageID             string            `json:"image_id"`
	InsecureRegistry    *string           `json:"insecure_registry"`
	KeypairID           *string           `json:"keypair_id"`
	Labels              map[string]string `json:"labels"`
	Links               []link            `json:"links"`
	MasterFlavorID      *string           `json:"master_flavor_id"`
	MasterLBEnabled     bool              `json:"master_lb_enabled"`
	Name                *string           `json:"name"`
	NetworkDriver       *string           `json:"network_driver"`
	NoProxy             *string           `json:"no_proxy"`
	ProjectID           *string           `json:"project_id,omitempty"`
	Public              bool              `json:"public"`
	RegistryEnabled     bool              `json:"registry_enabled"`
	ServerType          *string           `json:"server_type"`
	Tags                *string           `json:"tags"`
	TLSDisabled         bool              `json:"tls_disabled"`
	UpdatedAt           *string           `json:"updated_at"`
	UserID              *string           `json:"user_id,omitempty"`
	UUID                string            `json:"uuid"`
	VolumeDriver        *string           `json:"volume_driver"`
}

func (k templateKind) view(r *http.Request, t *magnum.ClusterTemplate) templateView {
	v := templateView{
		APIServerPort: optInt(t.APIServerPort), ClusterDistro: optStr(t.ClusterDistro), COE: t.COE,
		CreatedAt: stamp(t.CreatedAt), DNSNameserver: optStr(t.DNSNameserver),
		DockerStorageDriver: optStr(t.DockerStorageDriver), DockerVolumeSize: optInt(t.DockerVolumeSize),
		ExternalNetworkID: optStr(t.ExternalNetworkID), FixedNetwork: optStr(t.FixedNetwork),
		FixedSubnet: optStr(t.FixedSubnet), FlavorID: optStr(t.FlavorID),
		FloatingIPEnabled: t.FloatingIPEnabled, Hidden: t.Hidden, HTTPProxy: optStr(t.HTTPProxy),
		HTTPSProxy: optStr(t.HTTPSProxy), ImageID: t.ImageID, InsecureRegistry: optStr(t.InsecureRegistry),
		KeypairID: optStr(t.KeypairID), Labels: stringMap(t.Labels),
		Links: resourceLinks(hostURL(r), k.collection+"/"+t.UUID), MasterFlavorID: optStr(t.MasterFlavorID),
		MasterLBEnabled: t.MasterLBEnabled, Name: optStr(t.Name), NetworkDriver: optStr(t.NetworkDriver),
		NoProxy: optStr(t.NoProxy), Public: t.Public, RegistryEnabled: t.RegistryEnabled,
		ServerType: optStr(t.ServerType), Tags: optStr(t.Tags), TLSDisabled: t.TLSDisabled,
		UpdatedAt: stamp(t.UpdatedAt), UUID: t.UUID, VolumeDriver: optStr(t.VolumeDriver),
	}
	if k.owned {
		v.ProjectID, v.UserID = &t.ProjectID, &t.UserID
	}
	return v
}

func (h *Handler) listTemplates(k templateKind) http.HandlerFunc {
	return cachedList(h, k.collection, k.collection, h.svc.ListClusterTemplateRevisions, k.viewer())
}

func (h *Handler) getTemplate(k templateKind) http.HandlerFunc {
	return cachedGet(h, "template", h.svc.GetClusterTemplateRevision, k.viewer())
}

// viewer shows the kind's templates through the handler's view cache.
func (k templateKind) viewer() viewer[magnum.ClusterTemplate] {
	id := viewBaymodel
	if k.owned {
		id = viewTemplate
	}
	return viewer[magnum.ClusterTemplate]{id: id, show: func(r *http.Request, t *magnum.ClusterTemplate) any { return k.view(r, t) }}
}

// templateCreate builds the service's request from a decoded body.
func templateCreate(v values) magnum.ClusterTemplateCreate {
	return magnum.ClusterTemplateCreate{
		ClusterTemplate: magnum.ClusterTemplate{
			UUID: v.str("uuid"), Name: v.str("name"), COE: v.str("coe"), ImageID: v.str("image_id"),
			FlavorID: v.str("flavor_id"), MasterFlavorID: v.str("master_flavor_id"),
			DNSNameserver: v.str("dns_nameserver"), KeypairID: v.str("keypair_id"),
			ExternalNetworkID: v.str("external_network_id"), FixedNetwork: v.str("fixed_network"),
			FixedSubnet: v.str("fixed_subnet"), NetworkDriver: v.str("network_driver"),
			VolumeDriver: v.str("volume_driver"), APIServerPort: v.integer("apiserver_port"),
			DockerVolumeSize: v.integer("docker_volume_size"), DockerStorageDriver: v.str("docker_storage_driver"),
			HTTPProxy: v.str("http_proxy"), HTTPSProxy: v.str("https_proxy"), NoProxy: v.str("no_proxy"),
			InsecureRegistry: v.str("insecure_registry"), RegistryEnabled: v.boolean("registry_enabled"),
			TLSDisabled: v.boolean("tls_disabled"), Public: v.boolean("public"), Hidden: v.boolean("hidden"),
			MasterLBEnabled: v.boolean("master_lb_enabled"), ServerType: v.str("server_type"),
			Labels: v.strMap("labels"), Tags: v.str("tags"),
		},
		FloatingIPEnabled: v.boolPtr("floating_ip_enabled"),
	}
}

func (h *Handler) createTemplate(k templateKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := decodeRequest(w, r, k.schema)
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		t, err := h.svc.CreateClusterTemplate(r.Context(), templateCreate(v))
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		w.Header().Set("Location", hostURL(r)+"/v1/"+k.collection+"/"+t.UUID)
		writeJSON(w, http.StatusCreated, k.view(r, t))
	}
}

func (h *Handler) updateTemplate(k templateKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ops, err := decodePatch(w, r)
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		t, err := h.svc.UpdateClusterTemplate(r.Context(), r.PathValue("template"), ops)
		if err != nil {
			h.writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, k.view(r, t))
	}
}

func (h *Handler) deleteTemplate(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteClusterTemplate(r.Context(), r.PathValue("template")); err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeNoContent(w)
}

// detailOfOne answers GET /v1/<collection>/<id>/detail, which Magnum
// refuses with its resource-not-found message left unformatted.
func detailOfOne(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, "client", "The %(name)s resource %(id)s could not be found.")
}
