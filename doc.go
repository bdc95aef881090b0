// Package gomagnum is OpenStack Magnum, the container-infrastructure
// service, as an embeddable Go SDK.
//
// The module is organised as follows:
//
//   - magnum: the service itself. magnum.New returns a *magnum.Service with
//     the Go API for cluster templates, clusters, node groups, certificates,
//     quotas, stats and service health, Magnum's rules and default policy,
//     and the conductor that drives clusters through their lifecycle;
//     waits and watches over its change feed, and client credentials in
//     one call. magnum.API is that Go API as an interface, and
//     magnum/magnumtest the suite every implementation of it passes.
//   - remote: magnum.API over a remote Magnum v1 REST API (a real OpenStack
//     Magnum or magnumd), built on gophercloud's containerinfra/v1.
//   - api: Magnum's v1 REST API (microversions 1.1 to 1.14) as a net/http
//     handler over a *magnum.Service, so the openstack coe CLI,
//     python-magnumclient and gophercloud's containerinfra/v1 work unchanged.
//   - heat: the Orchestrator contract and a client for a real OpenStack Heat.
//   - heat/engine: an embedded HOT engine over a simulated cloud, the
//     default orchestrator when no Heat endpoint is configured.
//   - drivers: the Driver contract, the registry and the go-plugin host;
//     drivers/plugin is what a third-party driver imports, drivers/drivertest
//     the conformance suite every driver runs.
//   - drivers/kubernetes, drivers/swarm, drivers/mesos: the built-in COE
//     drivers.
//   - certs: cluster CAs, CSR signing, CA rotation and certificate stores.
//   - quota: project limits and their enforcement.
//   - cloud: the OpenStack look-ups and side effects besides stacks;
//     cloud/openstack over gophercloud and cloud/sim, a simulated cloud.
//   - ui: the web dashboard (html/template pages, embedded assets) over a
//     *magnum.Service, with the API's authentication and policy.
//   - cmd/magnumd: the daemon serving the REST API with the conductor, and
//     the dashboard under /ui/ when its configuration enables it.
//   - examples: runnable programs: a quickstart, embedding the service, and
//     a third-party driver.
package gomagnum
