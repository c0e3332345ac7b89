#!/usr/bin/env python3
"""Turns Google Benchmark's JSON (--benchmark_format=json) into bench/run.sh's JSON lines.

A benchmark named "<bench>/<impl>[/args...]" whose label is a metric ("us_per_comm",
"ns_per_msg", "ops_per_s") and whose counter "ops" says how many operations one iteration was
(bench_support.hpp's bench::report) becomes one line {"bench", "impl", <other counters>,
<metric>}. The median of the repetitions is used when there are several. Lines with the same
bench, impl and other counters (select's ns_per_select and ns_per_read) are merged into one.

Usage: gbench_lines.py [FILE]   (reads stdin without FILE)
"""

import json
import sys

TIME_UNITS_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Numeric fields of every Google Benchmark run, and bench::report's "ops": the rest are counters
# to carry over (processes, guards, bytes_per_process).
NOT_COUNTERS = {"family_index", "per_family_instance_index", "repetition_index", "repetitions",
                "threads", "iterations", "real_time", "cpu_time", "ops"}


def metric_value(metric, ns_per_op):
    """A time per operation in the metric's unit ("us_per_x"), or a rate ("x_per_s")."""
    head, _, tail = metric.partition("_per_")
    if head in TIME_UNITS_NS:
        return ns_per_op / TIME_UNITS_NS[head]
    if tail == "s":
        return 1e9 / ns_per_op
    raise ValueError(f"metric {metric!r} is neither <unit>_per_<op> nor <op>_per_s")


def number(v):
    """4 significant digits, without a fraction when there is none left."""
    v = float(f"{v:.4g}")
    return int(v) if v.is_integer() else v


def lines(report):
    runs = report["benchmarks"]
    if any(r.get("run_type") == "aggregate" for r in runs):
        runs = [r for r in runs if r.get("aggregate_name") == "median"]
    merged = {}
    for r in runs:
        if r.get("error_occurred"):
            print(f"gbench_lines: {r['name']}: {r.get('error_message')}", file=sys.stderr)
            continue
        bench, impl = r["run_name"].split("/")[:2]
        counters = {k: number(v) for k, v in r.items()
                    if isinstance(v, (int, float)) and k not in NOT_COUNTERS}
        ns_per_op = r["real_time"] * TIME_UNITS_NS[r["time_unit"]] / r["ops"]
        key = (bench, impl, tuple(sorted(counters.items())))
        line = merged.setdefault(key, {"bench": bench, "impl": impl, **counters})
        line[r["label"]] = number(metric_value(r["label"], ns_per_op))
    return list(merged.values())


def main():
    with (open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin) as f:
        text = f.read()
    if not text.strip():
        sys.exit("gbench_lines: no benchmark output")
    for line in lines(json.loads(text)):
        print(json.dumps(line))


if __name__ == "__main__":
    main()
