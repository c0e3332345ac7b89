#!/usr/bin/env python3
"""Python multiprocessing baselines for the shared-state figures of bench/shared/*.cpp, printing
bench/run.sh's JSON lines. Standard library only.

value_update: two processes each run `with v.get_lock(): v.value += 1` on a multiprocessing.Value.
manager_dict: `d[k] = v` on a Manager dict, from one process ("python") and from two at once
              ("python_2proc"); a Manager dict has no atomic update, so this is its fastest op.
queue:        one producer puts on a multiprocessing.Queue, one consumer gets.

Usage: multiprocessing_shared.py [--reps 3] [--min-time 0.5] FIGURE
"""

import multiprocessing as mp

from mp_common import emit, main, round4, seconds_per_op


def rate(args, ops, run):
    """Operations per second of run(n), n rounds of `ops` operations."""
    return round4(1 / seconds_per_op(args, ops, run))


def run_all(targets):
    procs = [mp.Process(target=t[0], args=t[1:]) for t in targets]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


PER_PROCESS = 20000


def add_locked(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def value_update(args):
    v = mp.Value("l", 0)
    ops = 2 * PER_PROCESS
    emit(bench="value_update", impl="python",
         ops_per_s=rate(args, ops, lambda n: run_all([(add_locked, v, n * PER_PROCESS)] * 2)))


def set_keys(d, n, offset):
    for i in range(n):
        d[(i + offset) % 100] = i


def manager_dict(args):
    with mp.Manager() as manager:
        d = manager.dict()
        per = 2000
        emit(bench="manager_dict", impl="python",
             ops_per_s=rate(args, per, lambda n: set_keys(d, n * per, 0)))
        emit(bench="manager_dict", impl="python_2proc",
             ops_per_s=rate(args, 2 * per,
                            lambda n: run_all([(set_keys, d, n * per, 0), (set_keys, d, n * per, 50)])))


ITEMS = 50000


def produce(q, n):
    for i in range(n):
        q.put(i)


def consume(q, n):
    for _ in range(n):
        q.get()


def queue(args):
    q = mp.Queue()
    emit(bench="queue", impl="python",
         items_per_s=rate(args, ITEMS, lambda n: run_all([(produce, q, n * ITEMS), (consume, q, n * ITEMS)])))


FIGURES = {"value_update": value_update, "manager_dict": manager_dict, "queue": queue}

if __name__ == "__main__":
    main(__doc__, FIGURES)
