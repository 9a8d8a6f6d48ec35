package main

import (
	"math"
	rtmetrics "runtime/metrics"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// gcPauseBuckets reach past 2 s, so "a single GC pause > 2 s" (the seed's P2 alert) is
// `increase(go_sched_pauses_total_gc_seconds_bucket{le="+Inf"}[1m]) - increase(..._bucket{le="2"}[1m]) > 0`.
var gcPauseBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10}

const gcPauseMetric = "/sched/pauses/total/gc:seconds"

// gcPauseCollector publishes the runtime's histogram of individual GC stop-the-world pauses.
// client_golang's Go collector exports the same runtime metric under the same name, but folds it
// into buckets that end at 0.117 s, where a 2 s threshold cannot be seen.
//
// Each runtime bucket [lo, hi) is counted under the first boundary >= hi, so a pause is never
// reported below its true value (the runtime's buckets near 2 s span 1.88–2.15 s). The runtime keeps
// no sum; _sum adds each bucket's midpoint.
type gcPauseCollector struct {
	desc    *prometheus.Desc
	mu      sync.Mutex
	samples []rtmetrics.Sample
}

func newGCPauseCollector() *gcPauseCollector {
	return &gcPauseCollector{
		desc: prometheus.NewDesc("go_sched_pauses_total_gc_seconds",
			"Distribution of individual GC-related stop-the-world pause latencies (runtime/metrics "+gcPauseMetric+").",
			nil, nil),
		samples: []rtmetrics.Sample{{Name: gcPauseMetric}},
	}
}

func (c *gcPauseCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *gcPauseCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	rtmetrics.Read(c.samples)
	value := c.samples[0].Value
	c.mu.Unlock()
	if value.Kind() != rtmetrics.KindFloat64Histogram {
		return // a runtime without this metric: publish nothing rather than a wrong zero
	}
	count, sum, buckets := rebucket(value.Float64Histogram(), gcPauseBuckets)
	ch <- prometheus.MustNewConstHistogram(c.desc, count, sum, buckets)
}

// rebucket folds a runtime histogram into cumulative counts at the given upper boundaries.
func rebucket(h *rtmetrics.Float64Histogram, bounds []float64) (uint64, float64, map[float64]uint64) {
	perBound := make([]uint64, len(bounds))
	var count uint64
	var sum float64
	for i, n := range h.Counts {
		if n == 0 {
			continue
		}
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		count += n
		sum += float64(n) * midpoint(lo, hi)
		for j, b := range bounds {
			if hi <= b {
				perBound[j] += n
				break
			}
		}
	}
	cumulative := make(map[float64]uint64, len(bounds))
	var running uint64
	for j, b := range bounds {
		running += perBound[j]
		cumulative[b] = running
	}
	return count, sum, cumulative
}

func midpoint(lo, hi float64) float64 {
	switch {
	case math.IsInf(hi, 1):
		return lo
	case math.IsInf(lo, -1) || lo < 0:
		return hi
	default:
		return (lo + hi) / 2
	}
}
