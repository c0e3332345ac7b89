// pingpong: a message goes to an echo goroutine and back over two unbuffered channels.
package main

func pingpong(cfg *config) {
	ping, pong := make(chan int64), make(chan int64)
	go func() {
		for {
			pong <- <-ping
		}
	}()
	ns := nsPerOp(cfg, 2, func(n int) {
		for i := 0; i < n; i++ {
			ping <- 1
			<-pong
		}
	})
	emit("bench", "pingpong", "impl", "go", "ns_per_msg", round(ns))
}
