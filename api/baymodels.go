package api

// baymodelSchema is Magnum's BayModel API type: a cluster template with a
// mandatory keypair, string-only labels, one DNS server and no owner
// fields.
var baymodelSchema = baymodelOf(templateSchema)

func baymodelOf(s schema) schema {
	out := schema{arg: "baymodel"}
	for _, a := range s.without("project_id", "user_id").attrs {
		switch a.name {
		case "keypair_id":
			a = a.required()
		case "labels":
			a = a.stringsOnly()
		case "dns_nameserver":
			a = a.matching(`^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$`)
		}
		out.attrs = append(out.attrs, a)
	}
	return out
}

var baymodelKind = templateKind{collection: "baymodels", schema: baymodelSchema}

// baymodelRoutes serves cluster templates as the baymodels of old, below
// microversion 1.11.
func (h *Handler) baymodelRoutes() {
	k, old := baymodelKind, until(Version{1, vNoBays.Minor - 1})
	h.router.handle("GET /baymodels", "get_all", h.listTemplates(k), old)
	h.router.handle("GET /baymodels/detail", "detail", h.listTemplates(k), old)
	h.router.handle("GET /baymodels/{template}", "get_one", h.getTemplate(k), old)
	h.router.handle("GET /baymodels/{template}/detail", "detail", detailOfOne, old)
	h.router.handle("POST /baymodels", "post", h.createTemplate(k), old)
	h.router.handle("PATCH /baymodels/{template}", "patch", h.updateTemplate(k), old)
	h.router.handle("DELETE /baymodels/{template}", "delete", h.deleteTemplate, old)
}
