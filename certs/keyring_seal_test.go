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
