package heat

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stackresources"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStackHref(t *testing.T) {
	tests := []struct {
		href     string
		name, id string
		ok       bool
	}{
		{"http://h:8004/v1/p/stacks/s1/0d5", "s1", "0d5", true},
		{"http://h:8004/v1/p/stacks/s1/0d5/", "s1", "0d5", true},
		{"https://h/heat/v1/stacks/stacks/stacks/id-1", "stacks", "id-1", true},
		{"http://h/v1/p/stacks/a%2Fb/i%20d", "a/b", "i d", true},
		{"http://h/v1/p/stacks/s1/0d5/resources/grp", "", "", false},
		{"http://h/v1/p/stacks/s1", "", "", false},
		{"http://h/v1/p/stacks//x", "", "", false},
		{"stacks/n/i", "n", "i", true},
		{"", "", "", false},
		{"http://h/v1/p/stacks/%zz/i", "", "", false},
		{"://bad", "", "", false},
	}
	for _, tt := range tests {
		name, id, ok := parseStackHref(tt.href)
		assert.Equal(t, tt.ok, ok, tt.href)
		assert.Equal(t, tt.name, name, tt.href)
		assert.Equal(t, tt.id, id, tt.href)
	}
}

func FuzzParseStackHref(f *testing.F) {
	for _, s := range []string{
		"http://h:8004/v1/p/stacks/s1/0d5", "https://h/v1/p/stacks/a%2Fb/c", "stacks//", "%", "http://[::1]:80/stacks/x/y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, href string) {
		name, id, ok := parseStackHref(href)
		if !ok {
			return
		}
		if name == "" || id == "" {
			t.Fatalf("%q: ok with an empty part: %q %q", href, name, id)
		}
		again := "http://heat/v1/p/stacks/" + url.PathEscape(name) + "/" + url.PathEscape(id)
		n2, i2, ok2 := parseStackHref(again)
		if !ok2 || n2 != name || i2 != id {
			t.Fatalf("%q → (%q, %q) does not round-trip through %q", href, name, id, again)
		}
	})
}

// nestedFixture is Heat's answer to GET …/resources?nested_depth=100 for a
// stack whose ResourceGroup member (a nested template) failed.
func nestedFixture(t *testing.T) []stackresources.Resource {
	t.Helper()
	b, err := os.ReadFile("testdata/resources_nested.json")
	require.NoError(t, err)
	var body struct {
		Resources []stackresources.Resource `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(b, &body))
	return body.Resources
}

func TestResourceTree(t *testing.T) {
	const root = "09fc77bf-9ef5-41d0-aa5d-84cd17e1f449"
	got := resourceTree(root, nestedFixture(t))
	require.Len(t, got, 3)

	type view struct {
		Name, Type, Parent, StackName string
		Depth                         int
	}
	var views []view
	for _, r := range got {
		views = append(views, view{r.Name, r.Type, r.Parent, r.StackName, r.Depth})
		assert.Equal(t, CreateFailed, r.Status)
		assert.NotEmpty(t, r.StackID)
		assert.False(t, r.UpdatedAt.IsZero())
	}
	assert.Equal(t, []view{
		{"grp", "OS::Heat::ResourceGroup", "", "probe1", 0},
		{"0", "inner.yaml", "grp", "probe1-grp-uwn3up2bxqg3", 1},
		{"leaf", "OS::Heat::TestResource", "0", "probe1-grp-uwn3up2bxqg3-0-4iwbb3m4mrsr", 2},
	}, views)
	assert.Equal(t, root, got[0].StackID)
	assert.Equal(t, "1bb624fc-55b7-4d64-8437-719050d34296", got[0].PhysicalID)
	assert.True(t, strings.HasPrefix(got[2].StatusReason, "ValueError: resources.leaf: Test Resource failed leaf"))
}

func TestResourceTreeOddLinks(t *testing.T) {
	// Links Heat never sends: none, a nested stack of unknown parent, a cycle.
	rs := []stackresources.Resource{
		{Name: "bare", Status: "CREATE_COMPLETE"},
		{Name: "orphan", Links: []gophercloud.Link{{Rel: "stack", Href: "http://h/v1/p/stacks/lost/L"}}},
		{Name: "a", Links: []gophercloud.Link{
			{Rel: "stack", Href: "http://h/v1/p/stacks/sa/A"}, {Rel: "nested", Href: "http://h/v1/p/stacks/sb/B"}}},
		{Name: "b", Links: []gophercloud.Link{
			{Rel: "stack", Href: "http://h/v1/p/stacks/sb/B"}, {Rel: "nested", Href: "http://h/v1/p/stacks/sa/A"}}},
	}
	got := resourceTree("ROOT", rs)
	require.Len(t, got, 4)
	assert.Equal(t, 0, got[0].Depth)
	assert.Empty(t, got[0].StackID)
	assert.Equal(t, 0, got[1].Depth)
	assert.Equal(t, "lost", got[1].StackName)
	assert.LessOrEqual(t, got[2].Depth, 3, "a cycle terminates")
}
