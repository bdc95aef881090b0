package drivertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"maps"
	"math/big"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
)

// The names of the simulated cloud's catalog (sim.DefaultCatalog) the
// representative clusters use, so their stacks can be created there.
const (
	flavor          = "m1.small"
	keypair         = "default"
	externalNetwork = "public"
	fixedNetwork    = "private"
	fixedSubnet     = "private-subnet"
	// unreachableAPI is an address nothing listens on.
	unreachableAPI = "https://127.0.0.1:1"
)

// imageFor names the image the suite adds to the simulated catalog for a
// tuple's os_distro.
func imageFor(t drivers.Tuple) string { return "drivertest-" + t.OSDistro }

// Node group UUIDs of the representative cluster.
const (
	masterUUID = "4f9a1b7e-2c0d-4e55-8a61-0b3c6d7e8f90"
	workerUUID = "a3c5e7f9-1b2d-4f60-9e8a-7c6b5d4e3f21"
	extraUUID  = "c8e1f2a3-b4c5-4d6e-8f70-9a0b1c2d3e4f"
)

// representativeTemplate is a cluster template a driver of the tuple must
// accept, before the suite's options adjust it.
func representativeTemplate(t drivers.Tuple, info drivers.Info) drivers.Template {
	tmpl := drivers.Template{
		UUID:              "0e4c2a8b-6d1f-4b3a-9c5e-7f8a9b0c1d2e",
		Name:              "drivertest-template",
		COE:               t.COE,
		ServerType:        t.ServerType,
		ClusterDistro:     t.OSDistro,
		ImageID:           imageFor(t),
		FlavorID:          flavor,
		MasterFlavorID:    flavor,
		KeypairID:         keypair,
		ExternalNetworkID: externalNetwork,
		DNSNameserver:     "8.8.8.8",
		FloatingIPEnabled: true,
		Labels:            map[string]string{},
	}
	if len(info.NetworkDrivers) > 0 {
		tmpl.NetworkDriver = info.NetworkDrivers[0]
	}
	if len(info.VolumeDrivers) > 0 {
		tmpl.VolumeDriver = info.VolumeDrivers[0]
	}
	return tmpl
}

// representativeCluster is a cluster of one master and two workers on the
// template, as the service hands it to a driver before its stack exists.
func representativeCluster(tmpl drivers.Template, ca *authority) drivers.Cluster {
	group := func(uuid, name, role string, count int) drivers.NodeGroup {
		return drivers.NodeGroup{
			UUID: uuid, Name: name, Role: role, IsDefault: true, FlavorID: flavor, ImageID: tmpl.ImageID,
			NodeCount: count, MinNodeCount: 0, Labels: maps.Clone(tmpl.Labels),
		}
	}
	return drivers.Cluster{
		UUID:              "7b1e3d5f-9a2c-4e6b-8d0f-1a3c5e7b9d2f",
		Name:              "drivertest",
		ProjectID:         sim.DemoProjectID,
		UserID:            sim.DemoUserID,
		Template:          tmpl,
		Keypair:           keypair,
		FlavorID:          flavor,
		MasterFlavorID:    flavor,
		FloatingIPEnabled: tmpl.FloatingIPEnabled,
		MasterLBEnabled:   tmpl.MasterLBEnabled,
		Labels:            maps.Clone(tmpl.Labels),
		CreateTimeout:     60,
		NodeGroups: []drivers.NodeGroup{
			group(masterUUID, "default-master", "master", 1),
			group(workerUUID, "default-worker", "worker", 2),
		},
		Boot: drivers.Boot{
			MagnumURL:         "http://127.0.0.1:9511/v1",
			AuthURL:           "http://127.0.0.1:5000/v3",
			TrusteeUserID:     "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6",
			TrusteeUserName:   "7b1e3d5f-9a2c-4e6b-8d0f-1a3c5e7b9d2f_trustee",
			TrusteePassword:   "drivertest-trustee-password",
			TrusteeDomainID:   "2a05d1538af540b0967a94921e04aeb2",
			TrustID:           "e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0",
			CACert:            string(ca.certPEM),
			EtcdCACert:        string(ca.certPEM),
			FrontProxyCACert:  string(ca.certPEM),
			SSHPublicKey:      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOhZInfHoHq2adWoCcUdcHIvTaHvR7myDuA7whpYqE7 demo@gomagnum",
			ExternalNetworkID: externalNetwork,
		},
	}
}

// authority is a throw-away cluster CA and a client certificate it signed.
type authority struct {
	certPEM   []byte
	clientPEM []byte
	keyPEM    []byte
}

func newAuthority(t *testing.T) *authority {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("drivertest: CA key: %v", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "drivertest CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatalf("drivertest: CA certificate: %v", err)
	}
	clientKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("drivertest: client key: %v", err)
	}
	clientTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "admin", Organization: []string{"system:masters"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	clientDER, err := x509.CreateCertificate(rand.Reader, clientTmpl, caTmpl, &clientKey.PublicKey, caKey)
	if err != nil {
		t.Fatalf("drivertest: client certificate: %v", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(clientKey)
	if err != nil {
		t.Fatalf("drivertest: client key: %v", err)
	}
	return &authority{
		certPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		clientPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: clientDER}),
		keyPEM:    pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
}

func (a *authority) credentials() drivers.Credentials {
	return drivers.Credentials{CACert: a.certPEM, ClientCert: a.clientPEM, ClientKey: a.keyPEM}
}
