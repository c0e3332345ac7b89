// Go baselines for bench/run.sh: the workloads of bench/*.cpp written with goroutines and
// unbuffered channels, printing run.sh's JSON lines. Standard library only.
//
// Usage: gobench [flags] FIGURE (gobench -h lists the flags). One figure per run: goroutines a
// figure leaves blocked (commstime's ring) end with the process.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

type config struct {
	reps         int
	minTime      time.Duration
	processes    int
	maxProcesses bool
	budget       string
	footprint    int
}

var figures = map[string]func(*config){
	"commstime": commstime,
	"pingpong":  pingpong,
	"tokenring": tokenring,
	"select":    selectFigure,
}

func main() {
	var cfg config
	flag.IntVar(&cfg.reps, "reps", 3, "repetitions; the median is reported")
	flag.DurationVar(&cfg.minTime, "min-time", 500*time.Millisecond, "least duration of one repetition")
	flag.IntVar(&cfg.processes, "processes", 100000, "tokenring: goroutines in the ring")
	flag.BoolVar(&cfg.maxProcesses, "max-processes", false, "tokenring: how many goroutines fit in -budget")
	flag.StringVar(&cfg.budget, "budget", "8GiB", "tokenring -max-processes: memory budget")
	flag.IntVar(&cfg.footprint, "footprint", 0, "tokenring: print the memory growth of a ring this big")
	flag.Parse()
	run, ok := figures[flag.Arg(0)]
	if flag.NArg() != 1 || !ok {
		names := make([]string, 0, len(figures))
		for name := range figures {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: gobench [flags] FIGURE; figures: %s\n", strings.Join(names, " "))
		os.Exit(2)
	}
	run(&cfg)
}

// emit prints one JSON line from alternating keys and values, in that order.
func emit(fields ...any) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < len(fields); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(fields[i])
		v, _ := json.Marshal(fields[i+1])
		fmt.Fprintf(&b, "%s: %s", k, v)
	}
	b.WriteString("}")
	fmt.Println(b.String())
}

// round keeps 4 significant digits, as the other implementations' lines do.
func round(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	return r
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// nsPerOp times run(n), n iterations of `ops` operations each: n grows until one run lasts
// minTime (as Google Benchmark does), then the median of reps such runs, in ns per operation.
func nsPerOp(cfg *config, ops float64, run func(n int)) float64 {
	timed := func(n int) time.Duration {
		start := time.Now()
		run(n)
		return time.Since(start)
	}
	n := 1
	for d := timed(n); d < cfg.minTime; d = timed(n) {
		grow := 10.0
		if d > 0 {
			grow = min(10, 1.4*float64(cfg.minTime)/float64(d))
		}
		n = int(float64(n)*grow) + 1
	}
	results := make([]float64, cfg.reps)
	for i := range results {
		results[i] = float64(timed(n).Nanoseconds()) / (float64(n) * ops)
	}
	return median(results)
}

func min(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}
