package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// TestVolumeTypeRef: a volume's volume_type must name a volume type of the
// cloud. An empty one is refused as Heat 19 refuses it, and so is null: Heat
// validates a null string property as "" (checked against the mini
// OpenStack's Heat and Cinder), so a template cannot leave the type unset
// with an if ... null; drivers pass the cloud's default type instead.
func TestVolumeTypeRef(t *testing.T) {
	tests := []struct {
		name, volumeType string
		wantReason       string
	}{
		{"empty", `""`, "The VolumeType () could not be found."},
		{"unknown", "gold", "The VolumeType (gold) could not be found."},
		{"null", "null", "The VolumeType () could not be found."},
		{"default", "__DEFAULT__", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEngine(t)
			tpl := "heat_template_version: 2021-04-16\nresources:\n  v:\n    type: OS::Cinder::Volume\n" +
				"    properties: {size: 1, volume_type: " + tt.volumeType + "}\n"
			id, err := e.CreateStack(context.Background(), heat.StackSpec{Name: "vt-" + tt.name, Template: []byte(tpl)})
			if err != nil {
				require.NotEmpty(t, tt.wantReason, "create refused: %v", err)
				assert.Contains(t, err.Error(), tt.wantReason)
				return
			}
			st := waitStack(t, e, id)
			if tt.wantReason == "" {
				assert.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
				return
			}
			assert.Equal(t, heat.CreateFailed, st.Status)
			assert.Contains(t, st.StatusReason, tt.wantReason)
		})
	}
}
