package engine

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gomagnum/gomagnum/heat"
)

// hundredResources is a 100-resource template: chains of values,
// random strings and test resources referring to each other.
func hundredResources() string {
	var b strings.Builder
	b.WriteString("heat_template_version: 2018-08-31\nparameters:\n  prefix: {type: string, default: p}\nresources:\n")
	for i := range 25 {
		fmt.Fprintf(&b, "  rand%d: {type: OS::Heat::RandomString, properties: {length: 8}}\n", i)
		fmt.Fprintf(&b, "  none%d: {type: OS::Heat::None, properties: {x: {get_attr: [rand%d, value]}}}\n", i, i)
		dep := ""
		if i > 0 {
			dep = fmt.Sprintf(", depends_on: [test%d]", i-1)
		}
		fmt.Fprintf(&b, "  test%d: {type: OS::Heat::TestResource%s, properties: {value: {list_join: [\"-\", [{get_param: prefix}, {get_resource: none%d}]]}}}\n", i, dep, i)
		fmt.Fprintf(&b, "  value%d: {type: OS::Heat::Value, properties: {value: {str_replace: {template: \"v=$V\", params: {$V: {get_attr: [test%d, output]}}}}}}\n", i, i)
	}
	b.WriteString("outputs:\n  last: {value: {get_attr: [value24, value]}}\n")
	return b.String()
}

// createSync creates a stack and waits for its action to end.
func createSync(b testing.TB, e *Engine, name, tmpl string) {
	id, err := e.CreateStack(context.Background(), heat.StackSpec{Name: name, Template: []byte(tmpl)})
	if err != nil {
		b.Fatal(err)
	}
	s, _ := e.lookup(id)
	s.mu.Lock()
	done := s.run.done
	s.mu.Unlock()
	<-done
	if st := s.status(); st != heat.CreateComplete {
		b.Fatalf("%s: %s %s", name, st, s.rec.Reason)
	}
}

// BenchmarkCreate100Resources measures parse, validate and create of a
// 100-resource template with zero delays. Each iteration's template text
// differs (a comment), so the template cache never spares the parse.
func BenchmarkCreate100Resources(b *testing.B) {
	e, err := New(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	tmpl := hundredResources()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		createSync(b, e, fmt.Sprintf("s%d", i), fmt.Sprintf("# %d\n%s", i, tmpl))
	}
}

// BenchmarkCreate100ResourcesCached is the same with one template text,
// as a driver's clusters have: the parse is cached.
func BenchmarkCreate100ResourcesCached(b *testing.B) {
	e, err := New(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	tmpl := hundredResources()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		createSync(b, e, fmt.Sprintf("s%d", i), tmpl)
	}
}

const smallCluster = `
heat_template_version: 2018-08-31
parameters:
  count: {type: number, default: 2}
resources:
  secret: {type: OS::Heat::RandomString}
  config: {type: OS::Heat::Value, properties: {value: {str_replace: {template: "token=$T", params: {$T: {get_attr: [secret, value]}}}}}}
  nodes:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: count}
      resource_def: {type: OS::Heat::TestResource, properties: {value: {get_attr: [config, value]}}}
outputs:
  nodes: {value: {get_attr: [nodes, output]}}
`

// BenchmarkCreate1000StacksConcurrently creates 1,000 small stacks (7
// resources each, with a nested group) at once; one op is all 1,000.
func BenchmarkCreate1000StacksConcurrently(b *testing.B) {
	create1000(b, func() []Option { return nil })
}

// BenchmarkCreate1000StacksStored is BenchmarkCreate1000StacksConcurrently
// with the stacks stored in memory Blobs, in clear and sealed: the
// difference is what sealing every record costs.
func BenchmarkCreate1000StacksStored(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"in-clear", nil},
		{"sealed", []Option{WithSealer(testSealer)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			create1000(b, func() []Option { return append([]Option{WithBlobs(NewMemoryBlobs())}, bc.opts...) })
		})
	}
}

// create1000 creates 1,000 small stacks at once per op, on a new engine
// built with the options opts returns.
func create1000(b *testing.B, opts func() []Option) {
	b.ReportAllocs()
	for n := 0; b.Loop(); n++ {
		e, err := New(context.Background(), opts()...)
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 1000 {
			wg.Go(func() { createSync(b, e, fmt.Sprintf("c%d-%d", n, i), smallCluster) })
		}
		wg.Wait()
		_ = e.Close()
	}
}

// BenchmarkMemoryPerStack reports the heap a created stack keeps (the
// small 7-resource stack of the concurrency benchmark).
func BenchmarkMemoryPerStack(b *testing.B) {
	e, err := New(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	const stacks = 200
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for n := 0; b.Loop(); n++ {
		for i := range stacks {
			createSync(b, e, fmt.Sprintf("m%d-%d", n, i), smallCluster)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(stacks*b.N), "B/stack")
}
