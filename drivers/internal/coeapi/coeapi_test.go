package coeapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/coeapi"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
)

func TestClient(t *testing.T) {
	pki := stacktest.NewPKI(t)
	_, err := coeapi.Client(drivers.Credentials{CACert: []byte("x")}, true)
	require.ErrorIs(t, err, drivers.ErrInvalid)
	_, err = coeapi.Client(drivers.Credentials{CACert: pki.CAPEM, ClientCert: pki.Credentials.ClientCert, ClientKey: []byte("bad")}, true)
	require.ErrorIs(t, err, drivers.ErrInvalid)
	c, err := coeapi.Client(drivers.Credentials{}, false)
	require.NoError(t, err)
	assert.NotNil(t, c)

	srv := pki.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte(`{"a":1}`))
		case "/bad":
			_, _ = w.Write([]byte(`{`))
		default:
			http.Error(w, "forbidden here", http.StatusForbidden)
		}
	}))
	c, err = coeapi.Client(pki.Credentials, true)
	require.NoError(t, err)
	var v struct{ A int }
	require.NoError(t, coeapi.GetJSON(context.Background(), c, srv.URL+"/ok", &v))
	assert.Equal(t, 1, v.A)
	require.Error(t, coeapi.GetJSON(context.Background(), c, srv.URL+"/bad", &v))
	_, err = coeapi.Get(context.Background(), c, srv.URL+"/nope")
	var se *coeapi.StatusError
	require.True(t, errors.As(err, &se))
	assert.Equal(t, http.StatusForbidden, se.Code)
	assert.Equal(t, "HTTP 403: forbidden here", se.Error())
	_, err = coeapi.Get(context.Background(), c, "://bad")
	require.ErrorIs(t, err, drivers.ErrInvalid)
}

func TestFailed(t *testing.T) {
	h, err := coeapi.Failed(context.Background(), errors.New("boom"))
	require.NoError(t, err)
	assert.Equal(t, drivers.Health{Status: drivers.Unhealthy, Reason: map[string]string{"api": "boom"}}, h)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = coeapi.Failed(ctx, errors.New("boom"))
	require.ErrorIs(t, err, context.Canceled)
	_, err = coeapi.Failed(context.Background(), drivers.ErrInvalid)
	require.ErrorIs(t, err, drivers.ErrInvalid)

	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	assert.Equal(t, drivers.Unknown, coeapi.NotAccessible("c").Status)
	assert.Equal(t, drivers.Healthy, coeapi.Verdict(map[string]string{"a": "ok"}, func(_, v string) bool { return v == "ok" }).Status)
	assert.Equal(t, drivers.Unhealthy, coeapi.Verdict(map[string]string{"a": "no"}, func(_, v string) bool { return v == "ok" }).Status)
}
