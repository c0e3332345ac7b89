#!/usr/bin/env python3
"""Python multiprocessing baselines of bench/remote.cpp for bench/run.sh: two OS processes.
remote_rtt: a message to an echoing process and back over a multiprocessing.Pipe.
remote_throughput: small items from one process to another through a multiprocessing.Queue.
Standard library only.

Usage: multiprocessing_remote.py [--reps 3] [--min-time 0.5] FIGURE
"""

import multiprocessing as mp

from mp_common import emit, main, round4, seconds_per_op

BURST = 2000


def echo(conn):
    while True:
        conn.send(conn.recv())


def remote_rtt(args):
    here, there = mp.Pipe()
    p = mp.Process(target=echo, args=(there,), daemon=True)
    p.start()

    def round_trips(n):
        for _ in range(n):
            here.send(1)
            here.recv()

    s = seconds_per_op(args, 1, round_trips)
    p.terminate()
    p.join()
    emit(bench="remote_rtt", impl="python", us_per_roundtrip=round4(s * 1e6))


def pump(ask, q):
    while True:
        for i in range(ask.get()):
            q.put(i)


def remote_throughput(args):
    ask, q = mp.Queue(), mp.Queue()
    p = mp.Process(target=pump, args=(ask, q), daemon=True)
    p.start()

    def bursts(n):
        for _ in range(n):
            ask.put(BURST)
            for _ in range(BURST):
                q.get()

    s = seconds_per_op(args, BURST, bursts)
    p.terminate()
    p.join()
    emit(bench="remote_throughput", impl="python", msgs_per_s=round4(1 / s))


if __name__ == "__main__":
    main(__doc__, {"remote_rtt": remote_rtt, "remote_throughput": remote_throughput})
