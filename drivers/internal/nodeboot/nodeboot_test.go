package nodeboot_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/drivers/internal/nodeboot"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

var boot = nodeboot.Boot{
	Files:      []nodeboot.File{{Path: "/usr/local/bin/run", Mode: 0o755, Data: []byte("#!/bin/sh\necho hi\n")}},
	ClusterEnv: map[string]string{"A": "x y", "B": `it's "quoted" $HOME \n`},
	NodeEnv:    []string{"NODE_NAME", "WAIT_CURL"},
	Command:    "/usr/local/bin/run",
	Units:      map[string]string{"extra.service": "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n"},
}

func TestIgnition(t *testing.T) {
	raw, err := boot.Ignition()
	require.NoError(t, err)
	assert.Equal(t, []string{"__NODE_NAME__", "__WAIT_CURL__"}, stacktest.Placeholders(string(raw)))
	cfg := stacktest.ParseIgnition(t, []byte(stacktest.StrReplace(string(raw), map[string]string{
		"__NODE_NAME__": "n-0", "__WAIT_CURL__": "curl -H 'X-Auth-Token: t' http://h/signal",
	})))
	assert.Equal(t, "#!/bin/sh\necho hi\n", stacktest.IgnitionFile(t, cfg, "/usr/local/bin/run"))
	assert.Equal(t, string(nodeboot.LibScript()), stacktest.IgnitionFile(t, cfg, nodeboot.LibPath))
	assert.Contains(t, stacktest.IgnitionFile(t, cfg, nodeboot.ClusterEnvPath), "A='x y'\n")
	require.Len(t, cfg.Systemd.Units, 2)
	assert.Equal(t, nodeboot.BootstrapUnit, cfg.Systemd.Units[0].Name)
	assert.Contains(t, *cfg.Systemd.Units[0].Contents, "ExecStart=/usr/local/bin/run")
	assert.Contains(t, *cfg.Systemd.Units[0].Dropins[0].Contents, `Environment="WAIT_CURL=curl -H 'X-Auth-Token: t' http://h/signal"`)
	assert.Equal(t, "extra.service", cfg.Systemd.Units[1].Name)
}

func TestCloudConfig(t *testing.T) {
	raw, err := boot.CloudConfig()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(raw), "#cloud-config\n"))
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(stacktest.StrReplace(string(raw), map[string]string{
		"__NODE_NAME__": "n: 0", "__WAIT_CURL__": "curl -H 'X: \"y\"'",
	})), &doc))
	files := doc["write_files"].([]any)
	last := files[len(files)-1].(map[string]any)
	assert.Equal(t, nodeboot.NodeEnvPath, last["path"])
	assert.Equal(t, "NODE_NAME=n: 0\nWAIT_CURL=curl -H 'X: \"y\"'\n", last["content"])
	assert.Equal(t, []any{[]any{"/usr/local/bin/run"}}, doc["runcmd"])
}

func TestBootErrors(t *testing.T) {
	for _, b := range []nodeboot.Boot{
		{NodeEnv: []string{"A"}},
		{Command: "x", NodeEnv: []string{"lower"}},
		{Command: "x", ClusterEnv: map[string]string{"A-B": ""}},
	} {
		_, err := b.Ignition()
		require.Error(t, err)
		_, err = b.CloudConfig()
		require.Error(t, err)
	}
}

// bash runs a script with the shared library sourced.
func bash(t *testing.T, env []string, script string) string {
	t.Helper()
	sh := testenv.Command(t, "bash")
	lib := filepath.Join(t.TempDir(), "lib.sh")
	require.NoError(t, os.WriteFile(lib, nodeboot.LibScript(), 0o644))
	cmd := exec.Command(sh, "-euo", "pipefail", "-c", ". \"$LIB\"\n"+script)
	cmd.Env = append(append(os.Environ(), "LIB="+lib), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

func TestEnvFileRoundTrip(t *testing.T) {
	vars := map[string]string{"A": "plain", "B": `it's "quoted" $HOME \n ` + "`x`", "C": "", "D": "tab\there"}
	file := filepath.Join(t.TempDir(), "env")
	require.NoError(t, os.WriteFile(file, nodeboot.EnvFile(vars), 0o600))
	out := bash(t, []string{"F=" + file}, `. "$F"; printf '%s|%s|%s|%s' "$A" "$B" "$C" "$D"`)
	assert.Equal(t, vars["A"]+"|"+vars["B"]+"||"+vars["D"], out)
}

// FuzzShellQuote checks that any text quoted comes back unchanged from a
// POSIX shell parse of single-quoted words.
func FuzzShellQuote(f *testing.F) {
	for _, s := range []string{"", "a", "it's", "''", `\'`, "$x `y`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := nodeboot.ShellQuote(s)
		got, ok := unquote(q)
		require.True(t, ok, q)
		require.Equal(t, s, got)
	})
}

// unquote parses a word made of '...' runs and \' escapes.
func unquote(q string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(q); {
		switch {
		case q[i] == '\'':
			j := strings.IndexByte(q[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			b.WriteString(q[i+1 : i+1+j])
			i += j + 2
		case strings.HasPrefix(q[i:], `\'`):
			b.WriteByte('\'')
			i += 2
		default:
			return "", false
		}
	}
	return b.String(), true
}

func TestSaveLoadEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.env")
	out := bash(t, []string{"F=" + file, "WAIT_CURL=curl -H 'X-Auth-Token: a=b' http://h", "NODE_NAME=n-1"},
		`magnum_save_env "$F" WAIT_CURL NODE_NAME EMPTY; unset WAIT_CURL NODE_NAME; magnum_load_env "$F"; printf '%s|%s|%s' "$WAIT_CURL" "$NODE_NAME" "${EMPTY-unset}"`)
	assert.Equal(t, "curl -H 'X-Auth-Token: a=b' http://h|n-1|", out)
}

func TestSignal(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "fakecurl")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/bash\nprintf '%s\\n' \"$@\" >\"$OUT\"\n"), 0o755))
	out := filepath.Join(dir, "args")
	bash(t, []string{"OUT=" + out, "WAIT_CURL=" + fake + " -i -X POST -H 'X-Auth-Token: tok en' http://heat/signal"},
		`magnum_signal SUCCESS 'node "n" joined'`)
	args, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(args)), "\n")
	assert.Equal(t, []string{"-i", "-X", "POST", "-H", "X-Auth-Token: tok en", "http://heat/signal"}, lines[:6])
	var data map[string]string
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &data))
	assert.Equal(t, "SUCCESS", data["status"])
	assert.Equal(t, `node "n" joined`, data["reason"])
}

