// Package api serves Magnum's v1 REST API over a magnum.Service, so that the
// clients people already use — the openstack coe CLI, python-magnumclient,
// gophercloud's containerinfra/v1 — work against gomagnum unchanged.
//
// NewHandler returns an http.Handler with every resource and action of
// Magnum's API up to microversion 1.14: cluster templates, clusters (with
// the resize and upgrade actions), node groups, certificates (CA, signing,
// CA rotation), credentials (1.12), quotas, stats, service instances
// (mservices), federations, and the bays and baymodels of old (below 1.11).
// It answers as Magnum does, down to the status codes, the error bodies
// ({"errors": [...]}), the 406 bodies of microversion negotiation, the key
// sets of list and detail views, the next links of pages, and timestamps
// with microseconds and +00:00:
//
//	svc, _ := magnum.New(ctx)
//	http.ListenAndServe(":9511", api.NewHandler(svc, api.WithAuthenticator(auth)))
//
// # Microversions
//
// Requests choose a microversion with the OpenStack-API-Version header
// ("container-infra 1.10" or "container-infra latest"); without it they get
// 1.1, as in Magnum. Changes the REST layer makes per microversion: 1.2
// asynchronous bays, 1.3 ?rollback= on cluster updates, 1.7 resize, 1.8
// upgrade, 1.9 node groups, 1.10 zero-node groups and 404 for an unknown
// template on cluster create, 1.11 no more bays and baymodels, 1.12
// credential rotation, 1.13 cluster_id instead of stack_id, 1.14 node labels
// and taints on node groups.
//
// # Identity
//
// An Authenticator establishes the caller of each request, which travels
// to the service in the request context (magnum.WithCaller); policy is the
// service's business. Keystone validates tokens with Keystone's identity
// API and caches them briefly; NoAuth, for development, trusts the identity
// headers (X-User-Id, X-Project-Id, X-Roles, ...) with configurable defaults
// and identities named by tokens, and refuses a token it does not know.
//
// # Operations
//
// Every response carries an X-OpenStack-Request-Id, which every log line
// about the request carries too (LogHandler extends that to the service's
// own log lines). Metrics records requests by route and status with their
// latency, the clusters by status and the conductor's sync passes in a
// Prometheus registry. /healthcheck answers load balancers.
package api
