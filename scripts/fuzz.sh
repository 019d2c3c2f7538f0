#!/usr/bin/env bash
# Builds kcsim's libFuzzer targets (tests/fuzz/) with clang, ASan and UBSan in build-fuzz/, and
# runs them. Targets: loader, scenario, request_trace, chakra, sweep.
#   bash scripts/fuzz.sh                   # every target for 60 s
#   bash scripts/fuzz.sh --ci              # a short deterministic run of each; fails on any finding
#   bash scripts/fuzz.sh TARGET SECONDS    # one target (or "all") for SECONDS each
#   bash scripts/fuzz.sh --build           # build only
# Seeds are made from configs/ and tests/data/ on every run (build-fuzz/seeds/TARGET/). A crash,
# a sanitizer report, an exception other than InputError or InfeasibleError (exit 1), a hang
# (over 60 s) or a memory blow-up (over 2.5 GB, or 1 GB in one allocation) is a finding, written
# to build-fuzz/findings/TARGET/; the script then exits 1. Long runs keep their corpus in
# build-fuzz/corpus/TARGET/ and go on past findings. Replay an input, and see why kcsim rejects
# it: KCSIM_FUZZ_VERBOSE=1 build-fuzz/bin/fuzz_TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(loader scenario request_trace chakra sweep)
# --ci: a fixed seed and a fixed number of runs from the seeds alone (no corpus of earlier runs),
# so every CI run tries the same inputs: 10 to 20 s per target on an idle core.
declare -A ci_runs=([loader]=7000 [scenario]=4000 [request_trace]=15000 [chakra]=4000 [sweep]=8000)
ci_cap_s=25 # a slow machine stops there rather than run on

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}
is_target() {
  local t
  for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done
  return 1
}

