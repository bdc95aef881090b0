// Package ui is gomagnum's web dashboard: clusters, their build and their
// health at a glance, served by magnumd under /ui/ over the same
// magnum.Service, authentication and policy as the REST API.
//
// Pages are rendered on the server by html/template, which escapes
// everything they show; a small script (embedded, like the styles) keeps
// the live parts of a page — a cluster's status, build progress, health,
// node groups and events, the list's rows — up to date by fetching them
// again while the page is open. Nothing is loaded from another host: the
// Content-Security-Policy allows the dashboard's own origin only.
//
//	dash := ui.New(svc, ui.WithAuthenticator(auth), ui.WithPolicy(policy))
//	mux.Handle(ui.Prefix, dash)
//
// # Pages
//
// Clusters (status, health, node counts, COE version, age; filtered by
// status, and by project for admins); one cluster (the build's progress
// through its stages, the fault with its code and deepest failed
// resource, node groups, addresses, labels, the events of its timeline,
// and the actions resize, upgrade, delete and the download of its client
// configuration); templates; quotas and stats; services (admins).
//
// # Identity and safety
//
// The caller is established by the Authenticator the REST API uses, from
// the token a user signed in with (kept in an HttpOnly, SameSite=Strict
// cookie and handed over as X-Auth-Token), or, in the noauth mode, from
// its default identity. Every action goes through the service, which
// enforces its policy; the dashboard only disables the buttons the policy
// would refuse, and shows the service's message when it refuses. Forms
// carry a per-session CSRF token, and cross-origin actions are refused
// (http.CrossOriginProtection).
package ui
