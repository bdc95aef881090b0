package ui

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
)

// clusterConfig downloads what `openstack coe cluster config` writes: a
// new key and a client certificate the cluster's CA signs for the caller,
// rendered by the driver (a kubeconfig for Kubernetes), as a zip file.
// The key is made for this download and kept nowhere.
func (h *Handler) clusterConfig(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	c, err := h.svc.GetCluster(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	certPEM, keyPEM, err := h.clientCertificate(r, s, c.UUID)
	var cfg *drivers.ClientConfig
	if err == nil {
		cfg, err = h.svc.ClientConfig(ctx, c.UUID, certPEM, keyPEM)
	}
	var body []byte
	if err == nil {
		body, err = zipConfig(cfg)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-config.zip"`, fileName(c.Name)))
	_, _ = w.Write(body)
}

// clientCertificate makes a key and has the cluster's CA sign a
// certificate for the caller.
func (h *Handler) clientCertificate(r *http.Request, s *session, cluster string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	name := s.caller.UserName
	if name == "" {
		name = s.caller.UserID
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: name}}, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := h.svc.SignCertificate(r.Context(), cluster, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})), "")
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return []byte(cert.PEM), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// zipConfig packs a client configuration's files, and its environment
// variables as a shell file "env", into a zip file.
func zipConfig(cfg *drivers.ClientConfig) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := maps.Clone(cfg.Files)
	if len(cfg.Env) > 0 {
		if files == nil {
			files = map[string][]byte{}
		}
		var env strings.Builder
		for _, k := range slices.Sorted(maps.Keys(cfg.Env)) {
			fmt.Fprintf(&env, "export %s=%s\n", k, shellQuote(cfg.Env[k]))
		}
		files["env"] = []byte(env.String())
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: fileName(name), Method: zip.Deflate})
		if err == nil {
			_, err = f.Write(files[name])
		}
		if err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// shellQuote quotes a value for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// fileName keeps the characters of a name that are safe in a file name
// and a header.
func fileName(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
	out = strings.TrimLeft(out, ".")
	if out == "" {
		return "cluster"
	}
	return out[:min(len(out), 100)]
}
