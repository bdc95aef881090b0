package ui_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/ui"
)

// The dashboard beside the REST API, with the same authenticator and
// policy.
func ExampleNew() {
	svc, err := magnum.New(context.Background(), magnum.WithoutConductor())
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	auth := api.NoAuth{Default: magnum.Caller{UserID: "u1", UserName: "demo", ProjectID: "p1", Roles: []string{"member"}}}
	timeline := ui.NewTimeline(1000, 50) // also given to magnum.New with magnum.WithEventHandler(timeline.Record)
	mux := http.NewServeMux()
	mux.Handle(ui.Prefix, ui.New(svc, ui.WithAuthenticator(auth), ui.WithPolicy(magnum.DefaultRules("")),
		ui.WithTimeline(timeline)))
	mux.Handle("/", api.NewHandler(svc, api.WithAuthenticator(auth)))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/ui/clusters", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	// Output: 200 text/html; charset=utf-8
}
