#!/usr/bin/env bash
# Writes what kcsim prints for every shipped scenario, sweep and validation case into one folder,
# so that two builds can be compared byte for byte (a change that must leave every number alone):
#   bash scripts/snapshot_outputs.sh OLD_KCSIM /tmp/before
#   bash scripts/snapshot_outputs.sh build/bin/kcsim /tmp/after
#   diff -r /tmp/before /tmp/after
# Scenarios as `kcsim run --json`, sweeps as CSV (two workers), `kcsim validate --json`, and the
# catalogs' listings. Each file's exit status is kept beside it.
set -uo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 KCSIM OUTDIR" >&2
  exit 2
fi
kcsim=$(realpath "$1")
out=$2
cd "$(dirname "$0")/.."
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for scenario in configs/scenarios/*.textproto; do
  name=$(basename "$scenario" .textproto)
  "$kcsim" run "$scenario" --json > "$out/scenario-$name.json" 2> "$out/scenario-$name.stderr"
  echo "exit $?" >> "$out/scenario-$name.stderr"
done
for sweep in configs/sweeps/*.textproto; do
  name=$(basename "$sweep" .textproto)
  "$kcsim" sweep "$sweep" --out "$scratch/$name.h5" --csv "$out/sweep-$name.csv" --jobs 2 \
    --quiet > /dev/null 2> "$out/sweep-$name.stderr"
  echo "exit $?" >> "$out/sweep-$name.stderr"
done
"$kcsim" validate --json > "$out/validate.json" 2> "$out/validate.stderr"
echo "exit $?" >> "$out/validate.stderr"
for listing in chips models runtimes; do
  "$kcsim" "$listing" > "$out/$listing.txt" 2>&1
done
echo "wrote $out"
