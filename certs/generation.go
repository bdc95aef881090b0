package certs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A cluster's material is stored by generation: IssueCluster writes
// generation 1, each Rotate the next one. An entry is named
// "g<generation>.<slot>", the slots being the three CAs and the admin
// certificate. The admin certificate is written last and deleted first, so
// a generation holding all four slots is complete; anything else is debris
// of an interrupted call, removed by the next IssueCluster, Rotate,
// FinishRotation or Delete. The current generation is the newest complete
// one; older complete generations are superseded (a rotation in progress).

const adminSlot = "admin"

// caSlot names the slot of a CA kind.
func caSlot(k CAKind) string { return "ca-" + string(k) }

// slotsInOrder lists a generation's slots in the order they are written.
func slotsInOrder() []string {
	return []string{caSlot(Kubernetes), caSlot(Etcd), caSlot(FrontProxy), adminSlot}
}

// entryName is the store name of a slot in a generation.
func entryName(gen int, slot string) string { return "g" + strconv.Itoa(gen) + "." + slot }

// parseEntryName splits a store name; ok is false for foreign names.
func parseEntryName(name string) (gen int, slot string, ok bool) {
	g, slot, found := strings.Cut(name, ".")
	if !found || !strings.HasPrefix(g, "g") {
		return 0, "", false
	}
	gen, err := strconv.Atoi(g[1:])
	if err != nil || gen < 1 || !slices.Contains(slotsInOrder(), slot) {
		return 0, "", false
	}
	return gen, slot, true
}

// generations is what a cluster's store entries say about its state.
type generations struct {
	current    int   // newest complete generation, 0 when none
	superseded []int // older complete generations, newest first
	partial    []int // incomplete generations (debris)
	names      map[int][]string
}

// loadGenerations lists the cluster's entries and classifies them.
func (m *Manager) loadGenerations(ctx context.Context, cluster string) (generations, error) {
	names, err := m.store.List(ctx, cluster)
	if err != nil {
		return generations{}, fmt.Errorf("list certificates of cluster %s: %w", cluster, err)
	}
	g := generations{names: map[int][]string{}}
	for _, n := range names {
		if gen, _, ok := parseEntryName(n); ok {
			g.names[gen] = append(g.names[gen], n)
		}
	}
	gens := make([]int, 0, len(g.names))
	for gen := range g.names {
		gens = append(gens, gen)
	}
	slices.Sort(gens)
	slices.Reverse(gens)
	for _, gen := range gens {
		switch {
		case len(g.names[gen]) < len(slotsInOrder()):
			g.partial = append(g.partial, gen)
		case g.current == 0:
			g.current = gen
		default:
			g.superseded = append(g.superseded, gen)
		}
	}
	return g, nil
}

// newest returns the highest generation number seen, complete or not.
func (g generations) newest() int {
	n := 0
	for gen := range g.names {
		n = max(n, gen)
	}
	return n
}

// dropGenerations deletes every entry of the given generations, the admin
// certificate of each first so that an interrupted drop leaves debris and
// never a generation that looks complete.
func (m *Manager) dropGenerations(ctx context.Context, cluster string, gens ...int) error {
	for _, gen := range gens {
		slots := slotsInOrder()
		slices.Reverse(slots)
		for _, slot := range slots {
			if err := m.store.Delete(ctx, cluster, entryName(gen, slot)); err != nil {
				return fmt.Errorf("delete %s of cluster %s: %w", entryName(gen, slot), cluster, err)
			}
		}
	}
	return nil
}

// requireCurrent returns the current generation or ErrNotFound.
func (g generations) requireCurrent(cluster string) (int, error) {
	if g.current == 0 {
		return 0, fmt.Errorf("cluster %s: %w", cluster, ErrNotFound)
	}
	return g.current, nil
}
