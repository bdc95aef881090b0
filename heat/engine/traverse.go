package engine

import (
	"context"
	"sync"
)

// traversal runs work on every node of a dependency graph, each node as
// soon as all its prerequisites are done, concurrently. After the first
// failure no new node starts; nodes already running finish. onFail is
// called once, at the first failure, so the stack can be marked failed
// while those nodes finish.
type traversal struct {
	nodes  []string
	prereq func(string) []string
	work   func(ctx context.Context, node string) error
	onFail func(error)
}

func (t *traversal) run(ctx context.Context) error {
	waiting := make(map[string]int, len(t.nodes))
	dependents := make(map[string][]string, len(t.nodes))
	in := make(map[string]bool, len(t.nodes))
	for _, n := range t.nodes {
		in[n] = true
	}
	for _, n := range t.nodes {
		for _, p := range t.prereq(n) {
			if in[p] {
				waiting[n]++
				dependents[p] = append(dependents[p], n)
			}
		}
	}
	return t.loop(ctx, waiting, dependents)
}

type result struct {
	node string
	err  error
}

func (t *traversal) loop(ctx context.Context, waiting map[string]int, dependents map[string][]string) error {
	results := make(chan result)
	var wg sync.WaitGroup
	running, failed := 0, error(nil)
	start := func(n string) {
		running++
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- result{n, t.work(ctx, n)}
		}()
	}
	for _, n := range t.nodes {
		if waiting[n] == 0 {
			start(n)
		}
	}
	for running > 0 {
		res := <-results
		running--
		if res.err == nil && ctx.Err() != nil {
			res.err = ctx.Err()
		}
		if res.err != nil {
			if failed == nil {
				failed = res.err
				if t.onFail != nil {
					t.onFail(res.err)
				}
			}
			continue
		}
		for _, d := range dependents[res.node] {
			if waiting[d]--; waiting[d] == 0 && failed == nil {
				start(d)
			}
		}
	}
	wg.Wait()
	return failed
}