// TestSign runs magnum_sign with the real openssl and curl against a fake
// Keystone and Magnum: the node makes its key and CSR, authenticates as
// the trustee with the trust, and stores the certificate the service
// signed.
func TestSign(t *testing.T) {
	testenv.Command(t, "openssl")
	testenv.Command(t, "curl")
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)

	var csr *x509.CertificateRequest
	var auth map[string]any
	var caType string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, json.NewDecoder(r.Body).Decode(&auth))
		w.Header().Set("X-Subject-Token", "tok-123")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"token":{}}`))
	})
	mux.HandleFunc("POST /v1/certificates", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "tok-123" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var body struct{ ClusterUUID, CSR, CACertType string }
		require.NoError(t, json.NewDecoder(r.Body).Decode(&struct {
			ClusterUUID *string `json:"cluster_uuid"`
			CSR         *string `json:"csr"`
			CACertType  *string `json:"ca_cert_type"`
		}{&body.ClusterUUID, &body.CSR, &body.CACertType}))
		caType = body.CACertType
		block, _ := pem.Decode([]byte(body.CSR))
		require.NotNil(t, block, body.CSR)
		var err error
		csr, err = x509.ParseCertificateRequest(block.Bytes)
		require.NoError(t, err)
		require.NoError(t, csr.CheckSignature())
		der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: csr.Subject,
			NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IPAddresses: csr.IPAddresses, DNSNames: csr.DNSNames},
			ca, csr.PublicKey, caKey)
		require.NoError(t, err)
		out, _ := json.Marshal(map[string]string{"cluster_uuid": body.ClusterUUID,
			"pem": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))})
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(out)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	bash(t, []string{"MAGNUM_CERT_DIR=" + dir, "AUTH_URL=" + srv.URL + "/v3", "MAGNUM_URL=" + srv.URL + "/v1",
		"CLUSTER_UUID=c-1", "TRUSTEE_USER_ID=u-1", `TRUSTEE_PASSWORD=p"w'd`, "TRUST_ID=tr-1"},
		`magnum_sign kubelet etcd "/O=system:nodes/CN=system:node:n-1" clientAuth,serverAuth "IP:10.0.0.5,DNS:n-1"`)
	crtPEM, err := os.ReadFile(filepath.Join(dir, "kubelet.crt"))
	require.NoError(t, err)
	block, _ := pem.Decode(crtPEM)
	require.NotNil(t, block)
	crt, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	require.NoError(t, crt.CheckSignatureFrom(ca))
	assert.Equal(t, "system:node:n-1", crt.Subject.CommonName)
	assert.Equal(t, []string{"system:nodes"}, csr.Subject.Organization)
	assert.Equal(t, []string{"n-1"}, csr.DNSNames)
	assert.Equal(t, "10.0.0.5", csr.IPAddresses[0].String())
	assert.Equal(t, "etcd", caType)
	user := auth["auth"].(map[string]any)["identity"].(map[string]any)["password"].(map[string]any)["user"].(map[string]any)
	assert.Equal(t, `p"w'd`, user["password"])
	assert.Equal(t, "tr-1", auth["auth"].(map[string]any)["scope"].(map[string]any)["OS-TRUST:trust"].(map[string]any)["id"])
	info, err := os.Stat(filepath.Join(dir, "kubelet.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestShellcheck(t *testing.T) {
	stacktest.Shellcheck(t, "scripts/magnum-node.sh")
}
