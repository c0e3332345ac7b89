// tokenring: a token goes round a ring of goroutines, each passing it on plus one.
// bytes_per_process is the growth of resident memory from before the ring is built to after
// its first lap, over its size; -max-processes finds how many fit in -budget.
package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
)

// ring builds a ring of size goroutines, runs root(in, out) as one of them, and returns once
// root has closed out and the close has gone round.
func ring(size int, root func(in <-chan int64, out chan<- int64)) {
	chans := make([]chan int64, size)
	for i := range chans {
		chans[i] = make(chan int64)
	}
	var wg sync.WaitGroup
	wg.Add(size - 1)
	for i := 1; i < size; i++ {
		go func(in <-chan int64, out chan<- int64) {
			defer wg.Done()
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(chans[i-1], chans[i])
	}
	root(chans[size-1], chans[0])
	wg.Wait()
}

func lap(in <-chan int64, out chan<- int64) {
	out <- 0
	<-in
}

func tokenring(cfg *config) {
	if cfg.footprint > 0 {
		printFootprint(cfg.footprint)
		return
	}
	if cfg.maxProcesses {
		maxProcesses(parseSize(cfg.budget))
		return
	}
	size := cfg.processes
	before := resident()
	var perProcess, perHop float64
	ring(size, func(in <-chan int64, out chan<- int64) {
		lap(in, out) // every goroutine has run and parked once
		perProcess = float64(resident()-before) / float64(size)
		perHop = nsPerOp(cfg, float64(size), func(n int) {
			for i := 0; i < n; i++ {
				lap(in, out)
			}
		})
		close(out)
	})
	emit("bench", "tokenring", "impl", "go", "processes", size, "bytes_per_process",
		round(perProcess), "ns_per_hop", round(perHop))
}

// footprint is the resident memory growth of a ring of size goroutines after a lap, measured in
// a fresh OS process: after a bigger ring, this one would reuse memory that ring left resident.
func footprint(size int) int64 {
	self, err := os.Executable()
	if err == nil {
		var out []byte
		cmd := exec.Command(self, "-footprint", strconv.Itoa(size), "tokenring")
		cmd.Stderr = os.Stderr
		if out, err = cmd.Output(); err == nil {
			var grown int64
			if _, err = fmt.Sscan(string(out), &grown); err == nil {
				return grown
			}
		}
	}
	panic(fmt.Sprintf("footprint of %d goroutines: %v", size, err))
}

// printFootprint is what -footprint prints: the growth of a ring of size from before it was built.
func printFootprint(size int) {
	base := resident()
	ring(size, func(in <-chan int64, out chan<- int64) {
		lap(in, out)
		fmt.Println(resident() - base)
		close(out)
	})
}

// maxProcesses finds the largest ring that runs a lap within budget bytes of resident growth,
// as bench/tokenring.cpp does: a ring of 100,000 measures the bytes per goroutine, the next is
// sized 1% under the limit those predict, until one that fits is within 2% of its limit (at
// most 10 rings).
func maxProcesses(budget int64) {
	fits, perProcess, limitedBy := 0, 0.0, "budget"
	for size, attempts := 100000, 0; attempts < 10; attempts++ {
		grown := footprint(size)
		measured := float64(grown) / float64(size)
		fmt.Fprintf(os.Stderr, "tokenring go: %d goroutines: %d bytes resident growth\n", size, grown)
		if grown <= budget && size > fits {
			fits, perProcess = size, measured
		}
		limit := int(float64(budget) / measured)
		if fits > 0 && limit < fits+fits/50 || limitedBy != "budget" {
			break
		}
		next := limit - limit/100
		spare := float64(available()) - (1 << 30)
		if next > size && float64(next-size)*measured > spare {
			next = size + int(math.Max(0, spare)/measured)
			limitedBy = "available memory"
		}
		if next <= fits {
			break
		}
		size = next
	}
	emit("bench", "tokenring", "impl", "go", "max_processes", fits, "budget_bytes", budget,
		"bytes_per_process", round(perProcess), "method", "measured", "limited_by", limitedBy)
}

func resident() int64 {
	var size, pages int64
	f, err := os.Open("/proc/self/statm")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fscan(f, &size, &pages)
	return pages * int64(os.Getpagesize())
}

func available() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	for s := bufio.NewScanner(f); s.Scan(); {
		var kib int64
		if n, _ := fmt.Sscanf(s.Text(), "MemAvailable: %d kB", &kib); n == 1 {
			return kib * 1024
		}
	}
	return 0
}

// parseSize reads "8GiB", "512MiB", "2GB" or a plain number of bytes.
func parseSize(text string) int64 {
	m := regexp.MustCompile(`^([0-9.]+)([KMG]i?B|B)?$`).FindStringSubmatch(text)
	if m == nil {
		fmt.Fprintf(os.Stderr, "gobench: bad size %q\n", text)
		os.Exit(2)
	}
	n, _ := strconv.ParseFloat(m[1], 64)
	units := map[string]float64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
		"KB": 1e3, "MB": 1e6, "GB": 1e9}
	return int64(n * units[m[2]])
}
