package openstack_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud"
)

// lookupCase is one look-up and what it must give: want (compared with
// assert.Equal) or an error wrapping wantErr whose message contains
// wantMsg; calls is the number of requests it may send to the service
// (prefix "glance GET /v2/images").
type lookupCase struct {
	name    string
	ref     string
	fail    *fault // injected on failPath
	want    any
	wantErr error
	wantMsg string
	calls   int
}

// runLookups runs cases against a fresh fake each; lookup calls the Cloud.
func runLookups(t *testing.T, failPath, callPrefix string, cases []lookupCase,
	lookup func(context.Context, *fakeCloud, string) (any, error)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			if tc.fail != nil {
				f.fail("GET", failPath, tc.fail.status, tc.fail.message)
			}
			got, err := lookup(context.Background(), f, tc.ref)
			if tc.wantErr != nil || tc.wantMsg != "" {
				require.Error(t, err)
				if tc.wantErr != nil {
					assert.ErrorIs(t, err, tc.wantErr)
				}
				assert.Contains(t, err.Error(), tc.wantMsg)
				for _, other := range []error{cloud.ErrNotFound, cloud.ErrAmbiguous, cloud.ErrForbidden} {
					if other != tc.wantErr {
						assert.NotErrorIs(t, err, other)
					}
				}
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
			}
			assert.Len(t, f.callsTo(callPrefix), tc.calls, "requests sent: no retries, nothing more")
		})
	}
}

var fcos = cloud.Image{ID: fcosImage, Name: "fedora-coreos-35", OSDistro: "fedora-coreos", Public: true, Owner: otherProject}

func TestImage(t *testing.T) {
	runLookups(t, "/v2/images/"+fcosImage, "glance GET /v2/images", []lookupCase{
		{name: "by ID", ref: fcosImage, want: fcos, calls: 1},
		{name: "by name", ref: "fedora-coreos-35", want: fcos, calls: 1},
		{name: "private image of the project, no os_distro", ref: "cirros", calls: 1,
			want: cloud.Image{ID: cirrosImage, Name: "cirros", Owner: demoProject}},
		{name: "community image by ID is public", ref: communityImg, calls: 1, want: cloud.Image{
			ID: communityImg, Name: "fcos-community", OSDistro: "fedora-coreos", Public: true, Owner: otherProject}},
		{name: "community image is not listed by name", ref: "fcos-community", calls: 1,
			wantErr: cloud.ErrNotFound, wantMsg: `image "fcos-community": not found`},
		{name: "hidden image by ID", ref: hiddenImage, calls: 1, want: cloud.Image{
			ID: hiddenImage, Name: "fcos-hidden", OSDistro: "fedora-coreos", Public: true, Owner: otherProject}},
		{name: "hidden image is not listed by name", ref: "fcos-hidden", calls: 1, wantErr: cloud.ErrNotFound},
		{name: "UUID without dashes is an ID", ref: "0c5d3a9e6f1b4e2a9c8d7b6a5f4e3d21", calls: 1,
			wantErr: cloud.ErrNotFound, wantMsg: "No image found with ID 0c5d3a9e6f1b4e2a9c8d7b6a5f4e3d21"},
		{name: "unknown ID", ref: missingUUID, calls: 1, wantErr: cloud.ErrNotFound,
			wantMsg: `image "` + missingUUID + `": not found (glance: 404 No image found with ID ` + missingUUID + `)`},
		{name: "unknown name", ref: "nope", calls: 1, wantErr: cloud.ErrNotFound, wantMsg: `image "nope": not found`},
		{name: "two images of that name", ref: "fedora-atomic", calls: 1, wantErr: cloud.ErrAmbiguous,
			wantMsg: `image "fedora-atomic": several objects match (2 images have that name; use the ID)`},
		{name: "empty reference sends nothing", ref: "", calls: 0, wantErr: cloud.ErrNotFound},
		{name: "forbidden", ref: fcosImage, calls: 1, fail: &fault{status: 403, message: "You are not authorized to access image " + fcosImage},
			wantErr: cloud.ErrForbidden, wantMsg: "not authorized (glance: 403 You are not authorized to access image " + fcosImage},
		{name: "server error is returned once", ref: fcosImage, calls: 1, fail: &fault{status: 500, message: "database unavailable"},
			wantMsg: `image "` + fcosImage + `": glance answered 500 to GET http://`},
	}, func(ctx context.Context, f *fakeCloud, ref string) (any, error) {
		return f.cloud(t).Image(ctx, ref)
	})
}

func TestImageListFailure(t *testing.T) {
	f := newFake(t)
	f.fail("GET", "/v2/images", http.StatusServiceUnavailable, "Service Unavailable")
	_, err := f.cloud(t).Image(context.Background(), "fedora-coreos-35")
	require.Error(t, err)
	var resp gophercloud.ErrUnexpectedResponseCode
	require.ErrorAs(t, err, &resp, "the gophercloud error stays reachable")
	assert.Equal(t, http.StatusServiceUnavailable, resp.Actual)
	assert.Len(t, f.callsTo("glance GET /v2/images"), 1)
}

