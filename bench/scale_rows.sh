#!/usr/bin/env bash
# The event engine's speed and memory at the scales planners use, each run beside a reference
# run of the same invocation (the same plan on the analytical engine, the CPU of one run taken
# over 20, or the same serving load without its cap), so the ratios hold on a busy machine. CPU time is user + system of the whole
# command, the SimGrid child process included; memory is the peak resident set.
#   bash bench/scale_rows.sh [ROW...]
# Rows: serving-cap (Llama-2-70B TP 8 on 16 x 8 A100, 5,000 requests at 20/s, cluster cap
# 33 kW; SERVING_REQUESTS=100000 for the full row), mt530-280, mt530-2240, mt530-3360
# (Megatron-530B TP 8 x PP 35, batch 1,920, full recompute, on 280, 2,240 and 3,360 A100),
# gpt3-1024 (GPT-3 175B TP 8 x PP 8, batch 1,536, selective + sequence parallel, 1,024 A100).
# Default: serving-cap mt530-280 gpt3-1024.
set -euo pipefail
cd "$(dirname "$0")/.."
kcsim=${KCSIM:-./build/bin/kcsim}
rows=("$@")
[ ${#rows[@]} -eq 0 ] && rows=(serving-cap mt530-280 gpt3-1024)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure LABEL ARGS...: one line of CPU seconds, peak MiB and the command's exit status.
measure() {
  local label=$1
  shift
  local status=0
  /usr/bin/time -f "%U %S %M" -o "$work/time" "$kcsim" "$@" >"$work/out" 2>&1 || status=$?
  read -r user sys kib <"$work/time"
  awk -v l="$label" -v u="$user" -v y="$sys" -v k="$kib" -v s="$status" \
    'BEGIN { printf "%-34s %10.2f %10.1f %6d\n", l, u + y, k / 1024, s }'
  echo "$user $sys" >"$work/cpu-$label"
}
# measure_each LABEL N ARGS...: N runs of one command (a reference too quick to time once); the
# line gives the CPU seconds of one run.
measure_each() {
  local label=$1 n=$2
  shift 2
  local status=0
  /usr/bin/time -f "%U %S %M" -o "$work/time" bash -c \
    'n=$1; shift; for ((i = 0; i < n; ++i)); do "$@" >/dev/null 2>&1 || exit 1; done' _ "$n" \
    "$kcsim" "$@" || status=$?
  read -r user sys kib <"$work/time"
  awk -v l="$label" -v u="$user" -v y="$sys" -v k="$kib" -v s="$status" -v n="$n" \
    'BEGIN { printf "%-34s %10.4f %10.1f %6d\n", l, (u + y) / n, k / 1024, s }'
  awk -v u="$user" -v y="$sys" -v n="$n" 'BEGIN { print u / n, y / n }' >"$work/cpu-$label"
}
cpu() { awk '{ print $1 + $2 }' "$work/cpu-$1"; }
ratio() { awk -v a="$(cpu "$1")" -v b="$(cpu "$2")" 'BEGIN { printf "  %s / %s: %.2fx\n", ARGV[1], ARGV[2], a / (b > 0 ? b : 0.01) }' "$1" "$2"; }

train_530() {
  local n=$1
  local plan=(train --model megatron-530b --chip a100-80g --devices "$n" --tp 8 --pp 35
    --global-batch 1920 --recompute full)
  measure_each "mt530-$n-analytical" 20 "${plan[@]}" --engine analytical
  measure "mt530-$n-event" "${plan[@]}" --engine event
  ratio "mt530-$n-event" "mt530-$n-analytical"
  # n devices of which n / 280 pipelines share the 1,920 micro-batches: 280 x 1,920 in all.
  awk -v c="$(cpu "mt530-$n-event")" \
    'BEGIN { printf "  per device-microbatch: %.1f us\n", c / (280 * 1920) * 1e6 }'
}

printf "%-34s %10s %10s %6s\n" run "cpu s" "peak MiB" exit
for row in "${rows[@]}"; do
  case $row in
  serving-cap)
    requests=${SERVING_REQUESTS:-5000}
    serve=(serve --model llama2-70b --chip a100-80g --tp 8 --replicas 16 --rate 20
      --requests "$requests" --seed 1 --json)
    measure serving-uncapped "${serve[@]}"
    cp "$work/out" "$work/uncapped.json"
    measure serving-capped "${serve[@]}" --cluster-power-cap-w 33000
    ratio serving-capped serving-uncapped
    for f in "$work/uncapped.json" "$work/out"; do
      grep -m1 '"iterations"' "$f" | sed 's/.*: \([0-9]*\).*/  iterations: \1/'
    done
    ;;
  mt530-280) train_530 280 ;;
  mt530-2240) train_530 2240 ;;
  mt530-3360) train_530 3360 ;;
  gpt3-1024)
    plan=(train --model gpt3-175b --chip a100-80g --devices 1024 --tp 8 --pp 8
      --global-batch 1536 --sequence-parallel)
    measure_each gpt3-1024-analytical 20 "${plan[@]}" --engine analytical
    measure gpt3-1024-event "${plan[@]}" --engine event
    ratio gpt3-1024-event gpt3-1024-analytical
    ;;
  *)
    echo "unknown row: $row" >&2
    exit 2
    ;;
  esac
done
