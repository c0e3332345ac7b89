#!/usr/bin/python3
"""Bar charts of bench/run.sh's JSON lines: one PNG per benchmark, one panel per metric, one bar
per implementation (grouped by guard count for select).

Runs with Debian's /usr/bin/python3, which has matplotlib from python3-matplotlib
(apt-get install python3-matplotlib); a `python3` found first on PATH (pyenv) may lack it.

Usage: bench/plot.py [-o DIR] [FILE...]     (reads stdin without FILE; writes DIR/<bench>.png)
Example: bench/run.sh | tee bench.jsonl | bench/plot.py -o bench-plots
"""

import argparse
import collections
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)
import matplotlib.ticker  # noqa: E402

IMPL_ORDER = ["csp", "go", "thread", "python"]
COLORS = {"csp": "#1b9e77", "go": "#7570b3", "thread": "#d95f02", "python": "#e6ab02"}


def is_metric(key, value):
    return isinstance(value, (int, float)) and ("_per_" in key or key == "max_processes")


def read_lines(files):
    for f in files:
        for line in f:
            if line.strip():
                yield json.loads(line)


def figure_name(row):
    # --max-processes lines answer a different question than the token ring's timing lines.
    return row["bench"] + ("_max_processes" if "max_processes" in row else "")


def label(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def impl_label(row):
    """The implementation, and the ring size when it differs from the others' (thread)."""
    text = row["impl"]
    if "processes" in row and "max_processes" not in row:
        text += f"\n{row['processes']:,} processes"
    return text


def footnotes(rows, groups):
    """The memory budget, and the lines' text fields (how Go selects, how max_processes was
    found) per implementation and, where they differ between groups, the groups they apply to."""
    where = collections.defaultdict(list)
    for r in rows:
        for k, v in r.items():
            if isinstance(v, str) and k not in ("bench", "impl"):
                where[(r["impl"], k, v)].append(r.get("guards"))
    budgets = {r["budget_bytes"] for r in rows if "budget_bytes" in r}
    notes = [f"budget: {b / 2**30:g} GiB" for b in sorted(budgets)]
    for (impl, key, value), in_groups in where.items():
        scope = "" if len(in_groups) == len(groups) else \
            " (" + ", ".join(str(g) for g in in_groups) + " guards)"
        notes.append(f"{impl} {key}: {value}{scope}")
    return "; ".join(notes)


def plot(name, rows, out_dir):
    metrics = [k for k in dict.fromkeys(k for r in rows for k, v in r.items() if is_metric(k, v))]
    groups = sorted({r.get("guards") for r in rows}, key=lambda g: (g is None, g))
    impls = sorted({r["impl"] for r in rows},
                   key=lambda i: (IMPL_ORDER.index(i) if i in IMPL_ORDER else len(IMPL_ORDER), i))
    panel_width = max(5.5, 0.6 * len(impls) * len(groups) + 1.5)
    fig, axes = plt.subplots(1, len(metrics), figsize=(panel_width * len(metrics), 4.8),
                             squeeze=False)
    width = 0.8 / len(impls)
    for ax, metric in zip(axes[0], metrics):
        values = [r[metric] for r in rows if metric in r]
        log = max(values) / max(min(values), 1e-12) > 30
        ticks, names = [], []
        for i, impl in enumerate(impls):
            xs, ys = [], []
            for g, group in enumerate(groups):
                for r in rows:
                    if r["impl"] == impl and r.get("guards") == group and metric in r:
                        xs.append(g + (i - (len(impls) - 1) / 2) * width)
                        ys.append(r[metric])
                        ticks.append(xs[-1])
                        names.append(impl_label(r))
            bars = ax.bar(xs, ys, width * 0.92, color=COLORS.get(impl, "#999999"), label=impl)
            ax.bar_label(bars, labels=[label(y) for y in ys], fontsize=8, padding=2)
        if groups == [None]:  # one bar per implementation: name them below the bars
            ax.set_xticks(ticks, names)
        else:
            ax.set_xticks(range(len(groups)), [f"{g} guards" for g in groups])
            ax.legend(fontsize=8, frameon=False)
        if log:
            ax.set_yscale("log")
        elif max(values) >= 1000:  # 2,900,000 rather than 2.9 and a "1e6" above the axis
            ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        ax.margins(y=0.15)
        ax.set_ylabel(metric + (" (log scale)" if log else ""))
        ax.set_title(f"{name}: {metric}", fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
    notes = footnotes(rows, groups)
    if notes:
        fig.text(0.01, 0.01, notes, fontsize=8, color="#555555", va="bottom")
    fig.tight_layout(rect=(0, 0.05 if notes else 0, 1, 1))
    path = out_dir / f"{name}.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--out-dir", default=".", help="where the PNGs go")
    parser.add_argument("files", nargs="*", type=argparse.FileType(), default=[sys.stdin])
    args = parser.parse_args()
    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    by_figure = collections.defaultdict(list)
    for row in read_lines(args.files):
        by_figure[figure_name(row)].append(row)
    if not by_figure:
        sys.exit("plot.py: no JSON lines")
    for name, rows in by_figure.items():
        print(plot(name, rows, out_dir))


if __name__ == "__main__":
    main()
