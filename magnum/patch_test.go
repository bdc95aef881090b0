package magnum

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzApplyPatch(f *testing.F) {
	for _, seed := range []string{
		`[{"op":"replace","path":"/name","value":"x"}]`,
		`[{"op":"add","path":"/labels/kube_tag","value":"v1"}]`,
		`[{"op":"replace","path":"/labels","value":"{'a': 'b', 'c': 1}"}]`,
		`[{"op":"remove","path":"/flavor_id"},{"op":"add","path":"/flavor_id","value":"m1.tiny"}]`,
		`[{"op":"replace","path":"/docker_volume_size","value":"7"}]`,
		`[{"op":"replace","path":"/public","value":"yes"}]`,
		`[{"op":"move","path":"/name"}]`,
		`[{"op":"replace","path":"/labels/a/b","value":1}]`,
		`[{"op":"add","path":"/nope","value":{"a":[1,2]}}]`,
		`[{"op":"replace","path":"/apiserver_port","value":1.5}]`,
	} {
		f.Add([]byte(seed))
	}
	base := ClusterTemplate{UUID: "u", Name: "n", COE: "kubernetes", ImageID: "img", FlavorID: "m1.small",
		Labels: map[string]string{"kube_tag": "v1.30.1"}, ServerType: "vm", FloatingIPEnabled: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var ops []PatchOp
		if dec.Decode(&ops) != nil {
			return
		}
		doc, err := toDoc(base)
		require.NoError(t, err)
		if err := applyPatch(doc, ops, templatePatchRules); err != nil {
			require.True(t, errors.Is(err, ErrInvalid), "untyped error %v", err)
			return
		}
		out := base
		if err := fromDoc(doc, &out); err != nil {
			require.True(t, errors.Is(err, ErrInvalid), "untyped error %v", err)
			return
		}
		require.Equal(t, base.UUID, out.UUID, "an internal attribute changed")
		require.Equal(t, base.CreatedAt, out.CreatedAt)
	})
}
