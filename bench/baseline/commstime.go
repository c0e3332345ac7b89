// commstime: prefix -> delta -> succ -> prefix, delta -> consumer; 4 communications per loop.
package main

func commstime(cfg *config) {
	a, b, c, d := make(chan int64), make(chan int64), make(chan int64), make(chan int64)
	go func() { // prefix
		a <- 0
		for {
			a <- <-c
		}
	}()
	go func() { // delta
		for {
			v := <-a
			b <- v
			d <- v
		}
	}()
	go func() { // succ
		for {
			c <- <-b + 1
		}
	}()
	ns := nsPerOp(cfg, 4, func(n int) { // the consumer
		for i := 0; i < n; i++ {
			<-d
		}
	})
	emit("bench", "commstime", "impl", "go", "us_per_comm", round(ns/1000))
}
