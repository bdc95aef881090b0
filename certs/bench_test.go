package certs

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"strconv"
	"testing"
	"time"
)

var benchKeyTypes = []KeyType{RSA2048, ECDSAP256}

// BenchmarkNewCA measures generating one CA: key pair and self-signed
// certificate.
func BenchmarkNewCA(b *testing.B) {
	for _, kt := range benchKeyTypes {
		b.Run(kt.String(), func(b *testing.B) {
			now := time.Now()
			for b.Loop() {
				if _, _, err := newAuthority(kt, pkix.Name{CommonName: "bench"}, now, DefaultCAValidity); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIssueCluster measures IssueCluster: three CAs and the admin
// certificate, stored in a BlobStore in memory.
func BenchmarkIssueCluster(b *testing.B) {
	for _, kt := range benchKeyTypes {
		b.Run(kt.String(), func(b *testing.B) {
			m := benchManager(b, kt)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				if _, err := m.IssueCluster(ctx, ClusterInfo{UUID: "c-" + strconv.Itoa(i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignCSR measures SignCSR end to end: parse and verify a CSR of
// the CA's key type, check it, read and decrypt the CA key, sign.
func BenchmarkSignCSR(b *testing.B) {
	for _, kt := range benchKeyTypes {
		b.Run(kt.String(), func(b *testing.B) {
			m := benchManager(b, kt)
			ctx := context.Background()
			if _, err := m.IssueCluster(ctx, ClusterInfo{UUID: "bench"}); err != nil {
				b.Fatal(err)
			}
			key, err := kt.generate()
			if err != nil {
				b.Fatal(err)
			}
			der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "alice"}}, key)
			if err != nil {
				b.Fatal(err)
			}
			csr := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
			who := Requester{UserName: "alice", Role: RoleUser}
			for b.Loop() {
				if _, err := m.SignCSR(ctx, "bench", Kubernetes, csr, who); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchManager returns a quiet Manager over an encrypted in-memory store.
func benchManager(b *testing.B, kt KeyType) *Manager {
	ring, err := NewKeyring(EncryptionKey{ID: "k1", Secret: make([]byte, KeySize)})
	if err != nil {
		b.Fatal(err)
	}
	store, err := NewBlobStore(&MemoryBlobs{}, ring)
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(store, WithKeyType(kt), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	return m
}
