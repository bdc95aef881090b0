package remote

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// TestAPIErr maps Magnum's error answers back to magnum's errors.
func TestAPIErr(t *testing.T) {
	magnumBody := func(status int, detail string) []byte {
		b, err := json.Marshal(map[string]any{"errors": []map[string]any{{"code": "client", "status": status,
			"title": http.StatusText(status), "detail": detail, "links": []string{}}}})
		require.NoError(t, err)
		return b
	}
	for _, tc := range []struct {
		name   string
		status int
		body   []byte
		want   error
		msg    string
	}{
		{"not found", 404, magnumBody(404, "Cluster c1 could not be found."), magnum.ErrNotFound, "Cluster c1 could not be found."},
		{"template not found", 404, magnumBody(404, "ClusterTemplate k8s could not be found."), magnum.ErrTemplateNotFound, "ClusterTemplate k8s could not be found."},
		{"template not found before 1.10", 400, magnumBody(400, "ClusterTemplate k8s could not be found."), magnum.ErrNotFound, "ClusterTemplate k8s could not be found."},
		{"invalid", 400, magnumBody(400, "Invalid input for field/attribute coe."), magnum.ErrInvalid, "Invalid input for field/attribute coe."},
		{"invalid state", 400, magnumBody(400, `Updating a cluster when status is "CREATE_IN_PROGRESS" is not supported.`), magnum.ErrInvalidState, ""},
		{"policy", 403, magnumBody(403, "Policy doesn't allow quota:create to be performed."), magnum.ErrForbidden, ""},
		{"quota", 403, magnumBody(403, "Resource limit exceeded: You have reached the maximum clusters per project, 0."), magnum.ErrQuotaExceeded, ""},
		{"conflict", 409, magnumBody(409, "A cluster with UUID x already exists."), magnum.ErrConflict, ""},
		{"unauthenticated, Keystone's body", 401, []byte(`{"error":{"code":401,"message":"The request you have made requires authentication."}}`), magnum.ErrUnauthenticated, "The request you have made requires authentication."},
		{"unavailable", 503, []byte("driver down"), magnum.ErrUnavailable, "driver down"},
		{"microversion", 406, magnumBody(406, "Version 9.9 was requested but the maximum is 1.14."), magnum.ErrInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := apiErr(gophercloud.ErrUnexpectedResponseCode{Actual: tc.status, Body: tc.body})
			require.ErrorIs(t, err, tc.want)
			var me *magnum.Error
			require.True(t, errors.As(err, &me))
			if tc.msg != "" {
				assert.Equal(t, tc.msg, me.Message)
			}
		})
	}
	t.Run("other status", func(t *testing.T) {
		err := apiErr(gophercloud.ErrUnexpectedResponseCode{Actual: 500, Body: magnumBody(500, "boom")})
		require.Error(t, err)
		for _, kind := range []error{magnum.ErrNotFound, magnum.ErrInvalid, magnum.ErrForbidden, magnum.ErrUnavailable} {
			assert.NotErrorIs(t, err, kind)
		}
		assert.Contains(t, err.Error(), "boom")
	})
	t.Run("not an HTTP error", func(t *testing.T) {
		cause := errors.New("connection refused")
		assert.Equal(t, cause, apiErr(cause))
		assert.NoError(t, apiErr(nil))
	})
}

// TestBody sends the fields that are set, pointers to zero values
// included, and lets an outer field win over an embedded one.
func TestBody(t *testing.T) {
	zero, no := 0, false
	got := body(magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s", NodeCount: &zero, FloatingIPEnabled: &no})
	assert.Equal(t, map[string]any{"name": "c1", "cluster_template_id": "k8s", "node_count": &zero, "floating_ip_enabled": &no}, got)

	tmpl := magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{Name: "t", COE: "kubernetes", FloatingIPEnabled: true}}
	assert.Equal(t, map[string]any{"name": "t", "coe": "kubernetes"}, body(tmpl), "the outer floating_ip_enabled, unset, wins")
	tmpl.FloatingIPEnabled = &no
	assert.Equal(t, &no, body(tmpl)["floating_ip_enabled"])
	assert.Empty(t, body((*magnum.ClusterCreate)(nil)))
}
