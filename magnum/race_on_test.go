//go:build race

package magnum_test

// raceEnabled reports whether the race detector is on.
const raceEnabled = true
