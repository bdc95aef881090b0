package api_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/magnum"
)

// Serving the service over HTTP in development mode: requests act as the
// identity their X-User-Id, X-Project-Id and X-Roles headers name.
func ExampleNewHandler() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := magnum.New(ctx, magnum.WithDataDir(dir), magnum.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()

	srv := httptest.NewServer(api.NewHandler(svc, api.WithAuthenticator(api.NoAuth{}), api.WithLogger(logger)))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/v1/clustertemplates", nil)
	req.Header.Set("X-User-Id", "u1")
	req.Header.Set("X-Project-Id", "p1")
	req.Header.Set("X-Roles", "reader")
	req.Header.Set("OpenStack-API-Version", "container-infra latest")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, resp.Header.Get("OpenStack-API-Version"))
	fmt.Println(string(body))
	// Output:
	// 200 OK container-infra 1.14
	// {"clustertemplates":[]}
}
