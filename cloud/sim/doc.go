// Package sim is a simulated OpenStack cloud: the Glance images, Nova
// flavors and keypairs, Keystone projects and Neutron networks that
// gomagnum looks up (it implements cloud.Cloud), and the world the
// embedded Heat engine (heat/engine) creates servers, ports, floating
// IPs, volumes and load balancers in. A laptop sees the behaviours of a
// real cloud: addresses from the subnets' CIDRs, quota errors worded like
// Nova's, Neutron's, Cinder's and Octavia's, in-use conflicts, and
// failures injected on purpose.
//
// # Building one
//
//	c, err := sim.New(ctx,
//		sim.WithCatalogFile("cloud.yaml"), // or WithCatalog(sim.DefaultCatalog())
//		sim.WithBlobs(store),              // where objects persist; in memory by default
//		sim.WithDelays(sim.Delays{Boot: 30 * time.Second}),
//		sim.WithClock(clock),              // a *ManualClock in tests
//	)
//
// # The catalog
//
// The Catalog is what an operator set up beforehand. Its YAML form:
//
//	default_project: demo          # owns objects created without a project
//	default_user: demo             # owns keypairs referred to without a user
//	trustee_domain_id: magnum      # domain of the cluster trustees
//	projects:  [{id: <hex>, name: demo, domain_id: default}]
//	users:     [{id: <hex>, name: demo, project: demo}]
//	images:    [{name: fedora-coreos-40, os_distro: fedora-coreos, visibility: public, owner: demo}]
//	flavors:   [{name: m1.small, vcpus: 1, ram: 2048, disk: 20, private: false, projects: []}]
//	keypairs:  [{name: default, user: demo, public_key: ssh-ed25519 AAAA...}]
//	networks:
//	  - name: public
//	    external: true
//	    subnets: [{name: public-subnet, cidr: 172.24.4.0/24, gateway_ip: 172.24.4.1,
//	               allocation_pools: [{start: 172.24.4.2, end: 172.24.4.254}]}]
//	routers:   [{name: router1, project: demo, external_network: public, interfaces: [private-subnet]}]
//	volume_types: [__DEFAULT__]
//	quotas:
//	  default:  {instances: 10, cores: 20, ram: 51200, floating_ips: 50, volumes: 10, gigabytes: 1000, load_balancers: -1}
//	  projects: {demo: {instances: 40}}
//
// Entries refer to one another by name or ID; entries without an ID get a
// stable one derived from their name. ParseCatalog rejects unknown keys,
// duplicate IDs, dangling references, bad CIDRs and addresses outside their
// subnet, with errors wrapping ErrInvalid that name the entry. The
// built-in DefaultCatalog is described on that function; the IDs of its
// projects and users are the constants DemoProjectID, DemoUserID, etc.
// Catalog networks, subnets and routers cannot be deleted.
//
// # Projects and visibility
//
// The cloud.Cloud look-ups act for the project the context carries
// (cloud.WithProject), or with an unrestricted view without one. A
// project sees public images, external and shared networks, and its own
// objects; another project's private object gives cloud.ErrForbidden, a
// name matching several visible objects cloud.ErrAmbiguous, and nothing
// cloud.ErrNotFound.
//
// Every spec (ServerSpec, PortSpec, ...) has a ProjectID. When it is empty
// the object goes to the context's project, else to the catalog's default
// project. References inside a spec (an image, a network, a security
// group) are resolved as that project sees them. Any project ID may own
// objects, as in Nova; only Project reports whether the catalog lists it.
//
// # Objects for the engine
//
// Every object has a UUID and a project; Create* returns it, the getter of
// its kind (Server, Port, Volume, ...; NetworkDetail and SubnetDetail for
// networks and subnets) reads it, and Delete* removes it by ID. Deleting
// or reading a missing object returns an error wrapping cloud.ErrNotFound,
// which an engine deleting a resource can treat as already gone. Returned
// values are copies. The calls an engine resource maps to:
//
//	OS::Nova::Server              CreateServer, UpdateServer, DeleteServer, WaitBooted
//	OS::Nova::ServerGroup         CreateServerGroup, DeleteServerGroup
//	OS::Neutron::Net / Subnet     CreateNetwork, CreateSubnet, DeleteNetwork, DeleteSubnet
//	OS::Neutron::Router           CreateRouter, DeleteRouter
//	OS::Neutron::RouterInterface  AddRouterInterface, RemoveRouterInterface
//	OS::Neutron::Port             CreatePort, UpdatePort, DeletePort
//	OS::Neutron::FloatingIP       AllocateFloatingIP, ReleaseFloatingIP
//	OS::Neutron::FloatingIPAssociation  AssociateFloatingIP, DisassociateFloatingIP
//	OS::Neutron::SecurityGroup(Rule)    CreateSecurityGroup, CreateSecurityGroupRule, Delete...
//	OS::Cinder::Volume            CreateVolume, ExtendVolume, DeleteVolume
//	OS::Cinder::VolumeAttachment  AttachVolume, DetachVolume
//	OS::Octavia::LoadBalancer     CreateLoadBalancer, DeleteLoadBalancer(Cascade)
//	OS::Octavia::Listener / Pool / PoolMember / HealthMonitor  Create... and Delete...
//
// Heat attributes come from the returned structs: a server's first_address
// is Server.FirstAddress, networks is Server.Networks, addresses is
// Server.Addresses; a port's fixed_ips is Port.FixedIPs; a floating IP's
// floating_ip_address is FloatingIP.FloatingIPAddress; a load balancer's
// vip_address and vip_port_id are LoadBalancer.VIPAddress and VIPPortID.
//
// Addresses are handed out in order from each subnet's allocation pools
// (the gateway is kept for the router interface); a full subnet gives an
// error wrapping ErrAddressExhausted. A server's NIC on a network gets a
// new port, deleted with the server; a NIC on an existing port binds it.
// A floating IP can be associated only with a port whose subnet has a
// router with a gateway on the floating IP's network, as in Neutron.
// Deleting a network with ports, a subnet with addresses in use, a router
// with interfaces, a security group in use or an attached volume fails
// with ErrConflict.
//
// # Idempotent creates
//
// A create whose context carries a client token (WithClientToken) makes
// its object once: a later create with the same token returns that
// object, without delay, fault or quota charge, for as long as the object
// exists. The token is stored in the object's own record (in the record
// of the group for a security group rule, of the port for a router
// interface) in the transaction that makes it, so a restarted cloud knows
// it, and goes away with the object. A caller killed between the cloud's
// create and its own record of the object's ID repeats the create with
// the same token and finds the object instead of making a second one.
//
// # Trustees and load-balancer cleanup
//
// CreateTrustee and DeleteTrustee keep one trustee user and trust per
// cluster, persisted like the rest. CleanupLoadBalancers(ctx, clusterUUID)
// deletes, children and VIP floating IPs included, every load balancer
// whose description reads "Kubernetes ... from cluster <uuid>": the ones a
// cluster's cloud provider leaves behind. Tests make such load balancers
// with CreateLoadBalancer(ctx, ProviderLoadBalancerSpec(...)).
//
// # Booting
//
// CreateServer returns an ACTIVE server. Its guest then "boots":
// Server.Boot.DoneAt is the creation time plus Delays.Boot, and
// WaitBooted(ctx, id) blocks until then and reports the outcome: nil, or
// an error wrapping ErrBootFailed. An engine signals a server's
// WaitConditions and SoftwareDeployments when WaitBooted returns nil,
// and fails them when it returns an error. A rebuild (UpdateServer with an
// Image) boots the guest again. Boot times live in the server, so they
// survive a restart.
//
// # The clusters' COE APIs
//
// The addresses of simulated servers and load balancers exist only here,
// so nothing may connect to them. ServeCOEs starts a proxy on a loopback
// port instead: a client that reaches a cluster's API through it (an HTTP
// proxy, CONNECT for https) is answered by the simulation as the COE would
// answer on that port: the Kubernetes API (6443: /healthz, /api/v1/nodes),
// the Docker API of a swarm manager (2375/2376: /_ping, /info, /nodes) and
// the Mesos master (5050: /health, /master/state). The nodes are the
// servers on the network behind the address (COENodes); a node is ready
// while its server is ACTIVE and booted, unless SetNodeReady says it is
// not. TLS tunnels get the server certificate the COETLS callback gives
// for the cluster named as the proxy URL's user, and only clients with a
// certificate of that cluster's CA are answered. magnum hands the proxy
// to the drivers' health checks and puts it in kubeconfigs (proxy-url).
//
// # Quotas
//
// Servers charge instances, cores and RAM; floating IPs floating_ips;
// volumes volumes and gigabytes; load balancers load_balancers. A request
// beyond the quota fails with a *QuotaError (errors.Is ErrQuotaExceeded)
// whose text is the owning service's, e.g. "Quota exceeded for
// instances: Requested 1, but already used 10 of 10 instances". Quotas
// come from the catalog; SetQuota changes one project's at run time.
//
// # Failures and timing
//
// InjectFault arms a Fault matching a kind, an operation, a name pattern
// and a project: EffectNoValidHost ("No valid host was found. There are
// not enough hosts available."), EffectImageNotFound, EffectBootFailure,
// EffectNoSignal (the guest never reports, so a WaitCondition times out)
// and EffectError (any kind, create or delete, with a message of your
// choice). A fault fires Times times, or for ever.
//
// Delays holds a delay per kind for creates and deletes, and the boot
// time; all are zero unless set with WithDelays or SetDelays. Delays run
// on the Clock: a ManualClock lets a test move time by hand.
//
// # Persistence and concurrency
//
// Objects persist one key each ("server/<id>") in the Blobs given to
// WithBlobs; a new Cloud over the same Blobs loads them and rebuilds the
// address pools, relations and usage, so a restart loses nothing. A
// change that writes several records (a server and its ports, a router
// and its gateway port) writes them one at a time, in an order that
// leaves only what the load recognises and mends when a crash comes
// between two of them: ports of devices that do not exist are dropped,
// ports a server lists are bound to it, a volume's status and a
// listener's default pool follow the attachments and pools stored. Every
// call is safe for concurrent use. State changes are short critical
// sections under one lock; delays, faults and the writes to Blobs happen
// outside it, so thousands of concurrent creates do not queue behind
// each other's I/O. Writes of one key are applied in order.
//
// With WithSealer every object is encrypted before it reaches the Blobs,
// bound to its key: servers' user data and trustees' passwords are never
// at rest in clear. Objects stored in clear by a cloud without a sealer
// load as they are and are sealed then.
package sim