func TestFlavor(t *testing.T) {
	small := cloud.Flavor{ID: "2", Name: "m1.small", VCPUs: 1, RAMMiB: 2048, DiskGB: 20}
	runLookups(t, "/v2.1/flavors/detail", "nova GET /v2.1/flavors/detail", []lookupCase{
		{name: "by name", ref: "m1.small", want: small, calls: 3},
		{name: "by ID", ref: "2", want: small, calls: 3},
		{name: "on the last page", ref: "ds512M", calls: 3, want: cloud.Flavor{ID: "ds512M", Name: "ds512M", VCPUs: 1, RAMMiB: 512, DiskGB: 5}},
		{name: "an ID wins over another flavor's name", ref: "7", calls: 3,
			want: cloud.Flavor{ID: "7", Name: "c1.big", VCPUs: 8, RAMMiB: 16384, DiskGB: 80}},
		{name: "unknown", ref: "m1.huge", calls: 3, wantErr: cloud.ErrNotFound, wantMsg: `flavor "m1.huge": not found`},
		{name: "empty", ref: "", calls: 0, wantErr: cloud.ErrNotFound},
		{name: "forbidden", ref: "m1.small", calls: 1, fail: &fault{status: 403, message: "Policy doesn't allow os_compute_api:flavors:list to be performed."},
			wantErr: cloud.ErrForbidden, wantMsg: "nova: 403 Policy doesn't allow os_compute_api:flavors:list to be performed."},
		{name: "server error", ref: "m1.small", calls: 1, fail: &fault{status: 500, message: "Unexpected API Error."},
			wantMsg: "nova answered 500 to GET http://"},
	}, func(ctx context.Context, f *fakeCloud, ref string) (any, error) {
		return f.cloud(t).Flavor(ctx, ref)
	})
}

