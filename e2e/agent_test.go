package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
)

// agent stands in for a node's Heat agent (os-collect-config and
// heat-config): it reads the node's metadata from Heat with the
// credentials Heat put in the node's boot data, and signals each software
// deployment found there as heat-config-notify would after applying it
// (the HEAT_SIGNAL transport). The drivers use deployments to reconfigure
// nodes on upgrades and CA rotations.
type agent struct {
	userID, password, authURL, projectID string
	stack, resource                      string
	client                               *gophercloud.ServiceClient
	done                                 map[string]bool // deployments signalled
}

// collectConfig is the part of cfn-init-data the agent reads.
type collectConfig struct {
	OSCollectConfig struct {
		Heat struct {
			UserID       string `json:"user_id"`
			Password     string `json:"password"`
			AuthURL      string `json:"auth_url"`
			ProjectID    string `json:"project_id"`
			StackID      string `json:"stack_id"`
			ResourceName string `json:"resource_name"`
		} `json:"heat"`
	} `json:"os-collect-config"`
}

// newAgent finds the agent's configuration in a node's boot data; nil if
// the node has none.
func newAgent(texts []string) *agent {
	for _, t := range texts {
		if !strings.Contains(t, `"os-collect-config"`) {
			continue
		}
		var cc collectConfig
		if json.Unmarshal([]byte(t), &cc) != nil || cc.OSCollectConfig.Heat.UserID == "" {
			continue
		}
		h := cc.OSCollectConfig.Heat
		return &agent{userID: h.UserID, password: h.Password, authURL: h.AuthURL, projectID: h.ProjectID,
			stack: h.StackID, resource: h.ResourceName, done: map[string]bool{}}
	}
	return nil
}

// derivedConfig is one deployment in a node's metadata: a derived config.
type derivedConfig struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Inputs []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
	} `json:"inputs"`
}

func (d derivedConfig) input(name string) string {
	for _, in := range d.Inputs {
		if in.Name == name {
			s, _ := in.Value.(string)
			return s
		}
	}
	return ""
}

// poll reads the node's metadata and signals the deployments it has not
// signalled yet.
func (a *agent) poll(ctx context.Context) error {
	if a.client == nil {
		sc, err := heatClient(ctx, a.authURL, a.userID, a.password, a.projectID)
		if err != nil {
			return err
		}
		a.client = sc
	}
	var md struct {
		Metadata struct {
			Deployments []derivedConfig `json:"deployments"`
		} `json:"metadata"`
	}
	_, err := a.client.Get(ctx, a.client.ServiceURL("stacks", a.stack, "resources", a.resource, "metadata"), &md, nil)
	if err != nil {
		return fmt.Errorf("reading metadata: %w", err)
	}
	for _, d := range md.Metadata.Deployments {
		if a.done[d.ID] || d.input("deploy_signal_transport") != "HEAT_SIGNAL" {
			continue
		}
		if err := signalDeployment(ctx, d); err != nil {
			return fmt.Errorf("deployment %s: %w", d.Name, err)
		}
		a.done[d.ID] = true
	}
	return nil
}

// signalDeployment reports a deployment applied, as heat-config-notify
// does: a resource signal with the deploy_* credentials of its inputs.
func signalDeployment(ctx context.Context, d derivedConfig) error {
	sc, err := heatClient(ctx, d.input("deploy_auth_url"), d.input("deploy_user_id"), d.input("deploy_password"),
		d.input("deploy_project_id"))
	if err != nil {
		return err
	}
	body := map[string]any{"deploy_status_code": 0, "deploy_stdout": "applied by the e2e guest stand-in", "deploy_stderr": ""}
	url := sc.ServiceURL("stacks", d.input("deploy_stack_id"), "resources", d.input("deploy_resource_name"), "signal")
	_, err = sc.Post(ctx, url, body, nil, &gophercloud.RequestOpts{OkCodes: []int{200}})
	return err
}

// heatClient authenticates a Heat stack user, scoped to its project.
func heatClient(ctx context.Context, authURL, userID, password, projectID string) (*gophercloud.ServiceClient, error) {
	if !strings.HasPrefix(authURL, "http://127.0.0.1:") {
		return nil, fmt.Errorf("not authenticating at %q: not a loopback URL", authURL)
	}
	p, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: authURL, UserID: userID,
		Password: password, Scope: &gophercloud.AuthScope{ProjectID: projectID}})
	if err != nil {
		return nil, fmt.Errorf("authenticating %s: %w", userID, err)
	}
	return openstack.NewOrchestrationV1(p, gophercloud.EndpointOpts{Region: "RegionOne"})
}
