// select: a writer sends to channel i % n; the reader takes each message by a select over all
// n channels, or by a plain receive from channel i % n. A select statement for 2 and 8
// channels (what Go code writes), reflect.Select for 64 (nobody writes 64 cases).
package main

import "reflect"

func selectFigure(cfg *config) {
	for _, n := range []int{2, 8, 64} {
		n := n // the writer goroutine outlives this iteration (Go 1.19 shares loop variables)
		chans := make([]chan int64, n)
		for i := range chans {
			chans[i] = make(chan int64)
		}
		go func() {
			for i := 0; ; i++ {
				chans[i%n] <- int64(i)
			}
		}()
		how, sel := selector(chans)
		perSelect := nsPerOp(cfg, 1, func(iters int) {
			for i := 0; i < iters; i++ {
				sink = sel()
			}
		})
		next := int(sink+1) % n // the channel the writer waits on after the selects
		perRead := nsPerOp(cfg, 1, func(iters int) {
			for i := 0; i < iters; i++ {
				sink = <-chans[next]
				next = (next + 1) % n
			}
		})
		emit("bench", "select", "impl", "go", "guards", n, "ns_per_select", round(perSelect),
			"ns_per_read", round(perRead), "how", how)
	}
}

var sink int64

func selector(c []chan int64) (string, func() int64) {
	switch len(c) {
	case 2:
		return "select statement", func() int64 {
			select {
			case v := <-c[0]:
				return v
			case v := <-c[1]:
				return v
			}
		}
	case 8:
		return "select statement", func() int64 {
			select {
			case v := <-c[0]:
				return v
			case v := <-c[1]:
				return v
			case v := <-c[2]:
				return v
			case v := <-c[3]:
				return v
			case v := <-c[4]:
				return v
			case v := <-c[5]:
				return v
			case v := <-c[6]:
				return v
			case v := <-c[7]:
				return v
			}
		}
	}
	cases := make([]reflect.SelectCase, len(c))
	for i := range c {
		cases[i] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(c[i])}
	}
	return "reflect.Select", func() int64 {
		_, v, _ := reflect.Select(cases)
		return v.Int()
	}
}
