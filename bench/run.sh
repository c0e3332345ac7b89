#!/usr/bin/env bash
# The benchmark suite: builds what it needs (Release), runs each figure for csp and its
# baselines, and prints one JSON line per figure on stdout; progress and notes go to stderr.
#
# Usage: bench/run.sh [--quick] [--processes N] [NAME...]
#        bench/run.sh --max-processes [--budget SIZE]
#        bench/run.sh --list
#   --quick           one short run per figure instead of the median of 3 repetitions
#   --processes N     tokenring's ring size for csp and Go (default 100000; 1000000 works too)
#   --max-processes   tokenring only: how many processes fit in --budget (default 8GiB),
#                     measured by running rings of growing size (see bench/tokenring.cpp)
# Environment: CSP_BENCH_BUILD (build directory, default <repo>/build-bench), PYTHON (for the
# multiprocessing baselines, default Debian's /usr/bin/python3).
set -euo pipefail

# The figures, in order: a name and what measures it. "cpp": bench/<name>.cpp, csp next to the
# std::thread baseline; "go": a figure of bench/baseline/*.go; "python": one of
# bench/baseline/multiprocessing_bench.py (channels) or multiprocessing_shared.py (shared state).
# Adding a figure is one line here (and its programs).
FIGURES=(
  "commstime    cpp go python"
  "pingpong     cpp go python"
  "tokenring    cpp go"
  "select       cpp go python"
  "value_update cpp python"
  "manager_dict cpp python"
  "queue        cpp python"
  "remote_rtt        cpp python"
  "remote_throughput cpp python"
)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${CSP_BENCH_BUILD:-$ROOT/build-bench}
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
QUICK=0 PROCESSES=100000 MAX_PROCESSES=0 BUDGET=8GiB
NAMES=()

note() { echo "run.sh: $*" >&2; }
names() { for f in "${FIGURES[@]}"; do read -r name _ <<<"$f"; echo "$name"; done; }
# What measures figure $1 ("cpp go python"), empty for an unknown name.
impls_of() { for f in "${FIGURES[@]}"; do read -r name impls <<<"$f"; [[ $name == "$1" ]] && echo "$impls"; done; true; }

while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --processes) PROCESSES=$2; shift ;;
    --processes=*) PROCESSES=${1#*=} ;;
    --max-processes) MAX_PROCESSES=1 ;;
    --budget) BUDGET=$2; shift ;;
    --budget=*) BUDGET=${1#*=} ;;
    --list) names; exit 0 ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) note "unknown option '$1' (see --help)"; exit 2 ;;
    *) NAMES+=("$1") ;;
  esac
  shift
done
if ((MAX_PROCESSES)); then
  for n in "${NAMES[@]}"; do [[ $n == tokenring ]] || { note "--max-processes is tokenring's"; exit 2; }; done
  NAMES=(tokenring)
fi
((${#NAMES[@]})) || mapfile -t NAMES < <(names)
for n in "${NAMES[@]}"; do
  if [[ -z $(impls_of "$n") ]]; then
    note "unknown benchmark '$n'; the benchmarks are:"
    names >&2
    exit 2
  fi
done
wanted() { [[ " ${SELECTED_IMPLS[*]} " == *" $1 "* ]]; }
SELECTED_IMPLS=()
for n in "${NAMES[@]}"; do read -ra impls <<<"$(impls_of "$n")"; SELECTED_IMPLS+=("${impls[@]}"); done

# --- build ---------------------------------------------------------------------------------
if wanted cpp; then
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$ROOT" -B "$BUILD" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DCSP_BUILD_TESTS=OFF -DCSP_BUILD_BENCH=ON >&2
  fi
  targets=()
  for n in "${NAMES[@]}"; do [[ " $(impls_of "$n") " == *" cpp "* ]] && targets+=("bench_$n"); done
  cmake --build "$BUILD" --parallel 2 --target "${targets[@]}" >&2
fi
GO=0 PY=0
if wanted go; then
  if command -v go >/dev/null; then
    (cd "$ROOT/bench/baseline" && go build -o "$BUILD/gobench" .) && GO=1
  else
    note "go is not installed: no Go baselines"
  fi
fi
if wanted python; then
  if [[ -n $PYTHON ]]; then PY=1; else note "python3 is not installed: no Python baselines"; fi
fi
CONVERT=${PYTHON:-python3}

# --- run -----------------------------------------------------------------------------------
if ((QUICK)); then
  GB_ARGS=(--benchmark_repetitions=1 --benchmark_min_time=0.05) REPS=1 MIN_TIME=0.05
else
  GB_ARGS=(--benchmark_repetitions=3 --benchmark_report_aggregates_only=true) REPS=3 MIN_TIME=0.5
fi

# Flags a figure's programs take beyond the common ones: impl name, figure name.
extra_args() {
  case $2/$1 in
    tokenring/cpp) echo "--processes=$PROCESSES"; ((QUICK)) && echo "--hops=200000" ;;
    tokenring/go) echo "-processes $PROCESSES" ;;
  esac
  true
}

run_impl() {  # impl figure
  local args
  read -ra args <<<"$(extra_args "$1" "$2" | tr '\n' ' ')"
  case $1 in
    cpp) "$BUILD/bench/bench_$2" --benchmark_format=json "${GB_ARGS[@]}" "${args[@]}" |
           "$CONVERT" "$ROOT/bench/gbench_lines.py" ;;
    go) ((GO)) || return 0
        "$BUILD/gobench" -reps "$REPS" -min-time "${MIN_TIME}s" "${args[@]}" "$2" ;;
    python) ((PY)) || return 0
            local script=multiprocessing_bench.py
            [[ $2 == value_update || $2 == manager_dict || $2 == queue ]] && script=multiprocessing_shared.py
            [[ $2 == remote_* ]] && script=multiprocessing_remote.py
            "$PYTHON" "$ROOT/bench/baseline/$script" \
              --reps "$REPS" --min-time "$MIN_TIME" "$2" ;;
  esac
}

failed=0
if ((MAX_PROCESSES)); then
  "$BUILD/bench/bench_tokenring" --max-processes "--budget=$BUDGET" || failed=1
  if ((GO)); then "$BUILD/gobench" -max-processes -budget "$BUDGET" tokenring || failed=1; fi
  exit $failed
fi
for n in "${NAMES[@]}"; do
  for impl in $(impls_of "$n"); do
    start=$SECONDS
    run_impl "$impl" "$n" || { note "$n ($impl) failed"; failed=1; }
    note "$n ($impl): $((SECONDS - start)) s"
  done
done
exit $failed
