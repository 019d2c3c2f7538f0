#!/usr/bin/env bash
# The Chakra dp16 sample's workload (tests/data/chakra-dp16) replayed with `kcsim replay` at
# growing rank counts on the network it was made for: wall time and peak memory of the whole
# command, as a user runs it.
#   bash bench/chakra_scale.sh [RANKS...]   (default: 16 64 256 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=("$@")
[ ${#ranks[@]} -eq 0 ] && ranks=(16 64 256 1024)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%8s  %10s  %10s  %10s\n" ranks "step ms" "wall s" "peak MiB"
for n in "${ranks[@]}"; do
  ./build/bin/kcsim_chakra_widen tests/data/chakra-dp16/w "$n" "$work/w$n"
  /usr/bin/time -f "%e %M" -o "$work/time" ./build/bin/kcsim replay "$work/w$n" \
    --cluster tests/data/chakra-dp16/cluster.textproto --nodes $((n / 8)) --json >"$work/out.json"
  read -r wall kib <"$work/time"
  step=$(sed -n 's/.*"step_time_s": \([0-9.e+-]*\).*/\1/p' "$work/out.json")
  awk -v n="$n" -v s="$step" -v w="$wall" -v k="$kib" \
    'BEGIN { printf "%8d  %10.3f  %10.2f  %10.1f\n", n, s * 1e3, w, k / 1024 }'
  rm -f "$work/w$n".*.et
done