mode=long
run_targets=("${targets[@]}")
seconds=60
case "${1:-}" in
  "") ;;
  --ci) mode=ci ;;
  --build) mode=build ;;
  -h | --help) usage 0 ;;
  *)
    [ $# -eq 2 ] || usage
    [[ "$2" =~ ^[0-9]+$ ]] || usage
    seconds=$2
    if [ "$1" != all ]; then
      is_target "$1" || { echo "fuzz.sh: unknown target $1 (${targets[*]})" >&2; exit 2; }
      run_targets=("$1")
    fi
    ;;
esac

build=build-fuzz
bash scripts/install-deps.sh
CC=clang CXX=clang++ cmake -S . -B "$build" -DKCSIM_FUZZ=ON -DKCSIM_BUILD_TESTS=OFF \
  -DKCSIM_BUILD_BENCH=OFF -DKCSIM_MPI=OFF -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" "-DCMAKE_C_FLAGS_DEBUG=-O1 -gline-tables-only" \
  >/dev/null
cmake --build "$build" -j"$(nproc)" --target kcsim_fuzz
[ "$mode" = build ] && exit 0

# Seeds: the repository's own files of each kind, and a few written here for the paths they
# lack (JSON configs, timestamps in seconds, several Chakra ranks in one input).
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{loader,scenario,request_trace,chakra,sweep}
seed() { cp "$2" "$seeds/$1/$(echo "$2" | tr '/' '_')"; }
for f in configs/*/*.textproto tests/data/*/*.textproto; do seed loader "$f"; done
printf '{"name": "j", "nodes": 2, "node": {"chip": "h100-sxm", "devicesPerNode": 8}}\n' \
  >"$seeds/loader/cluster.json"
printf '{"clusterNames": ["dgx-h100"], "serving": {"model": "llama3-8b", "batchSize": 8}}\n' \
  >"$seeds/loader/scenario.json"
for f in configs/scenarios/*.textproto; do seed scenario "$f"; done
for f in configs/sweeps/*.textproto tests/data/sweeps/*.textproto; do seed sweep "$f"; done
# A sweep's inline base is a scenario too.
python3 - "$seeds/scenario" configs/sweeps/*.textproto tests/data/sweeps/*.textproto <<'PY'
import os, re, sys
for path in sys.argv[2:]:
    text = open(path).read()
    start = re.search(r"^base\s*\{", text, re.M)
    if not start:
        continue
    depth, i, quote = 1, start.end(), None
    while i < len(text) and depth:
        c = text[i]
        if quote:
            i += c == "\\"
            quote = None if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == "#":
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
        else:
            depth += (c == "{") - (c == "}")
        i += 1
    base = text[start.end() : i - 1] + "\n"
    if "cluster" not in base:  # the sweep's axes name the clusters
        base += 'cluster_names: "dgx-h100"\n'
    with open(os.path.join(sys.argv[1], "base_" + os.path.basename(path)), "w") as out:
        out.write(base)
PY
for f in tests/data/serving/*.csv; do seed request_trace "$f"; done
printf 'TIMESTAMP,ContextTokens,GeneratedTokens\n0,512,128\n0.25,1024,0\n1.5e0,7,3\n' \
  >"$seeds/request_trace/seconds.csv"
sep=$'\n--kcsim-rank--\n' # kRankSeparator in tests/fuzz/fuzz_inputs.hpp
chakra=tests/data/chakra-dp16/w
seed chakra "$chakra.0.et"
{ cat "$chakra.0.et"; printf '%s' "$sep"; cat "$chakra.1.et"; } >"$seeds/chakra/two-ranks"
{ for r in 0 1 2 3 4 5 6 7; do
  [ $r -gt 0 ] && printf '%s' "$sep"
  cat "$chakra.$r.et"
done; } >"$seeds/chakra/eight-ranks"

# Dictionaries: the schema's field and enum names and the catalogs' entry names for the text
# formats, the column names for CSV.
dicts=$build/dicts
mkdir -p "$dicts"
{
  grep -hoE '^\s*(optional|repeated|required)?\s*[A-Za-z0-9_.]+\s+[a-z][a-z0-9_]*\s*=\s*[0-9]+' \
    configs/schema/*.proto | awk '{print $(NF-2)}'
  grep -hoE '^\s+[A-Z][A-Z0-9_]+\s*=\s*[0-9]+;' configs/schema/*.proto | awk '{print $1}'
  for d in chips models clusters scenarios; do ls configs/$d | sed 's/\.textproto$//'; done
  printf '%s\n' '{' '}' ':' '[' ']' '.' inf -inf nan 1e308 1e-308 -1 0 2147483647 4294967296 \
    true false event analytical base_file ../scenarios/
} | sort -u | sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/' >"$dicts/text.dict"
printf '%s\n' '"TIMESTAMP"' '"ContextTokens"' '"GeneratedTokens"' '","' '"\x0a"' '"\x0d\x0a"' '"#"' \
  '"\xef\xbb\xbf"' '"2023-11-16 18:15:46.6805900"' '"1e308"' '"-1e308"' '"nan"' '"inf"' \
  '"9223372036854775807"' >"$dicts/csv.dict"
declare -A dict=([loader]=text [scenario]=text [sweep]=text [request_trace]=csv [chakra]=)

# The entry points write each input to a file, as kcsim reads it: keep those in memory, in a
# folder of this run's own that goes when it ends (a target that crashes leaves its files).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  TMPDIR=$(mktemp -d /dev/shm/kcsim-fuzz-run.XXXXXX)
  export TMPDIR
  trap 'rm -rf "$TMPDIR"' EXIT
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
failed=()
for t in "${run_targets[@]}"; do
  findings=$build/findings/$t
  mkdir -p "$findings"
  flags=(-timeout=60 -rss_limit_mb=2560 -malloc_limit_mb=1024 -print_final_stats=1
    "-artifact_prefix=$findings/")
  [ -n "${dict[$t]}" ] && flags+=("-dict=$dicts/${dict[$t]}.dict")
  if [ "$mode" = ci ]; then
    corpus=$build/ci-corpus/$t # thrown away: each CI run starts from the seeds
    rm -rf "$corpus"
    flags+=(-seed=1 "-runs=${ci_runs[$t]}" "-max_total_time=$ci_cap_s")
  else
    # Long runs go on past a finding (in a child process that is restarted) to find the rest.
    corpus=$build/corpus/$t
    flags+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 "-max_total_time=$seconds")
  fi
  mkdir -p "$corpus"
  log=$build/fuzz_$t.log
  known=$(find "$findings" -type f | wc -l)
  echo "fuzz.sh: $t: $build/bin/fuzz_$t ${flags[*]} $corpus $seeds/$t"
  rc=0
  "$build/bin/fuzz_$t" "${flags[@]}" "$corpus" "$seeds/$t" 2>"$log" || rc=$?
  found=$(($(find "$findings" -type f | wc -l) - known))
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    failed+=("$t")
    grep -E '^kcsim fuzz|ERROR:|SUMMARY:|^    #[0-9]+ .* in (kcsim|LLVMFuzzerTestOneInput)' "$log" | head -n 40 >&2 || true
    echo "fuzz.sh: $t: FINDING ($found new in $findings/), log in $log" >&2
  fi
  if [ "$mode" = ci ]; then
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^Done' "$log" |
      sed "s/^/fuzz.sh: $t: /" || true
  else
    grep -E '^#[0-9]+: cov' "$log" | tail -n 1 | sed "s/^/fuzz.sh: $t: /" || true
  fi
  echo "fuzz.sh: $t: corpus $(find "$corpus" -type f | wc -l) inputs"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: no findings"
