package certs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeyringSealOpen(t *testing.T) {
	k1 := EncryptionKey{ID: "k1", Secret: make([]byte, KeySize)}
	k2 := EncryptionKey{ID: "k2", Secret: append(make([]byte, KeySize-1), 1)}
	old, err := NewKeyring(k1)
	require.NoError(t, err)
	text, err := old.Seal([]byte("s3cret"), []byte("cluster/a"))
	require.NoError(t, err)
	require.NotContains(t, text, "s3cret")

	rotated, err := NewKeyring(k2, k1)
	require.NoError(t, err)
	plain, err := rotated.Open(text, []byte("cluster/a"))
	require.NoError(t, err)
	require.Equal(t, "s3cret", string(plain))

	_, err = rotated.Open(text, []byte("cluster/b"))
	require.ErrorIs(t, err, ErrDecrypt, "a value moved elsewhere does not open")
	_, err = rotated.Open("!!", nil)
	require.ErrorIs(t, err, ErrDecrypt)
	only2, err := NewKeyring(k2)
	require.NoError(t, err)
	_, err = only2.Open(text, []byte("cluster/a"))
	require.ErrorIs(t, err, ErrDecrypt)
}

func TestKeyringSealOpenBytes(t *testing.T) {
	k1 := EncryptionKey{ID: "k1", Secret: make([]byte, KeySize)}
	k2 := EncryptionKey{ID: "k2", Secret: append(make([]byte, KeySize-1), 1)}
	old, err := NewKeyring(k1)
	require.NoError(t, err)
	record := []byte(`{"user_data":"s3cret"}`)
	b, err := old.SealBytes(nil, record, []byte("sim/server/1"))
	require.NoError(t, err)
	require.NotContains(t, string(b), "s3cret")

	plain, stale, err := old.OpenBytes(b, []byte("sim/server/1"))
	require.NoError(t, err)
	require.Equal(t, record, plain)
	require.False(t, stale, "sealed with the primary key")

	appended, err := old.SealBytes([]byte("prefix"), record, []byte("sim/server/1"))
	require.NoError(t, err)
	require.Equal(t, "prefix", string(appended[:6]), "sealing appends to dst")
	plain, _, err = old.OpenBytes(appended[6:], []byte("sim/server/1"))
	require.NoError(t, err)
	require.Equal(t, record, plain)

	rotated, err := NewKeyring(k2, k1)
	require.NoError(t, err)
	plain, stale, err = rotated.OpenBytes(b, []byte("sim/server/1"))
	require.NoError(t, err)
	require.Equal(t, record, plain)
	require.True(t, stale, "sealed with a key that is no longer the primary one")

	text, err := old.Seal(record, []byte("sim/server/1"))
	require.NoError(t, err)
	only2, err := NewKeyring(k2)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		ring *Keyring
		b    []byte
		aad  string
	}{
		"moved elsewhere":    {old, b, "sim/server/2"},
		"altered":            {old, append(b[:len(b)-1:len(b)-1], b[len(b)-1]^1), "sim/server/1"},
		"key not in keyring": {only2, b, "sim/server/1"},
		"truncated":          {old, b[:10], "sim/server/1"},
		"empty":              {old, nil, ""},
		"unknown format":     {old, append([]byte{9}, b[1:]...), "sim/server/1"},
		"a sealed password":  {old, []byte(text), "sim/server/1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := tc.ring.OpenBytes(tc.b, []byte(tc.aad))
			require.ErrorIs(t, err, ErrDecrypt)
		})
	}
}
