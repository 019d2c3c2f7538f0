#!/usr/bin/env bash
# The data-parallel sample workload (configs/scenarios/dp-sample.textproto) on the event engine
# at growing device counts, run with `kcsim run` as a user runs it, beside a reference run of the
# same invocation: the same scenario on the analytical engine, its CPU taken over several runs.
# Per row: the simulated step of both engines, the event run's CPU time (user + system, the
# SimGrid child included) and peak memory, its ratio to the reference, and how its CPU grows from
# the row before (the exponent k of N^k).
#   bash bench/dp_scale.sh [DEVICES...]   (default: 1024 2048 4096 8192 16384; multiples of 8)
set -euo pipefail
cd "$(dirname "$0")/.."
kcsim=${KCSIM:-./build/bin/kcsim}
devices=("$@")
[ ${#devices[@]} -eq 0 ] && devices=(1024 2048 4096 8192 16384)
reference_runs=5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

scenario() {  # scenario DEVICES ENGINE > file
  sed -e "s/^  nodes: 2\$/  nodes: $(($1 / 8))/" -e "s/^engine: \"event\"\$/engine: \"$2\"/" \
    configs/scenarios/dp-sample.textproto
}
step_ms() { sed -n 's/.*"step_time_s": \([0-9.e+-]*\).*/\1/p' "$1" | awk '{ printf "%.3f", $1 * 1e3 }'; }

printf "%8s  %10s  %10s  %9s  %9s  %8s  %7s  %9s\n" devices "event ms" "analyt. ms" "event s" \
  "analyt. s" ratio growth "peak MiB"
previous_n="" previous_cpu=""
for n in "${devices[@]}"; do
  scenario "$n" event >"$work/event.textproto"
  scenario "$n" analytical >"$work/analytical.textproto"
  /usr/bin/time -f "%U %S %M" -o "$work/time" "$kcsim" run "$work/event.textproto" --json \
    >"$work/event.json"
  read -r user sys kib <"$work/time"
  event_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
  /usr/bin/time -f "%U %S" -o "$work/time" bash -c \
    'for ((i = 0; i < $1; ++i)); do "$2" run "$3" --json >"$4" || exit 1; done' _ \
    "$reference_runs" "$kcsim" "$work/analytical.textproto" "$work/analytical.json"
  read -r user sys <"$work/time"
  reference_cpu=$(awk -v u="$user" -v s="$sys" -v r="$reference_runs" 'BEGIN { print (u + s) / r }')
  growth=$(awk -v n="$n" -v c="$event_cpu" -v pn="$previous_n" -v pc="$previous_cpu" \
    'BEGIN { if (pn == "" || pc <= 0 || c <= 0) print "-"; else printf "%.2f", log(c / pc) / log(n / pn) }')
  awk -v n="$n" -v e="$(step_ms "$work/event.json")" -v a="$(step_ms "$work/analytical.json")" \
    -v c="$event_cpu" -v r="$reference_cpu" -v g="$growth" -v k="$kib" \
    'BEGIN { printf "%8d  %10.3f  %10.3f  %9.2f  %9.3f  %7.1fx  %7s  %9.1f\n", n, e, a, c, r,
             c / (r > 0 ? r : 0.001), g, k / 1024 }'
  previous_n=$n previous_cpu=$event_cpu
done
