package certs_test

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"

	"github.com/gomagnum/gomagnum/certs"
)

// secretMethods are the Manager methods whose results may carry a private
// key, for the service's own use. Every other method's results are public.
var secretMethods = []string{"AdminCredentials", "IssueServerCert"}

// keyNeedles returns what would betray a private key in clear: the PEM
// label, and for every key in store its DER, the base64 of that DER (JSON
// encodes []byte as base64) and a line of its PEM body.
func keyNeedles(t *testing.T, store certs.Store, extra ...certs.SecretPEM) [][]byte {
	t.Helper()
	ctx := context.Background()
	names, err := store.List(ctx, clusterID)
	require.NoError(t, err)
	require.NotEmpty(t, names)
	pems := slices.Clone(extra)
	for _, n := range names {
		e, err := store.Get(ctx, clusterID, n)
		require.NoError(t, err)
		pems = append(pems, e.Key)
	}
	needles := [][]byte{[]byte("PRIVATE KEY")}
	for _, p := range pems {
		block, _ := pem.Decode(p)
		require.NotNil(t, block)
		_, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		require.NoError(t, err, "the needle is a real key")
		needles = append(needles, block.Bytes, []byte(base64.StdEncoding.EncodeToString(block.Bytes)),
			bytes.Split(p, []byte("\n"))[1]) // a line of the PEM body, as JSON would keep it
	}
	return needles
}

// requireNoNeedle fails when any needle occurs in hay.
func requireNoNeedle(t *testing.T, what string, hay []byte, needles [][]byte) {
	t.Helper()
	for i, n := range needles {
		require.False(t, bytes.Contains(hay, n), "%s holds needle %d (%.20q...)", what, i, n)
	}
}

// bytesIn collects every string and byte slice reachable from v.
func bytesIn(v reflect.Value, out *[][]byte) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, []byte(v.String()))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			*out = append(*out, v.Bytes())
			return
		}
		for i := range v.Len() {
			bytesIn(v.Index(i), out)
		}
	case reflect.Array:
		for i := range v.Len() {
			bytesIn(v.Index(i), out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			bytesIn(v.Field(i), out)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			bytesIn(v.Elem(), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			bytesIn(k, out)
			bytesIn(v.MapIndex(k), out)
		}
	}
}

// reaches reports whether type t can hold a value of type target.
func reaches(t, target reflect.Type, seen map[reflect.Type]bool) bool {
	if t == target {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return reaches(t.Elem(), target, seen)
	case reflect.Map:
		return reaches(t.Key(), target, seen) || reaches(t.Elem(), target, seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if reaches(t.Field(i).Type, target, seen) {
				return true
			}
		}
	case reflect.Interface:
		return true
	}
	return false
}

// TestResultsNeverHoldPrivateKeys proves the service-internal boundary:
// statically, only the secretMethods have result types that can hold a
// SecretPEM; dynamically, calling every method of the Manager returns no
// private key except from the secretMethods, whose keys are SecretPEM.
func TestResultsNeverHoldPrivateKeys(t *testing.T) {
	ctx := context.Background()
	blobs := &certs.MemoryBlobs{}
	store := storeOver(t, blobs)
	m, err := certs.New(store, certs.WithKeyType(certs.ECDSAP256), certs.WithLogger(quiet))
	require.NoError(t, err)
	csr := newCSR(t, ecKey(t, elliptic.P256()), subj("alice"))

	// Every exported method, called the way a caller would. A new method
	// fails this test until it is added here.
	calls := map[string]func() []any{
		"IssueCluster": func() []any { return results(m.IssueCluster(ctx, certs.ClusterInfo{UUID: clusterID})) },
		"CACert":       func() []any { return results(m.CACert(ctx, clusterID, certs.Etcd)) },
		"CABundle":     func() []any { return results(m.CABundle(ctx, clusterID, certs.Kubernetes)) },
		"CABundles":    func() []any { return results(m.CABundles(ctx, clusterID)) },
		"SignCSR":      func() []any { return results(m.SignCSR(ctx, clusterID, "", csr, user)) },
		"Rotate":       func() []any { return results(m.Rotate(ctx, clusterID)) },
		"FinishRotation": func() []any {
			return []any{m.FinishRotation(ctx, clusterID)}
		},
		"AdminCredentials": func() []any { return results(m.AdminCredentials(ctx, clusterID)) },
		"IssueServerCert": func() []any {
			return results(m.IssueServerCert(ctx, clusterID, certs.ServerCertRequest{SANs: []string{"10.0.0.1"}}))
		},
		"Delete": func() []any { return []any{m.Delete(ctx, clusterID)} },
	}
	mt := reflect.TypeFor[*certs.Manager]()
	secretType := reflect.TypeFor[certs.SecretPEM]()
	for i := range mt.NumMethod() {
		meth := mt.Method(i)
		require.Contains(t, calls, meth.Name, "classify new method %s in this test", meth.Name)
		canHold := false
		for j := range meth.Type.NumOut() {
			if out := meth.Type.Out(j); out != reflect.TypeFor[error]() {
				canHold = canHold || reaches(out, secretType, map[reflect.Type]bool{})
			}
		}
		assert.Equal(t, slices.Contains(secretMethods, meth.Name), canHold, "%s: result types and the boundary disagree", meth.Name)
	}

	// Run them in an order that leaves material everywhere (a rotation in
	// progress), then scan every result for every key.
	order := []string{"IssueCluster", "SignCSR", "Rotate", "IssueCluster", "CACert", "CABundle", "SignCSR",
		"AdminCredentials", "IssueServerCert", "FinishRotation", "Rotate"}
	var public, secret []any
	for _, name := range order {
		res := calls[name]()
		require.NoError(t, lastErr(res), name)
		if slices.Contains(secretMethods, name) {
			secret = append(secret, res...)
		} else {
			public = append(public, res...)
		}
	}
	var keys []certs.SecretPEM
	for _, r := range secret {
		switch v := r.(type) {
		case certs.Credentials:
			keys = append(keys, v.Key)
		case certs.ServerCert:
			keys = append(keys, v.Key)
		}
	}
	require.Len(t, keys, 2)
	needles := keyNeedles(t, store, keys...)
	require.Greater(t, len(needles), 20, "keys of two generations plus the server key")

	var hay [][]byte
	for _, r := range public {
		bytesIn(reflect.ValueOf(r), &hay)
	}
	require.NotEmpty(t, hay)
	for i, h := range hay {
		requireNoNeedle(t, fmt.Sprintf("public result %d", i), h, needles)
	}
	// Control: the same scan finds the keys in the secret results.
	var secretHay [][]byte
	for _, r := range secret {
		bytesIn(reflect.ValueOf(r), &secretHay)
	}
	assert.True(t, slices.ContainsFunc(secretHay, func(h []byte) bool { return bytes.Contains(h, []byte("PRIVATE KEY")) }))

	// The secret results cannot leak through a log line or a response body.
	for _, r := range secret {
		if _, isErr := r.(error); isErr || r == nil {
			continue
		}
		var logged bytes.Buffer
		slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "result", r)
		slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "result", r)
		for _, text := range []string{fmt.Sprint(r), fmt.Sprintf("%v %+v %#v %s %q %x", r, r, r, r, r, r), logged.String()} {
			requireNoNeedle(t, "formatted secret result", []byte(text), needles)
		}
		_, err := json.Marshal(r)
		require.Error(t, err, "JSON of %T", r)
		_, err = yaml.Marshal(r)
		require.Error(t, err, "YAML of %T", r)
	}

	require.NoError(t, lastErr(calls["Delete"]()))
	all, err := blobs.List(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, all)
}

