// Package remote is a client of a Magnum v1 REST API, a real OpenStack
// Magnum or magnumd, that implements magnum.API: a Go program written
// against magnum.API runs the same on the service embedded in it and on
// a remote one.
//
// It is built on gophercloud's containerinfra/v1 (the same requests,
// authentication and endpoint discovery) plus the calls gophercloud
// lacks: stats, mservices, credential rotation, quota reads and changes,
// node labels and taints (microversion 1.14). Magnum's error bodies come
// back as magnum's typed errors, so errors.Is(err, magnum.ErrNotFound)
// works as with the embedded service.
//
// Waits and watches follow a remote cluster by reading it every poll
// interval (WithPollInterval) inside the client: the caller's code has no
// polling loop, and every state the client observes is delivered in
// order, the final one included; states that lasted less than an
// interval may be missed, as the REST API has no change feed.
package remote
