package engine_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
)

// Example creates a stack from a HOT template and reads its outputs
// once the create is complete.
func Example() {
	ctx := context.Background()
	e, err := engine.New(ctx)
	if err != nil {
		panic(err)
	}
	defer e.Close()

	template := `
heat_template_version: queens
parameters:
  count: {type: number, default: 2}
resources:
  nodes:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: count}
      resource_def:
        type: OS::Heat::Value
        properties: {value: {list_join: ["-", [{get_param: "OS::stack_name"}, node, "%index%"]]}}
outputs:
  names: {value: {get_attr: [nodes, value]}}
  ready: {value: {str_replace: {template: "ready=$R", params: {$R: true}}}}
`
	id, err := e.CreateStack(ctx, heat.StackSpec{Name: "demo", Template: []byte(template),
		Parameters: map[string]any{"count": 3}})
	if err != nil {
		panic(err)
	}
	st, _ := e.GetStack(ctx, id)
	for st.Status.IsInProgress() {
		time.Sleep(10 * time.Millisecond)
		st, _ = e.GetStack(ctx, id)
	}
	fmt.Println(st.Status, st.Outputs["names"], st.Outputs["ready"])
	// Output: CREATE_COMPLETE [demo-node-0 demo-node-1 demo-node-2] ready=True
}

// ExampleValidate checks a stack without creating it.
func ExampleValidate() {
	err := engine.Validate(context.Background(), heat.StackSpec{Name: "check", Template: []byte(`
heat_template_version: 2018-08-31
parameters:
  flavor: {type: string}
resources:
  server:
    type: OS::Nova::Server
    properties: {image: fedora, flavor: {get_param: flavor}}
`), Parameters: map[string]any{"flavour": "m1.small"}})
	fmt.Println(err)
	// Output: The Parameter (flavour) was not defined in template.
}

// ExamplePreflight checks a stack as a create would, parameter values
// included, which Validate (as Heat's validation) leaves to the create.
func ExamplePreflight() {
	spec := heat.StackSpec{Name: "check", Template: []byte(`
heat_template_version: 2018-08-31
parameters:
  size: {type: number, constraints: [{range: {min: 1}}]}
resources:
  none: {type: OS::Heat::None}
`), Parameters: map[string]any{"size": 0}}
	fmt.Println(engine.Validate(context.Background(), spec))
	fmt.Println(engine.Preflight(context.Background(), spec))
	// Output:
	// <nil>
	// Parameter 'size' is invalid: 0 is out of range (min: 1, max: None)
}
