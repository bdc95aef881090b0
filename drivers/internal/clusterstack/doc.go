// Package clusterstack holds what the built-in drivers share to build and
// read their stacks: the network and API load-balancer templates, label
// schemas, node-group lookup, the validation rules common to every COE,
// the parameters every cluster stack takes and the decoding of outputs.
package clusterstack
