package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// client calls magnumd's API as its noauth default identity (an admin),
// at the latest microversion.
type client struct {
	base string
	http *http.Client
}

// call sends a request and decodes the JSON answer into out (if not nil);
// an answer other than want is an error.
func (c *client) call(ctx context.Context, method, path string, body any, want int, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("OpenStack-API-Version", "container-infra latest")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// raw returns the body of a GET as sent.
func (c *client) raw(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, data)
	}
	return data, err
}

// templateBody is a Kubernetes template of the simulated catalog.
func templateBody(name string) map[string]any {
	return map[string]any{"name": name, "coe": "kubernetes", "image_id": "fedora-coreos-40",
		"external_network_id": "public", "flavor_id": "m1.small", "master_flavor_id": "m1.medium",
		"keypair_id": "default", "network_driver": "flannel", "docker_storage_driver": "overlay2",
		"labels": map[string]any{"kube_tag": "v1.30.1"}}
}

// seed creates templates, and clusters of the first one, and waits until
// every cluster is CREATE_COMPLETE.
func seed(ctx context.Context, c *client, templates, clusters int) error {
	var first struct {
		UUID string `json:"uuid"`
	}
	for i := range templates {
		var out any
		if i == 0 {
			out = &first
		}
		if err := c.call(ctx, "POST", "/v1/clustertemplates", templateBody(fmt.Sprintf("k8s-%03d", i)), http.StatusCreated, out); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, clusters)
	sem := make(chan struct{}, 16)
	for i := range clusters {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			body := map[string]any{"name": fmt.Sprintf("c%05d", i), "cluster_template_id": first.UUID,
				"master_count": 1, "node_count": 1}
			if err := c.call(ctx, "POST", "/v1/clusters", body, http.StatusAccepted, nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return waitBuilt(ctx, c, clusters)
}

// waitBuilt waits until n clusters are CREATE_COMPLETE; a failed one is
// an error.
func waitBuilt(ctx context.Context, c *client, n int) error {
	for {
		done := 0
		err := eachCluster(ctx, c, func(uuid, status string) error {
			if strings.HasSuffix(status, "_FAILED") {
				return fmt.Errorf("cluster %s: %s", uuid, status)
			}
			if status == "CREATE_COMPLETE" {
				done++
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Printf("\r%d of %d clusters built", done, n)
		if done >= n {
			fmt.Println()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

// eachCluster calls fn for every cluster, a page of 1000 at a time.
func eachCluster(ctx context.Context, c *client, fn func(uuid, status string) error) error {
	marker := ""
	for {
		var page struct {
			Clusters []struct {
				UUID   string `json:"uuid"`
				Status string `json:"status"`
			} `json:"clusters"`
		}
		path := "/v1/clusters?limit=1000"
		if marker != "" {
			path += "&marker=" + marker
		}
		if err := c.call(ctx, "GET", path, nil, http.StatusOK, &page); err != nil {
			return err
		}
		for _, cl := range page.Clusters {
			if err := fn(cl.UUID, cl.Status); err != nil {
				return err
			}
		}
		if len(page.Clusters) < 1000 {
			return nil
		}
		marker = page.Clusters[len(page.Clusters)-1].UUID
	}
}

// clusterAt returns the UUID of the i-th cluster (in the default order).
func clusterAt(ctx context.Context, c *client, i int) (string, error) {
	n, found := 0, ""
	err := eachCluster(ctx, c, func(uuid, _ string) error {
		if n == i {
			found = uuid
		}
		n++
		return nil
	})
	if err == nil && found == "" {
		err = fmt.Errorf("there are %d clusters, not %d", n, i+1)
	}
	return found, err
}
