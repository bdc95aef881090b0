package magnum_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/pem"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/builtin"
	"github.com/gomagnum/gomagnum/magnum"
)

// secretsSeen records the secrets the drivers were handed or returned:
// the trustee passwords and the service-account key of every cluster
// stack.
type secretsSeen struct {
	mu                sync.Mutex
	passwords, saKeys []string
}

func (s *secretsSeen) add(password, saKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if password != "" {
		s.passwords = append(s.passwords, password)
	}
	if saKey != "" {
		s.saKeys = append(s.saKeys, saKey)
	}
}

// all returns the secrets seen, after checking that there are both.
func (s *secretsSeen) all(t *testing.T) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.passwords, "a trustee password")
	require.NotEmpty(t, s.saKeys, "a service-account key")
	return append(append([]string(nil), s.passwords...), s.saKeys...)
}

// recordingRegistry wraps the built-in drivers and records the secrets
// of the stacks they return.
type recordingRegistry struct {
	magnum.DriverRegistry
	seen *secretsSeen
}

func (r recordingRegistry) Select(t drivers.Tuple) (drivers.Driver, error) {
	d, err := r.DriverRegistry.Select(t)
	if err != nil {
		return nil, err
	}
	return recordingDriver{Driver: d, seen: r.seen}, nil
}

type recordingDriver struct {
	drivers.Driver
	seen *secretsSeen
}

func (d recordingDriver) ClusterStack(ctx context.Context, c drivers.Cluster) (drivers.Stack, error) {
	st, err := d.Driver.ClusterStack(ctx, c)
	key, _ := st.Parameters["service_account_key_private"].(string)
	d.seen.add(c.Boot.TrusteePassword, key)
	return st, err
}

// needles are the forms a secret could be found in: the value as the
// driver passes it (base64 of a PEM), the PEM, and the DER inside.
func needles(secret string) [][]byte {
	out := [][]byte{[]byte(secret)}
	if p, err := base64.StdEncoding.DecodeString(secret); err == nil {
		out = append(out, p)
		if b, _ := pem.Decode(p); b != nil {
			out = append(out, b.Bytes)
		}
	}
	return out
}

// chunks cuts needles into overlapping 24-byte pieces, so that a secret
// split by the database (a value across two pages) is still found.
func chunks(needles [][]byte) [][]byte {
	const size, step = 24, 8
	var out [][]byte
	for _, n := range needles {
		if len(n) <= size {
			out = append(out, n)
			continue
		}
		for i := 0; i+size <= len(n); i += step {
			out = append(out, n[i:i+size])
		}
	}
	return out
}

var (
	base64Run   = regexp.MustCompile(`[A-Za-z0-9+/]{32,}={0,2}|[A-Za-z0-9_-]{32,}`)
	pemHeader   = []byte("PRIVATE KEY-----")
	gzipMagic   = []byte{0x1f, 0x8b}
	maxDecoding = 3
)

// findSecret reports where in b (or in what b's base64 runs decode to,
// gunzipped when gzip, recursively) a needle or a PEM private key
// header appears.
func findSecret(b []byte, needles [][]byte, depth int) string {
	if bytes.Contains(b, pemHeader) {
		return "a PEM private key header"
	}
	for _, n := range needles {
		if bytes.Contains(b, n) {
			return "the secret"
		}
	}
	if depth == maxDecoding {
		return ""
	}
	for _, run := range base64Run.FindAll(b, -1) {
		for _, dec := range decodings(run) {
			if where := findSecret(dec, needles, depth+1); where != "" {
				return where + " (encoded)"
			}
		}
	}
	return ""
}

// decodings returns what a base64 run decodes to, in either alphabet and
// from each of its first four characters (the run may start inside a
// longer text), gunzipped when it is gzip.
func decodings(run []byte) [][]byte {
	var out [][]byte
	text := strings.TrimRight(string(run), "=")
	for shift := range 4 {
		s := text[shift:]
		s = s[:len(s)-len(s)%4]
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			dec, err := enc.DecodeString(s)
			if err != nil || len(dec) == 0 {
				continue
			}
			if bytes.HasPrefix(dec, gzipMagic) {
				if zr, err := gzip.NewReader(bytes.NewReader(dec)); err == nil {
					if plain, _ := io.ReadAll(zr); len(plain) > 0 {
						dec = plain
					}
				}
			}
			out = append(out, dec)
		}
	}
	return out
}

// scanDataDir checks every file of dir, byte by byte, and the values of
// every table of its SQLite databases, for the secrets.
func scanDataDir(t *testing.T, dir string, secrets []string) {
	t.Helper()
	var all [][]byte
	for _, s := range secrets {
		all = append(all, needles(s)...)
	}
	pieces := chunks(all)
	files, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		require.NoError(t, err)
		if where := findSecret(b, pieces, 0); where != "" {
			t.Errorf("%s holds %s", f.Name(), where)
		}
	}
	for _, name := range []string{"magnum.db", "state.db"} {
		scanDatabase(t, filepath.Join(dir, name), pieces)
	}
}

// scanDatabase reads every value of every table of a SQLite database.
func scanDatabase(t *testing.T, path string, needles [][]byte) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, tables)
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			for i, v := range vals {
				if where := findSecret(v, needles, 0); where != "" {
					t.Errorf("%s: table %s, column %s of the row starting %.80q holds %s", filepath.Base(path), table, cols[i], vals[0], where)
				}
			}
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
}

// checkModes checks that every file of dir is readable by its owner
// only.
func checkModes(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			assert.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), "mode of %s", d.Name())
		}
		return err
	}))
}

// TestSecretsSealedAtRest creates a Kubernetes cluster on the embedded
// defaults and checks that neither its service-account private key nor
// its trustee password is anywhere in the data directory in clear, and
// that every file there is private, whatever the directory's mode and
// the umask.
func TestSecretsSealedAtRest(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.Mkdir(dir, 0o777))
	require.NoError(t, os.Chmod(dir, 0o777))

	reg, err := builtin.Registry(context.Background(), builtin.InProcess)
	require.NoError(t, err)
	seen := &secretsSeen{}
	s := newLiveService(t, magnum.WithDataDir(dir), magnum.WithDrivers(recordingRegistry{DriverRegistry: reg, seen: seen}))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "sealed", ClusterTemplateID: "k8s", NodeCount: ptr(1)})
	waitDone(t, s, demo, id, magnum.CreateComplete)
	secrets := seen.all(t)

	scanDataDir(t, dir, secrets)
	checkModes(t, dir)
	require.NoError(t, s.Close())
	scanDataDir(t, dir, secrets)
	checkModes(t, dir)
}
