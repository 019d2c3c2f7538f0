#!/usr/bin/env bash
# The data-parallel sample workload (configs/scenarios/dp-sample.textproto) on the event engine
# at growing device counts, run with `kcsim run` as a user runs it: the simulated step, wall
# time, CPU time and peak memory of the whole command.
#   bash bench/dp_scale.sh [DEVICES...]   (default: 16 64 256 1024; multiples of 8)
set -euo pipefail
cd "$(dirname "$0")/.."
devices=("$@")
[ ${#devices[@]} -eq 0 ] && devices=(16 64 256 1024)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%8s  %10s  %10s  %10s  %10s\n" devices "step ms" "wall s" "cpu s" "peak MiB"
for n in "${devices[@]}"; do
  sed "s/^  nodes: 2\$/  nodes: $((n / 8))/" configs/scenarios/dp-sample.textproto >"$work/dp.textproto"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" ./build/bin/kcsim run "$work/dp.textproto" \
    --json >"$work/out.json"
  read -r wall user sys kib <"$work/time"
  step=$(sed -n 's/.*"step_time_s": \([0-9.e+-]*\).*/\1/p' "$work/out.json")
  awk -v n="$n" -v s="$step" -v w="$wall" -v u="$user" -v y="$sys" -v k="$kib" \
    'BEGIN { printf "%8d  %10.3f  %10.2f  %10.2f  %10.1f\n", n, s * 1e3, w, u + y, k / 1024 }'
done