func TestKeypair(t *testing.T) {
	const aliceKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAliceAliceAliceAliceAliceAliceAliceAlic alice@laptop"
	const adminKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAdminAdminAdminAdminAdminAdminAdminAdmin admin@cloud"
	cases := []struct {
		name, as, user, key string
		want                cloud.Keypair
		wantErr             error
		wantMsg             string
	}{
		{name: "another user's keypair, as admin", as: "admin", user: aliceUser, key: "default",
			want: cloud.Keypair{Name: "default", UserID: aliceUser, PublicKey: aliceKey}},
		{name: "own keypair of that name", as: "admin", user: adminUser, key: "default",
			want: cloud.Keypair{Name: "default", UserID: adminUser, PublicKey: adminKey}},
		{name: "no user means the token's", as: "alice", key: "default",
			want: cloud.Keypair{Name: "default", UserID: aliceUser, PublicKey: aliceKey}},
		{name: "name with a space", as: "alice", user: aliceUser, key: "alice key",
			want: cloud.Keypair{Name: "alice key", UserID: aliceUser, PublicKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCalice alice@desktop"}},
		{name: "the user has none of that name", as: "admin", user: adminUser, key: "alice key", wantErr: cloud.ErrNotFound,
			wantMsg: `keypair "alice key" of user ` + adminUser + `: not found (nova: 404 Keypair alice key not found for user ` + adminUser + `)`},
		{name: "another user's keypair, not as admin", as: "alice", user: adminUser, key: "default", wantErr: cloud.ErrForbidden,
			wantMsg: "Policy doesn't allow os_compute_api:os-keypairs:show to be performed."},
		{name: "empty name", as: "admin", user: adminUser, key: "", wantErr: cloud.ErrNotFound},
	}
	passwords := map[string]string{"admin": "secret", "alice": "alice-pw"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			c := newCloud(t, f.provider(t, tc.as, passwords[tc.as]))
			got, err := c.Keypair(context.Background(), tc.user, tc.key)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Contains(t, err.Error(), tc.wantMsg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Len(t, f.callsTo("nova GET /v2.1/os-keypairs/"), 1)
		})
	}
}

func TestExternalNetwork(t *testing.T) {
	public := cloud.Network{ID: publicNet, Name: "public", External: true,
		SubnetIDs: []string{"5b0c0000-0000-4000-8000-000000000001", "5b0c0000-0000-4000-8000-000000000002"}}
	runLookups(t, "/v2.0/networks", "neutron GET /v2.0/networks", []lookupCase{
		{name: "by name", ref: "public", want: public, calls: 1},
		{name: "by ID", ref: publicNet, want: public, calls: 1},
		{name: "a private network is not external", ref: "private", calls: 1, wantErr: cloud.ErrNotFound,
			wantMsg: `external network "private": not found`},
		{name: "a private network's ID neither", ref: privateNet, calls: 1, wantErr: cloud.ErrNotFound},
		{name: "two external networks of that name", ref: "ext-dup", calls: 1, wantErr: cloud.ErrAmbiguous,
			wantMsg: "2 external networks have that name; use the ID"},
		{name: "empty", ref: "", calls: 0, wantErr: cloud.ErrNotFound},
		{name: "forbidden", ref: "public", calls: 1, fail: &fault{status: 403, message: "(rule:get_network) is disallowed by policy"},
			wantErr: cloud.ErrForbidden, wantMsg: "neutron: 403 (rule:get_network) is disallowed by policy"},
		{name: "server error", ref: "public", calls: 1, fail: &fault{status: 500, message: "Request Failed: internal server error while processing your request."},
			wantMsg: "neutron answered 500 to GET http://"},
	}, func(ctx context.Context, f *fakeCloud, ref string) (any, error) {
		got, err := f.cloud(t).ExternalNetwork(ctx, ref)
		if err == nil {
			require.Len(t, f.callsTo("neutron GET /v2.0/networks?router%3Aexternal=true"), 1, "lists only external networks")
		}
		return got, err
	})
}

func TestNetwork(t *testing.T) {
	private := cloud.Network{ID: privateNet, Name: "private", SubnetIDs: []string{privateSubnet}}
	runLookups(t, "/v2.0/networks/"+privateNet, "neutron GET /v2.0/networks", []lookupCase{
		{name: "by name", ref: "private", want: private, calls: 1},
		{name: "by ID", ref: privateNet, want: private, calls: 1},
		{name: "an external one too", ref: "public", calls: 1, want: cloud.Network{ID: publicNet, Name: "public", External: true,
			SubnetIDs: []string{"5b0c0000-0000-4000-8000-000000000001", "5b0c0000-0000-4000-8000-000000000002"}}},
		{name: "unknown ID", ref: missingUUID, calls: 1, wantErr: cloud.ErrNotFound,
			wantMsg: "neutron: 404 Network " + missingUUID + " could not be found."},
		{name: "unknown name", ref: "nope", calls: 1, wantErr: cloud.ErrNotFound},
		{name: "two of that name", ref: "shared-dup", calls: 1, wantErr: cloud.ErrAmbiguous, wantMsg: "2 networks have that name"},
		{name: "empty", ref: "", calls: 0, wantErr: cloud.ErrNotFound},
		{name: "forbidden", ref: privateNet, calls: 1, fail: &fault{status: 403, message: "(rule:get_network) is disallowed by policy"}, wantErr: cloud.ErrForbidden},
	}, func(ctx context.Context, f *fakeCloud, ref string) (any, error) {
		return f.cloud(t).Network(ctx, ref)
	})
}

func TestSubnet(t *testing.T) {
	sub := cloud.Subnet{ID: privateSubnet, Name: "private-subnet", NetworkID: privateNet, CIDR: "10.0.0.0/26", GatewayIP: "10.0.0.1"}
	runLookups(t, "/v2.0/subnets", "neutron GET /v2.0/subnets", []lookupCase{
		{name: "by name", ref: "private-subnet", want: sub, calls: 1},
		{name: "by ID", ref: privateSubnet, want: sub, calls: 1},
		{name: "unknown ID", ref: missingUUID, calls: 1, wantErr: cloud.ErrNotFound, wantMsg: "Subnet " + missingUUID + " could not be found."},
		{name: "unknown name", ref: "nope", calls: 1, wantErr: cloud.ErrNotFound, wantMsg: `subnet "nope": not found`},
		{name: "two of that name", ref: "subnet-dup", calls: 1, wantErr: cloud.ErrAmbiguous},
		{name: "empty", ref: "", calls: 0, wantErr: cloud.ErrNotFound},
		{name: "list fails", ref: "private-subnet", calls: 1, fail: &fault{status: 500, message: "boom"}, wantMsg: `subnet "private-subnet": neutron answered 500 to GET http://127.0.0.1`},
	}, func(ctx context.Context, f *fakeCloud, ref string) (any, error) {
		return f.cloud(t).Subnet(ctx, ref)
	})
}

func TestProject(t *testing.T) {
	runLookups(t, "/v3/projects/"+otherProject, "keystone GET /v3/projects/", []lookupCase{
		{name: "found", ref: demoProject, calls: 1, want: cloud.Project{ID: demoProject, Name: "demo", DomainID: "default"}},
		{name: "unknown", ref: "nosuch", calls: 1, wantErr: cloud.ErrNotFound,
			wantMsg: `project "nosuch": not found (keystone: 404 Could not find project: nosuch.)`},
		{name: "empty", ref: "", calls: 0, wantErr: cloud.ErrNotFound},
		{name: "forbidden", ref: otherProject, calls: 1, wantErr: cloud.ErrForbidden,
			fail: &fault{status: 403, message: "You are not authorized to perform the requested action: identity:get_project."}},
	}, func(ctx context.Context, f *fakeCloud, ref string) (any, error) {
		return f.cloud(t).Project(ctx, ref)
	})
}

// TestServiceDown: a transport error is none of the sentinels.
func TestServiceDown(t *testing.T) {
	f := newFake(t)
	c := f.cloud(t)
	f.servers["image"].Close()
	_, err := c.Image(context.Background(), "fedora-coreos-35")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `image "fedora-coreos-35": glance: Get "`+f.url("image"))
	for _, s := range []error{cloud.ErrNotFound, cloud.ErrAmbiguous, cloud.ErrForbidden} {
		assert.NotErrorIs(t, err, s)
	}
}
