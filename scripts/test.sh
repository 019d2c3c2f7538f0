#!/usr/bin/env bash
# Installs what kcsim needs, builds it, and runs every test.
#   bash scripts/test.sh             # the build in build/
#   bash scripts/test.sh --sanitize  # AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
flags=()
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  flags=(-DKCSIM_SANITIZE=ON -DKCSIM_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug)
fi

bash scripts/install-deps.sh
cmake -S . -B "$build" "${flags[@]}"
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
