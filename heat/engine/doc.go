// Package engine is gomagnum's embedded orchestrator: a HOT engine that
// parses, validates and runs Heat templates in-process with Heat 19's
// semantics, and implements heat.Orchestrator. It is the default
// orchestrator when no Heat endpoint is configured.
//
// # Templates
//
// The language itself (versions 2013-05-23 to wallaby, parameters and
// constraints, conditions, intrinsic functions with Heat's Python value
// forms, a subset of yaql, environments and their resource_registry)
// lives in the hot subpackage. Validate checks a stack the way Heat does
// at create time without creating anything. As in Heat, a property (or a
// nested template's parameter) whose value comes from a resource not
// created yet, through get_attr for example, is accepted then, required
// or not, and checked in full when its resource is created after the
// resources it depends on.
//
// # Resources
//
// The OS::Heat types are implemented here: None, RandomString,
// TestResource, Value, SoftwareConfig, StructuredConfig, CloudConfig,
// MultipartMime, SoftwareDeployment, StructuredDeployment,
// SoftwareDeploymentGroup (and SoftwareDeployments), WaitConditionHandle,
// WaitCondition, ResourceGroup, and template resources (a type naming a
// template file, directly or through the registry). The Nova, Neutron,
// Cinder and Octavia types create their objects in a simulated cloud
// (cloud/sim, see WithCloud) and answer Heat's attribute names with its
// addresses, floating IPs and load balancer VIPs. A server whose user
// data carries a wait condition handle's token signals the handle when
// its guest has booted; software deployments to it complete then. The
// simulated cloud's quotas and injected faults (sim.Cloud.InjectFault)
// produce the failures Heat would report, for example
// "Resource CREATE failed: WaitConditionTimeout: resources.wait: 0 of 1
// received" when a guest never signals.
//
// # Lifecycle
//
// Stacks are created, updated (PATCH semantics: in place, by
// replacement, or by adding and removing resources; ResourceGroups scale
// honouring removal_policies and rolling_update batches) and deleted in
// dependency order, concurrently within WithConcurrency's bound. Failures
// read like Heat's, rollback is done when asked, and FailedResources
// reports failures through nested stacks, deepest first. Every OS::Heat
// type can be slowed down with WithDelays to test timing-dependent code.
// As with Heat's max_resources_per_stack, a stack holds at most
// WithMaxResourcesPerStack resources (1000): a template with more is
// refused, and a ResourceGroup whose count is larger fails with Heat's
// reason before any member is built, so a huge count costs nothing.
// Groups are validated with their first member, as Heat does.
//
// # Persistence
//
// With WithBlobs, stacks and resources are stored as they change; a new
// Engine over the same Blobs (and a simulated cloud over its own stored
// state) resumes the actions that were in progress when the previous one
// stopped. What changes with every state change (statuses, reasons,
// physical IDs, attribute data) is kept in small records; what changes
// only on a create or an update (a stack's definitions, a resource's
// large resolved properties) is stored apart and written only then, and
// each template or file text is stored once for every stack that uses it.
// Over Blobs that can queue writes (QueuedBlobs, as the service database
// does), records are queued in order rather than waited for, and every
// API call flushes them before it returns: what a call acknowledged or
// reported survives a crash.
//
// With WithSealer every record (and every template and file text) is
// encrypted before it reaches the Blobs, bound to its key, so that the
// parameters a template marks hidden, and the properties, attributes,
// outputs and nested templates they flow into, are never at rest in
// clear. Sealing whole records rather than the hidden values alone leaves
// nothing to track as a value flows through functions. Records stored in
// clear by an engine without a sealer load as they are and are sealed
// then.
package engine
