package heat_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// realHeat is one real Heat the integration tests run against.
type realHeat struct {
	mode   string
	client *heat.Client
	// via returns a client that reaches the same Heat, as the same
	// project, through base ("http://host:port"), a proxy in front of it.
	via func(t testing.TB, base string, opts ...heat.Option) *heat.Client
}

// forEachHeat runs test against the noauth Heat and the Keystone-mode
// Heat, as parallel subtests of a parallel test. A Heat that is not configured skips its subtest on a
// laptop and fails it in CI (see internal/testenv; scripts/heat.sh starts both).
func forEachHeat(t *testing.T, test func(t *testing.T, h realHeat)) {
	t.Helper()
	t.Parallel()
	t.Run("noauth", func(t *testing.T) {
		t.Parallel()
		test(t, noauthHeat(t))
	})
	t.Run("keystone", func(t *testing.T) {
		t.Parallel()
		test(t, keystoneHeat(t))
	})
}

// noauthHeat connects to GOMAGNUM_HEAT_URL as a project of its own, so
// that concurrent test runs, and the stacks other tests leave, never mix.
func noauthHeat(t testing.TB) realHeat {
	raw := testenv.Lookup(t, testenv.HeatURL, "a noauth Heat")
	u, err := url.Parse(raw)
	require.NoError(t, err)
	u.Path = path.Join(path.Dir(strings.TrimSuffix(u.Path, "/")), "gm"+suffix())
	endpoint := u.String()
	c, err := heat.NewClient(t.Context(), heat.WithNoAuth(endpoint))
	require.NoError(t, err)
	return realHeat{
		mode:   "noauth",
		client: c,
		via: func(t testing.TB, base string, opts ...heat.Option) *heat.Client {
			c, err := heat.NewClient(t.Context(), append(opts, heat.WithNoAuth(base+u.Path))...)
			require.NoError(t, err)
			return c
		},
	}
}

// keystoneAuth returns the password credentials of GOMAGNUM_KEYSTONE_*.
func keystoneAuth(t testing.TB) gophercloud.AuthOptions {
	return gophercloud.AuthOptions{
		IdentityEndpoint: testenv.Lookup(t, testenv.KeystoneURL, "a Keystone whose catalog lists a Heat"),
		Username:         testenv.Lookup(t, testenv.KeystoneUser, "the Keystone admin user"),
		Password:         testenv.Lookup(t, testenv.KeystonePassword, "the Keystone admin password"),
		DomainName:       "Default",
		TenantName:       testenv.Lookup(t, testenv.KeystoneProject, "the Keystone admin project"),
	}
}

// keystoneHeat authenticates with a password and finds Heat in the catalog.
func keystoneHeat(t testing.TB) realHeat {
	c, err := heat.NewClient(t.Context(), heat.WithAuth(keystoneAuth(t)))
	require.NoError(t, err)
	return realHeat{
		mode:   "keystone",
		client: c,
		via: func(t testing.TB, base string, opts ...heat.Option) *heat.Client {
			// The same authenticated provider, with Heat's endpoint moved to the proxy.
			sc := *c.ServiceClient()
			u, err := url.Parse(sc.Endpoint)
			require.NoError(t, err)
			sc.Endpoint = base + u.Path
			c, err := heat.NewClient(t.Context(), append(opts, heat.WithServiceClient(&sc))...)
			require.NoError(t, err)
			return c
		},
	}
}

// suffix is a random lower-case suffix for unique names.
func suffix() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	for i := range b {
		b[i] = letters[rand.N(len(letters))]
	}
	return string(b)
}

// stackName returns a unique stack name starting with prefix.
func stackName(prefix string) string { return prefix + "-" + suffix() }

// template reads testdata/stacks/name.
func template(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "stacks", name))
	require.NoError(t, err)
	return b
}

// noServices maps the Nova and Neutron types to OS::Heat::None, so that a
// template naming them creates on a Heat without those services.
var noServices = heat.Environment{ResourceRegistry: map[string]any{
	"OS::Nova::Server": "OS::Heat::None",
	"OS::Neutron::*":   "OS::Heat::None",
}}

// create creates a stack and deletes it when the test ends, if it is
// still there.
func create(t testing.TB, c *heat.Client, spec heat.StackSpec) string {
	t.Helper()
	id, err := c.CreateStack(t.Context(), spec)
	require.NoError(t, err)
	require.NotEmpty(t, id)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.DeleteStack(ctx, id); err != nil && !errors.Is(err, heat.ErrNotFound) {
			t.Logf("cleanup: deleting stack %s: %v", id, err)
		}
	})
	return id
}

// waitSettled polls the stack every interval until it leaves
// *_IN_PROGRESS, and returns it.
func waitSettled(ctx context.Context, c *heat.Client, id string, interval time.Duration) (*heat.Stack, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for {
		st, err := c.GetStack(ctx, id)
		if err != nil {
			return nil, err
		}
		if !st.Status.IsInProgress() && st.Status != heat.InitComplete {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("stack %s still %s: %w", id, st.Status, ctx.Err())
		case <-time.After(interval):
		}
	}
}

// waitStatus waits for the stack to settle and requires the status want.
func waitStatus(t testing.TB, c *heat.Client, id string, want heat.Status) *heat.Stack {
	t.Helper()
	st, err := waitSettled(t.Context(), c, id, 250*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, want, st.Status, "status reason: %s", st.StatusReason)
	return st
}

// waitGone waits until the stack is deleted: DELETE_COMPLETE or not found.
func waitGone(t testing.TB, c *heat.Client, id string) {
	t.Helper()
	st, err := waitSettled(t.Context(), c, id, 250*time.Millisecond)
	if errors.Is(err, heat.ErrNotFound) {
		return
	}
	require.NoError(t, err)
	require.Equal(t, heat.DeleteComplete, st.Status, "status reason: %s", st.StatusReason)
}
