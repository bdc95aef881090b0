package certs_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/gomagnum/gomagnum/certs"
)

// exampleManager builds a Manager the way the service does: keys sealed in
// the database under a key from configuration.
func exampleManager() *certs.Manager {
	// In configuration: echo "k1:$(head -c 32 /dev/urandom | base64)"
	key, err := certs.ParseEncryptionKey("k1:q1fVWd1dYlS7aHfDkf0n3m6v3UeX0wXjQzF7Pp0n3bE=")
	if err != nil {
		log.Fatal(err)
	}
	ring, err := certs.NewKeyring(key)
	if err != nil {
		log.Fatal(err)
	}
	store, err := certs.NewBlobStore(&certs.MemoryBlobs{}, ring) // the service passes its database
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(store,
		certs.WithKeyType(certs.ECDSAP256),
		certs.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		log.Fatal(err)
	}
	return m
}

// userCSR makes the CSR a user would send, for subject cn and orgs.
func userCSR(cn string, orgs ...string) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn, Organization: orgs},
	}, key)
	if err != nil {
		log.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// subjectOf returns the subject of a PEM certificate.
func subjectOf(certPEM []byte) string {
	block, _ := pem.Decode(certPEM)
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	return c.Subject.String()
}

func ExampleManager_IssueCluster() {
	m := exampleManager()
	b, err := m.IssueCluster(context.Background(), certs.ClusterInfo{
		UUID: "5d12f6fd-a196-4bf0-ae4c-1f639a523a52",
		Name: "k8s-prod",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("generation:", b.Generation)
	fmt.Println("cluster CA:", subjectOf(b.CA.PEM))
	fmt.Println("etcd CA:", subjectOf(b.EtcdCA.PEM))
	fmt.Println("admin:", subjectOf(b.Admin.PEM))
	// Output:
	// generation: 1
	// cluster CA: CN=k8s-prod,OU=kubernetes
	// etcd CA: CN=k8s-prod,OU=etcd
	// admin: CN=admin,O=system:masters
}

func ExampleManager_SignCSR() {
	ctx := context.Background()
	m := exampleManager()
	const cluster = "5d12f6fd-a196-4bf0-ae4c-1f639a523a52"
	if _, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: cluster}); err != nil {
		log.Fatal(err)
	}
	alice := certs.Requester{UserID: "8e1c0a", UserName: "alice", Role: certs.RoleUser}

	// ca_cert_type as the REST API receives it.
	certPEM, err := m.SignCSR(ctx, cluster, certs.ParseCAKind(""), userCSR("alice"), alice)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed:", subjectOf(certPEM))

	_, err = m.SignCSR(ctx, cluster, certs.Kubernetes, userCSR("admin", "system:masters"), alice)
	fmt.Println("forbidden:", errors.Is(err, certs.ErrSubjectForbidden))
	// Output:
	// signed: CN=alice
	// forbidden: true
}

func ExampleManager_Rotate() {
	ctx := context.Background()
	m := exampleManager()
	const cluster = "5d12f6fd-a196-4bf0-ae4c-1f639a523a52"
	if _, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: cluster}); err != nil {
		log.Fatal(err)
	}
	b, err := m.Rotate(ctx, cluster)
	if err != nil {
		log.Fatal(err)
	}
	bundle, _ := m.CABundle(ctx, cluster, certs.Kubernetes)
	fmt.Println("generation:", b.Generation, "CAs trusted:", pemCount(bundle))

	// ... the cluster's nodes move to the new CAs, then:
	if err := m.FinishRotation(ctx, cluster); err != nil {
		log.Fatal(err)
	}
	bundle, _ = m.CABundle(ctx, cluster, certs.Kubernetes)
	fmt.Println("CAs trusted:", pemCount(bundle))
	// Output:
	// generation: 2 CAs trusted: 2
	// CAs trusted: 1
}

func ExampleManager_AdminCredentials() {
	ctx := context.Background()
	m := exampleManager()
	const cluster = "5d12f6fd-a196-4bf0-ae4c-1f639a523a52"
	if _, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: cluster}); err != nil {
		log.Fatal(err)
	}
	creds, err := m.AdminCredentials(ctx, cluster)
	if err != nil {
		log.Fatal(err)
	}
	// The key is for tls.X509KeyPair(creds.Cert, []byte(creds.Key)); it
	// never prints nor marshals.
	fmt.Println(subjectOf(creds.Cert), creds.Key)
	// Output: CN=admin,O=system:masters [redacted]
}

func ExampleNewDirStore() {
	dir, err := os.MkdirTemp("", "certs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := certs.NewDirStore(dir)
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(store, certs.WithKeyType(certs.ECDSAP256), certs.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: "c1"}); err != nil {
		log.Fatal(err)
	}
	if err := m.Delete(ctx, "c1"); err != nil {
		log.Fatal(err)
	}
	left, _ := os.ReadDir(dir)
	fmt.Println("files left:", len(left))
	// Output: files left: 0
}
