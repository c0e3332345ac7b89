"""What the multiprocessing baselines share: timing as Google Benchmark does, bench/run.sh's JSON
lines, and the command line. Standard library only."""

import argparse
import json
import statistics
import time


def emit(**fields):
    print(json.dumps(fields), flush=True)


def round4(v):
    """4 significant digits, without a fraction when there is none left."""
    v = float(f"{v:.4g}")
    return int(v) if v.is_integer() else v


def seconds_per_op(args, ops, run):
    """Times run(n), n iterations of `ops` operations each: n grows until one run lasts
    --min-time (as Google Benchmark does), then the median of --reps such runs, per op."""
    def timed(n):
        start = time.perf_counter()
        run(n)
        return time.perf_counter() - start

    n = 1
    d = timed(n)
    while d < args.min_time:
        n = int(n * min(10.0, 1.4 * args.min_time / d if d > 0 else 10.0)) + 1
        d = timed(n)
    return statistics.median(timed(n) / (n * ops) for _ in range(args.reps))


def main(doc, figures):
    """Runs the figure named on the command line: [--reps 3] [--min-time 0.5] FIGURE."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions; the median is reported")
    parser.add_argument("--min-time", type=float, default=0.5,
                        help="least duration of one repetition, in seconds")
    parser.add_argument("figure", choices=sorted(figures))
    args = parser.parse_args()
    figures[args.figure](args)
