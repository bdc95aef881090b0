// Package testenv tells tests where the real components they run against
// are (a real Heat, Keystone, PostgreSQL, Barbican, the OpenStack CLI) and
// decides what happens when one is missing: on a developer machine the
// test is skipped; in CI (GOMAGNUM_REQUIRE_REAL=1) it fails.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Environment variables naming the real components.
const (
	// RequireReal set to 1 turns a missing component into a failure.
	RequireReal = "GOMAGNUM_REQUIRE_REAL"
	// HeatURL is a noauth Heat endpoint including the project,
	// e.g. http://127.0.0.1:8004/v1/admin.
	HeatURL = "GOMAGNUM_HEAT_URL"
	// KeystoneURL is a Keystone v3 endpoint whose catalog lists a Heat,
	// e.g. http://127.0.0.1:5000/v3; the admin user, password and project
	// are in KeystoneUser, KeystonePassword and KeystoneProject.
	KeystoneURL      = "GOMAGNUM_KEYSTONE_URL"
	KeystoneUser     = "GOMAGNUM_KEYSTONE_USER"
	KeystonePassword = "GOMAGNUM_KEYSTONE_PASSWORD"
	KeystoneProject  = "GOMAGNUM_KEYSTONE_PROJECT"
	// PostgresDSN is a PostgreSQL connection string for a database the
	// tests may create schemas in.
	PostgresDSN = "GOMAGNUM_POSTGRES_DSN"
	// BarbicanURL is an unauthenticated Barbican endpoint,
	// e.g. http://127.0.0.1:9311.
	BarbicanURL = "GOMAGNUM_BARBICAN_URL"
)

// Required reports whether missing real components must fail tests.
func Required() bool { return os.Getenv(RequireReal) == "1" }

// Lookup returns the value of the environment variable name, which points
// at the real component what. When it is unset the test is skipped, or
// fails in CI.
func Lookup(t testing.TB, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		missing(t, what+" ("+name+" is not set)")
	}
	return v
}

// Command returns the path of the program name, which the test needs.
// When it is not installed the test is skipped, or fails in CI.
func Command(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" (not on PATH)")
	}
	return p
}

func missing(t testing.TB, what string) {
	t.Helper()
	if Required() {
		t.Fatalf("missing real component: %s", what)
	}
	t.Skipf("skipping: %s is not available here; set it up with scripts/test.sh", what)
}
