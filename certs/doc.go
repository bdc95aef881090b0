// Package certs issues and keeps the certificates of container clusters:
// per-cluster certificate authorities, the COE's own certificates, client
// certificates signed from users' and nodes' certificate signing requests
// (CSRs), CA rotation, and the stores that hold the private keys.
//
// # What a cluster holds
//
// Manager.IssueCluster creates, as Magnum does, three self-signed CAs —
// the cluster CA ("kubernetes", used for every COE), the etcd CA and the
// front-proxy CA — and an admin client certificate (CN=admin,
// O=system:masters) signed by the cluster CA. Keys are RSA-2048 by default
// (WithKeyType(ECDSAP256) for P-256); CAs are valid 1825 days by default
// (WithCAValidity). Unlike Magnum, each CA carries its kind in its subject
// (OU) and subject/authority key identifiers, so chains build unambiguously
// even while old and new CAs of the same cluster coexist.
//
// # Who may get which certificate (SignCSR)
//
// Every CSR is first checked on its own: it must be one PEM "CERTIFICATE
// REQUEST" of at most MaxCSRSize bytes; its signature must verify (proof
// that the sender holds the key); its key must be RSA of MinRSABits to 8192
// bits, ECDSA on P-256, P-384 or P-521, or Ed25519; it must not ask for
// basicConstraints CA:true nor the keyCertSign/cRLSign usages; its key
// usages may only be digitalSignature, contentCommitment and
// keyEncipherment, and its extended key usages only clientAuth; an unknown
// critical extension is refused. Only the CSR's public key, common name
// (CN) and organisations (O, which Kubernetes reads as groups) are used: the
// issued certificate is always a client certificate (CA:false, clientAuth),
// without SANs, valid for at most WithMaxCertValidity (one year by default)
// and never past its CA's expiry.
//
// Then the subject must suit the Requester. CN and every O must be
// non-empty, printable UTF-8 of at most 64 characters, with at most 16
// organisations; beyond that:
//
//   - RoleAdmin (a cloud administrator) may ask for any subject from any of
//     the three CAs, O=system:masters included.
//   - RoleClusterNode (the cluster's trustee user, i.e. its nodes) may ask
//     the cluster CA for a kubelet identity, CN=system:node:<name> with
//     exactly O=system:nodes, or for CN=system:kube-proxy,
//     system:kube-controller-manager or system:kube-scheduler without any O;
//     the front-proxy CA for CN=front-proxy-client only (the name the API
//     server's --requestheader-allowed-names should list); and the etcd CA
//     for any client identity. Never O=system:masters. The trustee's
//     credentials sit on every node, so this is what a node may hold.
//   - RoleUser (any other caller the service's policy lets sign, in Magnum
//     the cluster's creator) may ask only the cluster CA, only for a CN
//     equal to their own Keystone user name or user ID (never one in the
//     reserved "system:" namespace), and only for organisations listed with
//     WithUserGroups (empty by default; "system:" groups cannot be listed).
//     So a user never gets O=system:masters, nor another user's or a node's
//     identity, nor an etcd or front-proxy certificate (either would give
//     them every secret of the cluster).
//
// A user's access is then granted inside the cluster by RBAC on their user
// name or on an allowed group, which the cluster can revoke; system:masters
// bypasses RBAC and cannot be revoked, which is why it stays with admins.
// Note that python-magnumclient's "coe cluster config" asks for
// CN=admin, O=system:masters, so for non-admins it is refused with
// ErrSubjectForbidden: they generate their own CSR with their user name.
//
// Each refusal wraps ErrCSRRejected and one of ErrMalformedCSR,
// ErrBadSignature, ErrCARequested, ErrKeyUsage, ErrWeakKey,
// ErrUnsupportedKey, ErrUnsupportedExtension or ErrSubjectForbidden. A REST
// layer would answer ErrSubjectForbidden with 403, the other CSR errors
// with 400 and ErrNotFound with 404.
//
// # Where private keys go: the service-internal boundary
//
// Private keys are generated here and handed only to the Store. Every
// result of the Manager is public material — Bundle, Cert, CA PEMs, signed
// certificates — with exactly two exceptions, marked SERVICE-INTERNAL:
// IssueServerCert (a COE server's certificate and key, which the service
// passes to the cluster) and AdminCredentials (the admin certificate and
// key, with which the service reaches the COE and renders a kubeconfig for
// cloud admins). Their keys are typed SecretPEM, which prints as
// "[redacted]" and refuses to marshal to JSON, text or YAML, so a REST
// handler that serialises one by mistake fails instead of leaking it.
//
// # Rotation
//
// Rotate issues a new generation (three CAs and an admin certificate) and
// keeps the previous one as superseded: CACert and SignCSR use the new CAs,
// CABundle returns new and old together so that the cluster's components
// trust both during the transition, and AdminCredentials returns the new
// admin certificate with that bundle (the service regenerates client
// configurations from it). FinishRotation deletes the superseded
// generation once the cluster has moved. Delete frees every entry of a
// cluster, of every generation. Magnum leaks two of the four certificates
// on delete and all of them on rotation; this package leaks none.
//
// State lives in the Store alone (see generation.go), so a Manager can be
// restarted at any time. A Manager serialises the operations on one
// cluster; several service replicas must hold the conductor's per-cluster
// lock around IssueCluster, Rotate, FinishRotation and Delete.
//
// # Stores
//
//   - BlobStore keeps entries in the service database through the Blobs
//     interface, private keys sealed with AES-256-GCM by a Keyring: the
//     primary key encrypts, every key decrypts, Reencrypt moves all entries
//     to the primary key. Keys come from configuration as "<id>:<base64>"
//     (ParseEncryptionKey). MemoryBlobs is an in-memory Blobs for tests.
//   - DirStore keeps files in a local directory (0600 files, 0700
//     directories), keys in clear.
//   - certs/barbican keeps each entry as a Barbican certificate container
//     holding a certificate secret and a private_key secret.
package certs