// results packs a call's results.
func results[T any](v T, err error) []any { return []any{v, err} }

// lastErr returns the error among a call's results.
func lastErr(res []any) error {
	err, _ := res[len(res)-1].(error)
	return err
}

// sqliteBlobs is Blobs in an SQLite file, as the service database keeps it.
type sqliteBlobs struct{ db *sql.DB }

func openSQLiteBlobs(t *testing.T, path string) *sqliteBlobs {
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	db.SetMaxOpenConns(1) // one writer, as the service's SQLite store has
	_, err = db.Exec(`CREATE TABLE IF NOT EXISTS blobs (k TEXT PRIMARY KEY, v BLOB NOT NULL)`)
	require.NoError(t, err)
	return &sqliteBlobs{db: db}
}

func (s *sqliteBlobs) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, `SELECT v FROM blobs WHERE k = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", key, fs.ErrNotExist)
	}
	return v, err
}

func (s *sqliteBlobs) Put(ctx context.Context, key string, value []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO blobs (k, v) VALUES (?, ?)`, key, value)
	return err
}

func (s *sqliteBlobs) Delete(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM blobs WHERE k = ?`, key)
	return err
}

func (s *sqliteBlobs) List(ctx context.Context, prefix string) (map[string][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT k, v FROM blobs WHERE substr(k, 1, ?) = ?`, len(prefix), prefix)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var k string
		var v []byte
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// TestDatabaseHoldsNoPlaintextKey stores a cluster's material in an SQLite
// file through the BlobStore and scans the file's bytes for the keys.
func TestDatabaseHoldsNoPlaintextKey(t *testing.T) {
	for _, kt := range []certs.KeyType{certs.RSA2048, certs.ECDSAP256} {
		t.Run(kt.String(), func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "gomagnum.db")
			blobs := openSQLiteBlobs(t, path)
			store, err := certs.NewBlobStore(blobs, testRing(t))
			require.NoError(t, err)
			m, err := certs.New(store, certs.WithKeyType(kt), certs.WithLogger(quiet))
			require.NoError(t, err)
			b, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: clusterID})
			require.NoError(t, err)
			_, err = m.Rotate(ctx, clusterID)
			require.NoError(t, err)
			needles := keyNeedles(t, store)
			admin, err := store.Get(ctx, clusterID, "g1.admin")
			require.NoError(t, err)
			require.NoError(t, blobs.db.Close())

			raw := readDatabase(t, path)
			require.True(t, bytes.Contains(raw, bytes.Split(b.CA.PEM, []byte("\n"))[1]),
				"control: the scan sees the certificates in the file")
			requireNoNeedle(t, "database file", raw, needles)

			// Control: a key stored in clear is found by the same scan.
			blobs = openSQLiteBlobs(t, path)
			require.NoError(t, blobs.Put(ctx, "clear", admin.Key))
			require.NoError(t, blobs.db.Close())
			assert.True(t, bytes.Contains(readDatabase(t, path), needles[0]))
		})
	}
}

// readDatabase returns the bytes of an SQLite database and its journals.
func readDatabase(t *testing.T, path string) []byte {
	files, err := filepath.Glob(path + "*")
	require.NoError(t, err)
	var raw []byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		raw = append(raw, data...)
	}
	return raw
}
