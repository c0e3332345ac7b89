#!/usr/bin/env python3
"""Python multiprocessing baselines for bench/run.sh: the workloads of bench/*.cpp with one OS
process per CSP process and multiprocessing.Pipe connections as channels, printing run.sh's JSON
lines. Standard library only.

Pipes are buffered by the OS, unlike csp's rendezvous channels; where that would change the
workload (select, where exactly one channel must be ready) the writer waits for an
acknowledgement after each message, on both sides of the comparison.

No tokenring figure: a ring of 100,000 OS processes cannot exist here (pid_max is 32768), and a
small ring measures what pingpong does, one pipe wake-up per message.

Usage: multiprocessing_bench.py [--reps 3] [--min-time 0.5] FIGURE
"""

import itertools
import multiprocessing as mp
from multiprocessing.connection import wait

from mp_common import emit, main, round4, seconds_per_op


def ns_per_op(args, ops, run):
    return seconds_per_op(args, ops, run) * 1e9


def channel():
    """A one-way pipe: (reading end, writing end)."""
    return mp.Pipe(duplex=False)


def start(*targets):
    """Starts each (function, *args) in its own OS process; they end with this one."""
    procs = [mp.Process(target=t[0], args=t[1:], daemon=True) for t in targets]
    for p in procs:
        p.start()
    return procs


def stop(procs):
    for p in procs:
        p.terminate()
        p.join()


def prefix(inp, out):
    out.send(0)
    while True:
        out.send(inp.recv())


def delta(inp, out, report):
    while True:
        v = inp.recv()
        out.send(v)
        report.send(v)


def succ(inp, out):
    while True:
        out.send(inp.recv() + 1)


def echo(inp, out):
    while True:
        out.send(inp.recv())


def commstime(args):
    (a_in, a_out), (b_in, b_out), (c_in, c_out), (d_in, d_out) = (channel() for _ in range(4))
    procs = start((prefix, c_in, a_out), (delta, a_in, b_out, d_out), (succ, b_in, c_out))

    def consume(n):
        for _ in range(n):
            d_in.recv()

    ns = ns_per_op(args, 4, consume)
    stop(procs)
    emit(bench="commstime", impl="python", us_per_comm=round4(ns / 1e3))


def pingpong(args):
    (ping_in, ping_out), (pong_in, pong_out) = channel(), channel()
    procs = start((echo, ping_in, pong_out))

    def round_trips(n):
        for _ in range(n):
            ping_out.send(1)
            pong_in.recv()

    ns = ns_per_op(args, 2, round_trips)
    stop(procs)
    emit(bench="pingpong", impl="python", ns_per_msg=round4(ns))


def round_robin(outs, ack):
    for i in itertools.count():
        outs[i % len(outs)].send(i)
        ack.recv()


def select(args):
    for n in (2, 8, 64):
        pipes = [channel() for _ in range(n)]
        ins = [p[0] for p in pipes]
        ack_in, ack_out = channel()
        procs = start((round_robin, [p[1] for p in pipes], ack_in))
        last = -1  # the last message taken: the writer is now on channel (last + 1) % n

        def selects(iters):
            nonlocal last
            for _ in range(iters):
                last = wait(ins)[0].recv()
                ack_out.send(None)

        def reads(iters):
            nonlocal last
            for _ in range(iters):
                last = ins[(last + 1) % n].recv()
                ack_out.send(None)

        per_select = ns_per_op(args, 1, selects)
        per_read = ns_per_op(args, 1, reads)
        stop(procs)
        emit(bench="select", impl="python", guards=n, ns_per_select=round4(per_select),
             ns_per_read=round4(per_read))


FIGURES = {"commstime": commstime, "pingpong": pingpong, "select": select}



if __name__ == "__main__":
    main(__doc__, FIGURES)
