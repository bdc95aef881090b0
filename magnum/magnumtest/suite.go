// Package magnumtest is a test suite of magnum.API that any
// implementation must pass: the embedded *magnum.Service, and the remote
// client of a Magnum v1 REST API (package remote) against magnumd's API.
//
// The suite acts as the users of the simulated cloud's default catalog
// (Demo, Alt, Admin): an implementation under test must accept them, as
// the embedded service on the simulated cloud does, and as magnumd does
// with api.NoAuth when a remote client sends their identity headers
// (remote.NewNoAuth). It needs a conductor that builds clusters (the
// embedded engine) within a few seconds, and to have recorded its
// heartbeat (magnum.Service.Heartbeat) before the test starts.
package magnumtest

import (
	"context"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// Callers of the simulated cloud's default catalog.
var (
	Demo = magnum.Caller{UserID: "6ab2d0e08fa34f17afd3a42b80e1d235", UserName: "demo",
		ProjectID: "c99cc16abecc4cd0bbed7e1bc2f2b516", Roles: []string{"member"}}
	Alt = magnum.Caller{UserID: "6b3b502a1dd1494e9c6e2c5337e324c5", UserName: "alt",
		ProjectID: "ff5fc74d96ca48ed8e4b6de4930d08b4", Roles: []string{"member"}}
	Admin = magnum.Caller{UserID: "3f3acf501fa647049a2558a2359d4cba", UserName: "admin",
		ProjectID: "5f2b3f4f17b64195a2f76919340867bb", Roles: []string{"admin"}}
)

// Timeout bounds each wait of the suite.
const Timeout = 2 * time.Minute

// New returns a fresh implementation under test (an empty service), and
// is called once per test of the suite.
type New func(t *testing.T) magnum.API

// Run runs the suite against the implementations newAPI returns.
func Run(t *testing.T, newAPI New) {
	t.Run("templates", func(t *testing.T) { testTemplates(t, newAPI(t)) })
	t.Run("cluster lifecycle", func(t *testing.T) { testClusterLifecycle(t, newAPI(t)) })
	t.Run("errors", func(t *testing.T) { testErrors(t, newAPI(t)) })
	t.Run("quotas", func(t *testing.T) { testQuotas(t, newAPI(t)) })
	t.Run("service", func(t *testing.T) { testService(t, newAPI(t)) })
}

// As returns a context acting as c, bounded by the suite's timeout.
func As(t *testing.T, c magnum.Caller) context.Context {
	ctx, cancel := context.WithTimeout(magnum.WithCaller(context.Background(), c), Timeout)
	t.Cleanup(cancel)
	return ctx
}

// K8sTemplate is a Kubernetes template the simulated cloud serves.
func K8sTemplate(name string) magnum.ClusterTemplateCreate {
	return magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: name, COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public",
		FlavorID: "m1.small", MasterFlavorID: "m1.medium", KeypairID: "default",
		Labels: map[string]string{"kube_tag": "v1.30.1"},
	}}
}
