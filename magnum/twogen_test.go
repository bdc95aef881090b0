package magnum

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

type tinyEntry int

func (tinyEntry) bound() int { return 4 }

// TestTwoGen: the map holds at most its bound, drops the older
// generation as the newer fills, and keeps an entry in use.
func TestTwoGen(t *testing.T) {
	var m twoGen[tinyEntry]
	m.put("used", 1)
	for i := range 10 {
		m.put(strconv.Itoa(i), tinyEntry(i))
		_, ok := m.get("used") // in use: moved to the newer generation
		assert.True(t, ok, "after %d puts", i+1)
		assert.LessOrEqual(t, len(m.cur)+len(m.old), 4)
	}
	_, ok := m.get("0")
	assert.False(t, ok, "the oldest entry was dropped")
	v, ok := m.get("9")
	assert.True(t, ok)
	assert.Equal(t, tinyEntry(9), v)
	m.forget("9")
	_, ok = m.get("9")
	assert.False(t, ok)
}
