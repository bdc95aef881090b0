package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// OS::Heat::SoftwareDeployment (and StructuredDeployment) applies a
// config to a server; it completes when the simulated server's guest
// has booted (and would have run the config), or at once with
// signal_transport NO_SIGNAL. SoftwareDeploymentGroup deploys to a map
// of servers through a nested stack.

func init() {
	for _, k := range []*kind{deploymentGroupKind, deploymentsKind} {
		k.create, k.update, k.delete = createNested, updateNestedSimple, deleteNested
	}
	register(deploymentKind, structuredDeploymentKind, deploymentGroupKind, deploymentsKind)
	nestedKinds[deploymentGroupKind] = deploymentGroupChild
	nestedKinds[deploymentsKind] = deploymentGroupChild
}

var deployActions = []any{actCreate, actUpdate, actDelete, "SUSPEND", "RESUME"}

var deploymentProps = schema{
	"config":       p(tString).upd(),
	"server":       p(tString).req(),
	"input_values": p(tMap).upd(),
	"actions":      p(tList).dflt([]any{actCreate, actUpdate}).upd().with(map[string]any{"allowed_values": deployActions}),
	"name":         p(tString).upd(),
	"signal_transport": p(tString).dflt("CFN_SIGNAL").allowed(
		"CFN_SIGNAL", "TEMP_URL_SIGNAL", "HEAT_SIGNAL", "NO_SIGNAL", "ZAQAR_SIGNAL"),
}

var deployAttrs = []string{"deploy_stdout", "deploy_stderr", "deploy_status_code"}

func newDeploymentKind(name, class string) *kind {
	props := schema{}
	for k, v := range deploymentProps {
		props[k] = v
	}
	return &kind{
		name: name, class: class, attrs: deployAttrs, props: props,
		create: deploy, update: deploy, delete: deploy,
		attr: deploymentAttr, has: deploymentHas, check: checkDeployment,
	}
}

var (
	deploymentKind           = newDeploymentKind("OS::Heat::SoftwareDeployment", "SoftwareDeployment")
	structuredDeploymentKind = newDeploymentKind("OS::Heat::StructuredDeployment", "StructuredDeployment")
)

// deploy runs the deployment for the current action if its actions
// include it, waiting for the server unless NO_SIGNAL.
func deploy(ctx context.Context, o *op) error {
	if o.r.rec.PhysicalID == "" {
		o.setLocalID(newUUID())
	}
	if !slices.Contains(o.list("actions"), any(o.action)) {
		return nil
	}
	if o.str("signal_transport") == "NO_SIGNAL" {
		return nil
	}
	o.release()
	if err := o.e.waitBooted(ctx, o.str("server")); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || o.action == actDelete {
			return ctxErrOr(ctx, nil)
		}
		return fail("Error", "Deployment to server failed: deploy_status_code : Deployment exited with non-zero status code: 1")
	}
	o.setData("outputs", map[string]any{"deploy_stdout": "", "deploy_stderr": "", "deploy_status_code": 0})
	return nil
}

func ctxErrOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// configOutputs returns the output names of the deployment's config.
func (e *Engine) configOutputs(ref string) []string {
	sc, ok := e.configs.get(ref)
	if !ok {
		return nil
	}
	var names []string
	for _, o := range sc.Outputs {
		m, _ := o.(map[string]any)
		if n, ok := m["name"].(string); ok {
			names = append(names, n)
		}
	}
	return names
}

func deploymentHas(r *resource, name string) bool {
	if name == "show" || slices.Contains(deployAttrs, name) {
		return true
	}
	return slices.Contains(r.s.e.configOutputs(hot.PyStr(r.rec.Props["config"])), name) || r.rec.Props == nil
}

func deploymentAttr(r *resource, name string, path []any) (any, error) {
	outs, _ := r.rec.Data["outputs"].(map[string]any)
	if v, ok := outs[name]; ok {
		return hot.SelectPath(v, path), nil
	}
	if !deploymentHas(r, name) {
		return nil, &hot.Error{Type: hot.TypeInvalidTemplateAttr,
			Message: fmt.Sprintf("The Referenced Attribute (%s %s) is incorrect.", r.rec.Name, name)}
	}
	return nil, nil
}

// checkDeployment refuses a deployment to a server whose
// user_data_format is not SOFTWARE_CONFIG, as Heat does.
func checkDeployment(s *stack, _ *resource, props map[string]any) error {
	server, _ := props["server"].(string)
	for _, r := range s.resources {
		if r.rec.Name != server && (r.rec.PhysicalID == "" || r.rec.PhysicalID != server) {
			continue
		}
		pr, _ := r.def.Properties.(map[string]any)
		if f, ok := pr["user_data_format"].(string); ok && f != "SOFTWARE_CONFIG" {
			return &hot.Error{Type: hot.TypeStackValidationFailed, Message: fmt.Sprintf(
				"Resource %s's property user_data_format should be set to SOFTWARE_CONFIG since there are software deployments on it.", server)}
		}
	}
	return nil
}

func newDeploymentGroupKind(name, class string) *kind {
	props := schema{"servers": p(tMap).req().upd()}
	for _, k := range []string{"config", "input_values", "actions", "name", "signal_transport"} {
		props[k] = deploymentProps[k]
	}
	return &kind{
		name: name, class: class, nested: true, props: props,
		attrs: []string{"deploy_stdouts", "deploy_stderrs", "deploy_status_codes"},
		attr:  deploymentGroupAttr, has: func(*resource, string) bool { return true },
	}
}

var (
	deploymentGroupKind = newDeploymentGroupKind("OS::Heat::SoftwareDeploymentGroup", "SoftwareDeploymentGroup")
	deploymentsKind     = newDeploymentGroupKind("OS::Heat::SoftwareDeployments", "SoftwareDeployments")
)

// deploymentGroupChild builds one deployment per server, named by the
// servers map's keys.
func deploymentGroupChild(s *stack, r *resource, props map[string]any, _ bool) (stackDefinition, error) {
	servers, _ := props["servers"].(map[string]any)
	members := map[string]map[string]any{}
	for name, server := range servers {
		mp := map[string]any{"server": server}
		for _, k := range []string{"config", "input_values", "actions", "name", "signal_transport"} {
			if v, ok := props[k]; ok && v != nil {
				mp[k] = v
			}
		}
		members[name] = map[string]any{"type": "OS::Heat::SoftwareDeployment", "properties": mp}
	}
	return groupDefinition(s, members), nil
}

func deploymentGroupAttr(r *resource, key string, path []any) (any, error) {
	child := r.s.e.nestedOf(r)
	if child == nil {
		return nil, nil
	}
	attr := map[string]string{"deploy_stdouts": "deploy_stdout", "deploy_stderrs": "deploy_stderr",
		"deploy_status_codes": "deploy_status_code"}[key]
	if attr == "" {
		attr = key
	}
	servers, _ := r.rec.Props["servers"].(map[string]any)
	child.mu.Lock()
	defer child.mu.Unlock()
	v, err := memberAttrs(r, child, sortedKeys(servers), "attributes", []any{attr})
	return hot.SelectPath(v, path), err
}
