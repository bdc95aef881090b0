package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// loadResult is what a load run measured.
type loadResult struct {
	requests int
	elapsed  time.Duration
	p50, p99 time.Duration
	// latencies are the requests' latencies, sorted.
	latencies []time.Duration
}

// add merges two load runs.
func (r loadResult) add(o loadResult) loadResult {
	lat := slices.Concat(r.latencies, o.latencies)
	slices.Sort(lat)
	return loadResult{requests: r.requests + o.requests, elapsed: r.elapsed + o.elapsed,
		p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], latencies: lat}
}

// rate is the requests per second.
func (r loadResult) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// load sends GET url from conns keep-alive connections for d and checks
// that every answer is 200 with a body of about want's size (the objects
// magnumd shows may change meanwhile: the health monitor runs).
func load(ctx context.Context, url string, want []byte, conns int, d time.Duration) (loadResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	lat := make([][]time.Duration, conns)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range conns {
		wg.Go(func() { lat[i], errs[i] = hammer(ctx, client, url, want) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for i := range conns {
		if errs[i] != nil {
			return loadResult{}, errs[i]
		}
		all = append(all, lat[i]...)
	}
	if len(all) == 0 {
		return loadResult{}, fmt.Errorf("GET %s: no request finished in %s", url, d)
	}
	slices.Sort(all)
	return loadResult{requests: len(all), elapsed: elapsed, p50: all[len(all)/2], p99: all[len(all)*99/100], latencies: all}, nil
}

// hammer sends requests one after the other until ctx is done and returns
// their latencies.
func hammer(ctx context.Context, client *http.Client, url string, want []byte) ([]time.Duration, error) {
	var lat []time.Duration
	buf := make([]byte, 0, len(want)+512)
	for ctx.Err() == nil {
		t0 := time.Now()
		body, status, err := get(ctx, client, url, buf)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK || len(body) < len(want)*9/10 || len(body) > len(want)*11/10 {
			return nil, fmt.Errorf("GET %s: status %d, %d bytes, want 200 and about the %d bytes first read", url, status, len(body), len(want))
		}
		lat = append(lat, time.Since(t0))
		buf = body[:0]
	}
	return lat, nil
}

// get reads url's body into buf.
func get(ctx context.Context, client *http.Client, url string, buf []byte) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b := bytes.NewBuffer(buf)
	_, err = io.Copy(b, resp.Body)
	return b.Bytes(), resp.StatusCode, err
}
