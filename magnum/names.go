package magnum

import (
	"math/rand/v2"
	"regexp"
	"strconv"

	"github.com/google/uuid"
)

var greekLetters = []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
	"lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"}

// generateName returns a human-readable name such as "beta-7-cluster", as
// Magnum names what the user left unnamed.
func generateName(suffix string) string {
	return greekLetters[rand.IntN(len(greekLetters))] + "-" + strconv.Itoa(1+rand.IntN(24)) + "-" + suffix
}

func newUUID() string { return uuid.NewString() }

// isUUID reports whether an identifier looks like a UUID, in which case
// Magnum matches it against UUIDs only, never names.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && (len(s) == 36 || len(s) == 32)
}

var clusterName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]*$`)

// validateClusterName applies Magnum's rule for cluster (and federation)
// names: 1 to 242 characters, a letter first, then letters, digits, '_',
// '.' and '-'.
func validateClusterName(name string) error {
	if len(name) < 1 || len(name) > 242 || !clusterName.MatchString(name) {
		return invalidf("Invalid input for field/attribute name. Value: '%s'. Cluster name must start with alphabets and "+
			"contain only alphabets, digits, '_', '.' and '-', and at most 242 characters.", name)
	}
	return nil
}
